/**
 * Template functions: Gilbert's four (`slice`, `yaml`, `shell`, `split`) plus
 * the Go text/template builtins a manifest may use. A function throws a plain
 * Error; the executor turns it into `error calling <name>: …` like Go does.
 */
import { createRequire } from 'node:module';
import { formatValue, goJson, goTypeName, isTrue } from './values.js';

/** Arguments arrive evaluated, except for `and`/`or` which short-circuit (see exec.ts). */
export type TemplateFunction = (...args: unknown[]) => unknown;

export interface FunctionOptions {
  /** working directory of `shell` commands */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** false replaces `shell` with a function that refuses to run anything (fuzzing) */
  allowShell: boolean;
}

/** Wrong argument count or type: Go reports these without the `error calling` prefix. */
export class ArgumentError extends Error {}

export const SHORT_CIRCUIT = new Set(['and', 'or']);

export function createFunctions(options: FunctionOptions): Map<string, TemplateFunction> {
  return new Map<string, TemplateFunction>([
    ['slice', (...args) => args],
    ['yaml', (...args) => goJson(arity('yaml', args, 1)[0])],
    ['shell', (...args) => (options.allowShell ? runShell(stringArg(arity('shell', args, 1)[0]), options) : refuseShell())],
    ['split', (...args) => splitString(...(arity('split', args, 2).map(stringArg) as [string, string]))],
    ['len', (...args) => length(arity('len', args, 1)[0])],
    ['index', (...args) => indexInto(args)],
    ['print', (...args) => sprint(args)],
    ['println', (...args) => args.map(formatValue).join(' ') + '\n'],
    ['printf', (...args) => sprintf(stringArg(args[0]), args.slice(1))],
    ['not', (...args) => !isTrue(arity('not', args, 1)[0])],
    ['eq', (...args) => equalsAny(args)],
    ['ne', (...args) => !equal(arity('ne', args, 2))],
    ['lt', (...args) => order(arity('lt', args, 2)) < 0],
    ['le', (...args) => order(arity('le', args, 2)) <= 0],
    ['gt', (...args) => order(arity('gt', args, 2)) > 0],
    ['ge', (...args) => order(arity('ge', args, 2)) >= 0],
    // placeholders so the parser knows them; exec.ts evaluates them lazily
    ['and', () => undefined],
    ['or', () => undefined],
  ]);
}

function arity(name: string, args: unknown[], count: number): unknown[] {
  if (args.length !== count) throw new ArgumentError(`wrong number of args for ${name}: want ${count} got ${args.length}`);
  return args;
}

function stringArg(value: unknown): string {
  if (typeof value !== 'string') throw new ArgumentError(`wrong type for value; expected string; got ${goTypeName(value)}`);
  return value;
}

function runShell(command: string, options: FunctionOptions): string {
  // Loaded on first use: `gilbert ls` on a manifest without `shell` never pays for child_process.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const result = spawnSync('/bin/sh', ['-c', command], {
    cwd: options.cwd,
    env: options.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  // stdout and stderr are captured apart; Go interleaves them, which a manifest cannot observe in order anyway
  const output = (result.stdout ?? '') + (result.stderr ?? '');
  if (result.error || result.status !== 0) {
    const reason = result.error
      ? result.error.message
      : result.signal
        ? `signal: ${result.signal === 'SIGKILL' ? 'killed' : result.signal}`
        : `exit status ${result.status}`;
    // as Gilbert: the output as it came, after a blank line
    throw new Error(`command "[/bin/sh -c ${command}]" returned error (${reason})${output ? `\n\n${output}` : ''}`);
  }
  return output;
}

function refuseShell(): never {
  throw new Error('the shell function is disabled');
}

function splitString(separator: string, text: string): string[] {
  const trimmed = text.trim();
  // strings.Split with an empty separator splits into UTF-8 sequences, i.e. code points
  return separator === '' ? Array.from(trimmed) : trimmed.split(separator);
}

function length(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  throw new Error(`len of type ${goTypeName(value)}`);
}

function indexInto(args: unknown[]): unknown {
  if (args.length === 0) throw new ArgumentError('wrong number of args for index: want at least 1 got 0');
  let item = args[0];
  for (const key of args.slice(1)) {
    if (Array.isArray(item) || typeof item === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new Error(`cannot index slice/array with type ${goTypeName(key)}`);
      if (key < 0 || key >= item.length) throw new Error(`index out of range: ${key}`);
      item = typeof item === 'string' ? Buffer.from(item)[key] : item[key];
    } else if (item !== null && typeof item === 'object') {
      item = (item as Record<string, unknown>)[String(key)];
    } else if (item === null || item === undefined) {
      throw new Error('index of untyped nil');
    } else {
      throw new Error(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

/** fmt.Sprint: a space between operands when neither side is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintf for the verbs manifests use: %v %s %d %q %t %f %x %%. */
function sprintf(format: string, args: unknown[]): string {
  let next = 0;
  let out = format.replace(/%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/g, (spec, flags: string, width: string, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    let text: string;
    switch (verb) {
      case 'v':
      case 's':
        text = formatValue(arg);
        if (precision !== undefined) text = Array.from(text).slice(0, Number(precision)).join('');
        break;
      case 'd':
        text = typeof arg === 'number' && Number.isInteger(arg) ? String(arg) : `%!d(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 'q':
        text = typeof arg === 'string' ? JSON.stringify(arg) : `%!q(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 't':
        text = typeof arg === 'boolean' ? String(arg) : `%!t(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 'f':
        text = typeof arg === 'number' ? arg.toFixed(precision === undefined ? 6 : Number(precision)) : `%!f(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 'x':
        text = typeof arg === 'number' ? arg.toString(16) : Buffer.from(formatValue(arg)).toString('hex');
        break;
      default:
        return `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;
    }
    const pad = Number(width || 0) - text.length;
    if (pad <= 0) return text;
    if (flags.includes('-')) return text + ' '.repeat(pad);
    return (flags.includes('0') && verb !== 's' && verb !== 'v' ? '0' : ' ').repeat(pad) + text;
  });
  if (next < args.length) out += `%!(EXTRA ${args.slice(next).map((arg) => `${goTypeName(arg)}=${formatValue(arg)}`).join(', ')})`;
  return out;
}

function basicKind(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'object') throw new Error('invalid type for comparison');
  return typeof value;
}

function equal([a, b]: unknown[]): boolean {
  if (basicKind(a) !== basicKind(b)) throw new Error('incompatible types for comparison');
  return a === b;
}

function equalsAny(args: unknown[]): boolean {
  if (args.length < 2) throw new ArgumentError('missing argument for comparison');
  return args.slice(1).some((other) => equal([args[0], other]));
}

function order([a, b]: unknown[]): number {
  const kind = basicKind(a);
  if (kind !== basicKind(b)) throw new Error('incompatible types for comparison');
  if (kind !== 'number' && kind !== 'string') throw new Error('invalid type for comparison');
  return (a as number | string) < (b as number | string) ? -1 : a === b ? 0 : 1;
}
