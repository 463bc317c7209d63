/**
 * Executes a parsed template with Go text/template semantics. The data (`.`)
 * is nil, as in Gilbert, so fields of `.` print `<no value>`.
 */
import { TemplateError } from './errors.js';
import { ArgumentError, SHORT_CIRCUIT, type TemplateFunction } from './functions.js';
import type { BranchNode, Command, Node, Operand, Pipe } from './parser.js';
import { formatValue, goTypeName, isTrue } from './values.js';

class LoopControl {
  constructor(readonly kind: 'break' | 'continue') {}
}

/** Guard runaway templates (`range 1000000000`) without limiting real manifests. */
const MAX_OUTPUT = 64 * 1024 * 1024;
const MAX_ITERATIONS = 1_000_000;

export interface Rendered {
  text: string;
  /** sourceLines[n - 1] is the template line that output line n came from */
  sourceLines: number[];
}

export function execute(nodes: Node[], name: string, functions: Map<string, TemplateFunction>): Rendered {
  const out: string[] = [];
  let outputLength = 0;
  const sourceLines: number[] = [];
  let atLineStart = true;
  let iterations = 0;
  // Variable frames: each block pushes a frame, `$` lives in the first.
  const frames: Map<string, unknown>[] = [new Map([['$', undefined]])];

  const fail = (command: { line: number; column: number; source: string }, message: string): never => {
    throw new TemplateError(`template: ${name}:${command.line}:${command.column}: executing "${name}" at <${command.source}>: ${message}`, command.line);
  };

  runList(nodes, undefined);
  return { text: out.join(''), sourceLines };

  /** Appends output; text from the template advances the source line at each newline, action output does not. */
  function write(text: string, line: number, fromTemplateText: boolean): void {
    outputLength += text.length;
    if (outputLength > MAX_OUTPUT) throw new TemplateError(`template: ${name}: output is larger than ${MAX_OUTPUT} bytes`, line);
    out.push(text);
    let sourceLine = line;
    for (let i = 0; i < text.length; i++) {
      if (atLineStart) sourceLines.push(sourceLine);
      atLineStart = text.charCodeAt(i) === 10;
      if (atLineStart && fromTemplateText) sourceLine++;
    }
  }

  function runList(list: Node[], dot: unknown): void {
    frames.push(new Map());
    try {
      for (const node of list) runNode(node, dot);
    } finally {
      frames.pop();
    }
  }

  function runNode(node: Node, dot: unknown): void {
    switch (node.type) {
      case 'text':
        write(node.text, node.line, true);
        return;
      case 'action': {
        const value = runPipe(node.pipe, dot);
        if (node.pipe.variables.length === 0) write(formatValue(value), node.pipe.line, false);
        return;
      }
      case 'if':
      case 'with':
        return runCondition(node, dot);
      case 'range':
        return runRange(node, dot);
      case 'break':
      case 'continue':
        throw new LoopControl(node.type);
    }
  }

  function runCondition(node: BranchNode, dot: unknown): void {
    frames.push(new Map());
    try {
      const value = runPipe(node.pipe, dot);
      if (isTrue(value)) runList(node.list, node.type === 'with' ? value : dot);
      else if (node.elseList) runList(node.elseList, dot);
    } finally {
      frames.pop();
    }
  }

  function runRange(node: BranchNode, dot: unknown): void {
    frames.push(new Map());
    try {
      const value = runPipe(node.pipe, dot, false);
      const entries = rangeEntries(value, node.pipe);
      let empty = true;
      const frame = frames[frames.length - 1]!;
      for (const [key, element] of entries) {
        empty = false;
        if (++iterations > MAX_ITERATIONS) fail({ ...node.pipe, source: 'range' }, `more than ${MAX_ITERATIONS} range iterations`);
        if (node.pipe.variables.length === 1) frame.set(node.pipe.variables[0]!, element);
        if (node.pipe.variables.length === 2) {
          frame.set(node.pipe.variables[0]!, key);
          frame.set(node.pipe.variables[1]!, element);
        }
        try {
          runList(node.list, element);
        } catch (signal) {
          if (!(signal instanceof LoopControl)) throw signal;
          if (signal.kind === 'break') break;
        }
      }
      if (empty && node.elseList) runList(node.elseList, dot);
    } finally {
      frames.pop();
    }
  }

  function* rangeEntries(value: unknown, pipe: Pipe): Generator<[unknown, unknown]> {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) return yield* value.map((element, i): [unknown, unknown] => [i, element]);
    if (typeof value === 'number' && Number.isInteger(value)) {
      for (let i = 0; i < value; i++) yield [i, i];
      return;
    }
    if (typeof value === 'object') {
      const record = value as Record<string, unknown>;
      return yield* Object.keys(record)
        .sort()
        .map((key): [unknown, unknown] => [key, record[key]]);
    }
    fail({ ...pipe, source: 'range' }, `range can't iterate over ${formatValue(value)}`);
  }

  /** Evaluates a pipeline; declares/assigns its variables unless `bind` is false (range binds per element). */
  function runPipe(pipe: Pipe, dot: unknown, bind = true): unknown {
    let value: unknown = undefined;
    pipe.commands.forEach((command, i) => {
      value = runCommand(command, dot, i === 0 ? [] : [value]);
    });
    if (bind && pipe.variables.length > 0) {
      const name = pipe.variables[0]!;
      if (pipe.isAssign) {
        (frames.findLast((frame) => frame.has(name)) ?? frames[frames.length - 1]!).set(name, value);
      } else frames[frames.length - 1]!.set(name, value);
    }
    return value;
  }

  function runCommand(command: Command, dot: unknown, piped: unknown[]): unknown {
    const [head, ...rest] = command.args;
    if (head === undefined) return fail(command, 'empty command');
    if (head.type === 'function') return callFunction(command, head.name, rest, dot, piped);
    if (rest.length > 0 || piped.length > 0) {
      if (head.type === 'field') return fail(command, `can't give argument to non-function ${command.source.split(' ')[0]}`);
      return fail(command, `can't give argument to non-function ${describeOperand(head)}`);
    }
    if (head.type === 'literal' && head.value === null) return fail(command, 'nil is not a command');
    return evalOperand(command, head, dot);
  }

  function callFunction(command: Command, name: string, argNodes: Operand[], dot: unknown, piped: unknown[]): unknown {
    if (SHORT_CIRCUIT.has(name)) {
      const thunks = [...argNodes.map((node) => () => evalOperand(command, node, dot)), ...piped.map((value) => () => value)];
      if (thunks.length === 0) return fail(command, `wrong number of args for ${name}: want at least 1 got 0`);
      let value: unknown;
      for (const thunk of thunks) {
        value = thunk();
        if (isTrue(value) === (name === 'or')) return value;
      }
      return value;
    }
    const args = [...argNodes.map((node) => evalOperand(command, node, dot)), ...piped];
    try {
      return functions.get(name)!(...args);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return fail(command, error instanceof ArgumentError ? message : `error calling ${name}: ${message}`);
    }
  }

  function evalOperand(command: Command, operand: Operand, dot: unknown): unknown {
    switch (operand.type) {
      case 'literal':
        return operand.value;
      case 'dot':
        return dot;
      case 'variable':
        return lookupVariable(operand.name);
      case 'pipe':
        return runPipe(operand.pipe, dot, false);
      case 'function':
        return callFunction(command, operand.name, [], dot, []);
      case 'field': {
        let receiver = operand.receiver ? evalOperand(command, operand.receiver, dot) : dot;
        for (const field of operand.chain) receiver = fieldOf(command, receiver, field);
        return receiver;
      }
    }
  }

  function lookupVariable(name: string): unknown {
    for (let i = frames.length - 1; i >= 0; i--) {
      if (frames[i]!.has(name)) return frames[i]!.get(name);
    }
    return undefined;
  }

  function fieldOf(command: Command, receiver: unknown, field: string): unknown {
    if (receiver === undefined || receiver === null) return undefined;
    if (typeof receiver === 'object' && !Array.isArray(receiver)) return (receiver as Record<string, unknown>)[field];
    return fail(command, `can't evaluate field ${field} in type ${goTypeName(receiver)}`);
  }
}

function describeOperand(operand: Operand): string {
  if (operand.type === 'literal') return formatValue(operand.value);
  if (operand.type === 'variable') return operand.name;
  return '.';
}
