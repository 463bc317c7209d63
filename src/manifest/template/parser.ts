/**
 * Parser for the text/template subset: builds the node tree from tokens and,
 * like Go, rejects unknown functions and undeclared variables at parse time.
 */
import { TemplateError } from './errors.js';
import type { Token } from './lexer.js';

export type Node = TextNode | ActionNode | BranchNode | LoopControlNode;

export interface TextNode {
  type: 'text';
  text: string;
  /** source line of the text's first character */
  line: number;
}
export interface ActionNode {
  type: 'action';
  pipe: Pipe;
}
export interface BranchNode {
  type: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: Node[];
  elseList?: Node[];
}
export interface LoopControlNode {
  type: 'break' | 'continue';
  line: number;
}

export interface Pipe {
  /** variables declared (`:=`) or assigned (`=`) by the pipeline */
  variables: string[];
  isAssign: boolean;
  commands: Command[];
  line: number;
  column: number;
}

export interface Command {
  args: Operand[];
  line: number;
  column: number;
  /** source text, for `executing … at <…>` messages */
  source: string;
}

export type Operand =
  | { type: 'function'; name: string }
  | { type: 'field'; receiver: Operand | undefined; chain: string[] }
  | { type: 'dot' }
  | { type: 'variable'; name: string }
  | { type: 'literal'; value: unknown }
  | { type: 'pipe'; pipe: Pipe };

const ENDS_LIST = new Set(['end', 'else']);

