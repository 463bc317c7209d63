import { GilbertError } from '../errors.js';

/**
 * Gilbert's expression syntax inside strings:
 *   `{{ name }}`    a variable (letters, digits, `_`, spaces around)
 *   `{% command %}` the trimmed combined output of a shell command
 * Gilbert's shell pattern was greedy (`{% a %} {% b %}` became one command
 * ` a %} {% b `); the lazy one here runs two, which is what anyone writing
 * two expressions on a line means.
 */
const EXPRESSION = /\{%(.*?)%\}|\{\{([\s\w]*)\}\}/g;

/** A value fails to expand: undefined variable, failing command, self-reference. */
export class ExpressionError extends GilbertError {}

export interface ExpressionHost {
  /** the variable's raw value, or undefined */
  lookup(name: string): string | undefined;
  /** runs a `{% %}` command; resolves with its output or rejects with Gilbert's message */
  evaluate(command: string): Promise<string>;
}

/** Deeper than this, nested variables are surely a loop the name check missed (cannot happen, but never hang). */
const MAX_NESTING = 64;

export function containsExpression(text: string): boolean {
  EXPRESSION.lastIndex = 0;
  const found = EXPRESSION.test(text);
  EXPRESSION.lastIndex = 0;
  return found;
}

/**
 * Expands every expression in `input`. Errors read as Gilbert's did:
 * `failed to parse string '<input>', <cause> (at '<expression>')`, nested
 * once per level of variable expansion.
 */
export async function expandString(input: string, host: ExpressionHost, chain: readonly string[] = []): Promise<string> {
  const matches = [...input.matchAll(EXPRESSION)];
  if (matches.length === 0) return input;
  let out = '';
  let last = 0;
  for (const match of matches) {
    const [whole, command, variable] = match;
    let value: string;
    try {
      value = await expandOne(whole, command, variable, host, chain);
    } catch (error) {
      throw new ExpressionError(`failed to parse string '${input}', ${messageOf(error)} (at '${whole}')`, { cause: error });
    }
    out += input.slice(last, match.index) + value;
    last = match.index + whole.length;
  }
  return out + input.slice(last);
}

async function expandOne(
  whole: string,
  command: string | undefined,
  variable: string | undefined,
  host: ExpressionHost,
  chain: readonly string[],
): Promise<string> {
  if (variable !== undefined && variable !== '') return expandVariable(variable.trim(), host, chain);
  if (command !== undefined && command !== '') {
    const trimmed = command.trim();
    return trimmed === '' ? '' : (await host.evaluate(trimmed)).trim();
  }
  // `{{}}` and `{%%}` are not expressions for Gilbert: left as written
  return whole;
}

async function expandVariable(name: string, host: ExpressionHost, chain: readonly string[]): Promise<string> {
  if (name === '') throw new Error('expression cannot be empty');
  const value = host.lookup(name);
  if (value === undefined) throw new Error(`variable '${name}' is undefined`);
  if (!containsExpression(value)) return value;
  if (chain.includes(name)) {
    throw new Error(`variable '${name}' refers to itself (${[...chain, name].join(' -> ')})`);
  }
  if (chain.length >= MAX_NESTING) throw new Error(`variables nested deeper than ${MAX_NESTING} levels (${chain.join(' -> ')})`);
  return expandString(value, host, [...chain, name]);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
