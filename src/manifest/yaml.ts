/**
 * YAML loading with gopkg.in/yaml.v2's scalar resolution (YAML 1.1 flavour),
 * which is what Gilbert decoded manifests with.
 *
 * Plain scalars that resolve to bool, int or float are kept as `YamlScalar`
 * (original text + value), because yaml.v2 gives a string field the text as
 * written (`yes` stays "yes", `1.0` stays "1.0") while an interface{} field
 * (params) gets the typed value. Every collection and YamlScalar is mapped to
 * the line it starts on.
 */
import { FAILSAFE_SCHEMA, Type, YAMLException, load } from 'js-yaml';
import { IntegralFloat } from '../sdk/index.js';

export class YamlScalar {
  constructor(
    readonly text: string,
    readonly value: boolean | number | IntegralFloat,
  ) {}
  // js-yaml turns mapping keys into strings with String(); a key keeps its text, as in yaml.v2's map[string]…
  get [Symbol.toStringTag](): string {
    return 'YamlScalar';
  }
  toString(): string {
    return this.text;
  }
}

export interface ParsedYaml {
  root: unknown;
  /** 1-based line where each collection / YamlScalar starts */
  lines: WeakMap<object, number>;
}

const BOOLEANS = new Map<string, boolean>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s) => [s, false] as const),
]);
/** The words yaml.v2 reads as booleans (YAML 1.1); editors reading YAML 1.2 see them as strings. */
export const BOOLEAN_WORDS: readonly string[] = [...BOOLEANS.keys()];
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity] as const),
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DATE_PREFIX = /^[0-9]{4}-/;

/** strconv.ParseInt/ParseUint(s, 0, 64) after yaml.v2 removed underscores; undefined when Go would fail. */
function parseGoInteger(plain: string): number | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(plain);
  if (!match) return undefined;
  const [, sign, digits] = match as unknown as [string, string, string];
  let big: bigint;
  if (/^0[oO]/.test(digits)) big = BigInt(`0o${digits.slice(2)}`);
  else if (/^0[0-7]+$/.test(digits)) big = BigInt(`0o${digits.slice(1)}`);
  else big = BigInt(digits.toLowerCase());
  if (sign === '-') big = -big;
  const fits = sign === '-' ? big >= -(2n ** 63n) : big < 2n ** 64n;
  return fits ? Number(big) : undefined;
}

/** yaml.v2 resolve() for a plain scalar: the typed value, or undefined for a string. */
export function resolvePlainScalar(text: string): boolean | number | IntegralFloat | null | undefined {
  const first = text[0];
  if (NULLS.has(text)) return null;
  if (BOOLEANS.has(text)) return BOOLEANS.get(text);
  if (SPECIAL_FLOATS.has(text)) return new IntegralFloat(SPECIAL_FLOATS.get(text)!);
  if (first === '.') {
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? float(Number(text)) : undefined;
  }
  if (first === undefined || !/[-+0-9]/.test(first)) return undefined;
  // yaml.v2 reads YYYY-… as a timestamp; gilbert-ts keeps its text (see README)
  if (DATE_PREFIX.test(text)) return undefined;
  const plain = text.replace(/_/g, '');
  const integer = parseGoInteger(plain);
  if (integer !== undefined) return integer;
  if (YAML_STYLE_FLOAT.test(plain)) return float(Number(plain));
  return undefined;
}

/** Go decodes floats to float64; integral ones are boxed so plugins still get a float64 (see IntegralFloat). */
function float(value: number): number | IntegralFloat {
  return Number.isInteger(value) || !Number.isFinite(value) ? new IntegralFloat(value) : value;
}

function scalarType(tag: string, accept: (value: unknown) => boolean): Type {
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    // an explicit tag on an empty node (`!!int` alone) passes null
    resolve: (data: string | null) => {
      const value = resolvePlainScalar(data ?? '');
      return value !== undefined && accept(value);
    },
    construct: (data: string | null) => {
      const value = resolvePlainScalar(data ?? '')!;
      if (value === null) return null;
      // an explicit !!float on an integer literal makes it a float, as yaml.v2 does
      const typed = tag === 'float' && typeof value === 'number' && Number.isInteger(value) ? new IntegralFloat(value) : value;
      return new YamlScalar(data ?? '', typed);
    },
  });
}

const isNumber = (value: unknown): boolean => typeof value === 'number' || value instanceof IntegralFloat;

const SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalarType('null', (value) => value === null),
    scalarType('bool', (value) => typeof value === 'boolean'),
    scalarType('int', (value) => typeof value === 'number' && Number.isInteger(value)),
    scalarType('float', isNumber),
    // `<<` merge keys, which yaml.v2 supports too
    new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: string | null) => data === '<<' || data === null }),
  ],
});

export interface YamlSyntaxError {
  reason: string;
  /** 1-based */
  line: number;
}

/** Parses YAML text with yaml.v2 scalar rules; js-yaml errors are read with asYamlSyntaxError. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new WeakMap<object, number>();
  const openLines: number[] = [];
  const root = load(text, {
    filename: file,
    schema: SCHEMA,
    // Gilbert's yaml.Unmarshal (non-strict) lets a repeated key replace the earlier one; so do we
    json: true,
    listener(event, state) {
      if (event === 'open') {
        openLines.push(state.line + 1);
        return;
      }
      const line = openLines.pop() ?? state.line + 1;
      const result: unknown = state.result;
      // An alias closes with the anchored node as its result; the anchor comes first in the text, so keep the lowest line.
      if (result === null || typeof result !== 'object') return;
      const known = lines.get(result);
      if (known === undefined || line < known) lines.set(result, line);
    },
  });
  return { root, lines };
}

export function asYamlSyntaxError(error: unknown): YamlSyntaxError | undefined {
  if (!(error instanceof YAMLException)) return undefined;
  return { reason: error.reason, line: (error.mark?.line ?? 0) + 1 };
}