export function parse(tokens: Token[], name: string, functions: ReadonlySet<string>): Node[] {
  let index = 0;
  // One frame per enclosing control structure; `$` is always declared.
  const scopes: string[][] = [['$']];
  let loopDepth = 0;
  // Nested blocks and parentheses recurse; a bound keeps absurd input a template error, not a stack overflow.
  let nesting = 0;
  const MAX_NESTING = 200;
  const enter = (token: Token): void => {
    if (++nesting > MAX_NESTING) fail(`more than ${MAX_NESTING} nested blocks or parentheses`, token);
  };

  const peek = (offset = 0): Token => tokens[Math.min(index + offset, tokens.length - 1)]!;
  const next = (): Token => tokens[Math.min(index++, tokens.length - 1)]!;
  const fail = (message: string, token: Token = peek(), hint?: string): never => {
    throw new TemplateError(`template: ${name}:${token.line}: ${message}`, token.line, hint);
  };
  const expect = (kind: Token['kind'], context: string): Token => {
    const token = next();
    if (token.kind !== kind) fail(`unexpected ${describe(token)} in ${context}`, token);
    return token;
  };

  const root = parseList(undefined);
  return root.nodes;

  /** Parses nodes until EOF (top level) or the `{{{end}}}` / `{{{else}}}` of `opener`; returns which ended it. */
  function parseList(opener: Token | undefined): { nodes: Node[]; end: 'end' | 'else' | 'eof' } {
    const topLevel = opener === undefined;
    const nodes: Node[] = [];
    for (;;) {
      const token = next();
      if (token.kind === 'eof') {
        if (opener) fail('unexpected EOF', token, `the {{{${opener.text}}}} at line ${opener.line} has no {{{end}}}`);
        return { nodes, end: 'eof' };
      }
      if (token.kind === 'text') {
        nodes.push({ type: 'text', text: token.text, line: token.line });
        continue;
      }
      // token is `open`
      const keyword = peek();
      if (keyword.kind === 'identifier' && ENDS_LIST.has(keyword.text)) {
        if (topLevel) fail(`unexpected {{{${keyword.text}}}}`, keyword);
        next();
        if (keyword.text === 'end') expect('close', 'end');
        // `else` is left for the caller, which may read `else if` / `else with`
        return { nodes, end: keyword.text as 'end' | 'else' };
      }
      nodes.push(parseAction());
    }
  }

  function parseAction(): Node {
    const token = peek();
    if (token.kind === 'identifier') {
      switch (token.text) {
        case 'if':
        case 'with':
        case 'range':
          next();
          return parseBranch(token.text, token);
        case 'break':
        case 'continue':
          next();
          if (loopDepth === 0) fail(`{{{${token.text}}}} outside {{{range}}}`, token);
          expect('close', token.text);
          return { type: token.text, line: token.line };
        case 'define':
        case 'template':
        case 'block':
          fail(`{{{${token.text}}}} is not supported in manifests`, token);
      }
    }
    const pipe = parsePipe('command', true);
    return { type: 'action', pipe };
  }

  function parseBranch(kind: BranchNode['type'], opener: Token): BranchNode {
    enter(opener);
    scopes.push([]);
    const pipe = parsePipe(kind, true);
    if (kind === 'range') loopDepth++;
    const body = parseList(opener);
    if (kind === 'range') loopDepth--;
    let elseList: Node[] | undefined;
    if (body.end === 'else') {
      const chained = peek();
      if ((kind === 'if' || kind === 'with') && chained.kind === 'identifier' && chained.text === kind) {
        // `{{{else if …}}}` is an if nested in the else branch, closed by the same `end`
        next();
        elseList = [parseBranch(kind, opener)];
      } else {
        expect('close', 'else');
        scopes.push([]);
        const alternative = parseList(opener);
        scopes.pop();
        if (alternative.end !== 'end') fail('expected end; found {{{else}}}', chained);
        elseList = alternative.nodes;
      }
    }
    scopes.pop();
    nesting--;
    return { type: kind, pipe, list: body.nodes, elseList };
  }

  function parsePipe(context: string, allowDeclarations: boolean): Pipe {
    const start = peek();
    const pipe: Pipe = { variables: [], isAssign: false, commands: [], line: start.line, column: start.column };
    if (allowDeclarations && start.kind === 'variable') tryDeclarations(pipe);
    const closing = allowDeclarations ? 'close' : 'rparen';
    for (;;) {
      const token = peek();
      if (token.kind === closing) {
        next();
        break;
      }
      if (token.kind === 'eof' || token.kind === 'close' || token.kind === 'rparen') {
        fail(`unexpected ${describe(token)} in ${allowDeclarations ? context : 'parenthesized pipeline'}`, token);
      }
      pipe.commands.push(parseCommand(context));
      if (peek().kind === 'pipe') {
        next();
        if (peek().kind === closing) fail('missing command after |');
      }
    }
    if (pipe.commands.length === 0) fail(`missing value for ${context}`, start);
    const declaredHere = scopes[scopes.length - 1]!;
    if (!pipe.isAssign) declaredHere.push(...pipe.variables);
    return pipe;
  }

  function tryDeclarations(pipe: Pipe): void {
    const first = peek();
    const second = peek(1);
    if (second.kind === 'declare' || second.kind === 'assign') {
      index += 2;
      pipe.variables.push(first.text);
      pipe.isAssign = second.kind === 'assign';
      if (pipe.isAssign) requireDeclared(first);
    } else if (second.kind === 'comma' && peek(2).kind === 'variable' && peek(3).kind === 'declare') {
      index += 4;
      pipe.variables.push(first.text, peek(-2).text);
    }
  }

  function requireDeclared(token: Token): void {
    const variable = token.text.replace(/\..*$/, '');
    if (!scopes.some((scope) => scope.includes(variable))) fail(`undefined variable "${variable}"`, token);
  }

  function parseCommand(context: string): Command {
    const first = peek();
    const command: Command = { args: [], line: first.line, column: first.column, source: '' };
    const startIndex = index;
    for (;;) {
      const token = peek();
      if (token.kind === 'pipe' || token.kind === 'close' || token.kind === 'rparen' || token.kind === 'eof') break;
      command.args.push(parseOperand(context));
    }
    command.source = tokens
      .slice(startIndex, index)
      .map((token) => token.text)
      .join(' ')
      .replace(/ \./g, '.');
    return command;
  }

  function parseOperand(context: string): Operand {
    const token = next();
    let operand: Operand;
    switch (token.kind) {
      case 'identifier':
        if (token.text === 'true' || token.text === 'false') operand = { type: 'literal', value: token.text === 'true' };
        else if (token.text === 'nil') operand = { type: 'literal', value: null };
        else if (!functions.has(token.text)) return fail(`function "${token.text}" not defined`, token);
        else operand = { type: 'function', name: token.text };
        break;
      case 'string':
      case 'number':
      case 'char':
        operand = { type: 'literal', value: token.value };
        break;
      case 'dot':
        operand = { type: 'dot' };
        break;
      case 'variable':
        requireDeclared(token);
        operand = { type: 'variable', name: token.text };
        break;
      case 'field':
        operand = { type: 'field', receiver: undefined, chain: [token.text.slice(1)] };
        break;
      case 'lparen':
        enter(token);
        operand = { type: 'pipe', pipe: parsePipe(context, false) };
        nesting--;
        break;
      default:
        return fail(`unexpected ${describe(token)} in ${context}`, token);
    }
    // `.A.B`, `$x.A`, `(pipe).A`: adjacent field tokens chain onto the operand
    while (peek().kind === 'field' && adjacent(tokens[index - 1]!, peek())) {
      const field = next().text.slice(1);
      if (operand.type === 'field') operand.chain.push(field);
      else if (operand.type === 'literal' || operand.type === 'function') fail(`unexpected . after term "${token.text}"`, token);
      else operand = { type: 'field', receiver: operand, chain: [field] };
    }
    return operand;
  }
}

function adjacent(before: Token, after: Token): boolean {
  return before.line === after.line && before.column + before.text.length === after.column;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'EOF';
    case 'close':
      return '"}}}"';
    case 'rparen':
      return '")"';
    default:
      return `<${token.text}>`;
  }
}
