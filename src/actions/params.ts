import { GilbertError } from '../errors.js';
import { IntegralFloat, type ActionParams, type ParamValue, type SourceLocation } from '../sdk/index.js';

/**
 * Typed decoding of raw action params for the built-in actions.
 *
 * Gilbert's actions decoded params with the SDK's `Unmarshal`, i.e.
 * mapstructure v1.1.2 `Decode` with its default (non-weak) rules: struct
 * fields match keys case-insensitively (an exact match wins), a string field
 * takes only a string, a bool only a bool, a number field any number, a list
 * only a list, and a null leaves the field at its default. mapstructure
 * reported type errors with Go type names; here they name the action and the
 * dotted param path. Unknown keys are ignored, as mapstructure did, unless
 * `strict`: the CLI warns about them (or fails under --strict) when the
 * manifest loads, with `unknownParams`, so a misspelt `buildmode:` is seen
 * before anything runs.
 */

/** Who is decoding: used in every message. */
export interface DecodeContext {
  /** action name, e.g. `build` */
  action: string;
  /** where the job was declared, when known */
  location?: SourceLocation;
  /** an unknown key is an error instead of being ignored */
  strict?: boolean;
}

/** A param is missing, unknown, of the wrong type or out of range. */
export class ParamError extends GilbertError {
  constructor(
    readonly action: string,
    /** dotted path of the offending param, e.g. `target.os` */
    readonly param: string,
    detail: string,
    location?: SourceLocation,
    /** `detail` is Gilbert's own message for this case: shown as is, without the action's name */
    gilbertWording = false,
  ) {
    super(gilbertWording ? detail : `${action}: ${detail}`, { exitCode: 1, location });
  }
}

/** What a value is called in messages, in YAML terms. */
export function describeType(value: ParamValue | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof IntegralFloat) return 'number';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'map';
  }
}

function isMap(value: ParamValue): value is { [key: string]: ParamValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof IntegralFloat);
}

function asNumber(value: ParamValue): number | undefined {
  if (value instanceof IntegralFloat) return value.value;
  return typeof value === 'number' ? value : undefined;
}

type Decoder<T> = (value: ParamValue, path: string, ctx: DecodeContext) => T;

/**
 * One param's decoder. `T` includes `undefined` while the param is optional
 * without a default; `.default(v)` and `.required()` remove it.
 */
export class Param<T> {
  constructor(
    /** e.g. `a string`, for messages */
    readonly expected: string,
    private readonly decodeValue: Decoder<Exclude<T, undefined>>,
    private readonly fallback?: (path: string, ctx: DecodeContext) => T,
    private readonly requiredMessage?: string | true,
    /** the fields of a nested map param (`p.object`) */
    readonly shape?: Shape,
  ) {}

  /** Value used when the param is absent or null (copied for lists and maps). */
  default(value: Exclude<T, undefined>): Param<Exclude<T, undefined>> {
    const copy = () => structuredClone(value);
    return new Param<Exclude<T, undefined>>(this.expected, this.decodeValue as Decoder<never>, copy, this.requiredMessage, this.shape);
  }

  /** Absent or null is an error; `message` replaces the standard one (Gilbert had its own for some params). */
  required(message?: string): Param<Exclude<T, undefined>> {
    return new Param<Exclude<T, undefined>>(this.expected, this.decodeValue as Decoder<never>, undefined, message ?? true, this.shape);
  }

  /** Decodes a value (`undefined` = absent). */
  decode(value: ParamValue | undefined, path: string, ctx: DecodeContext): T {
    if (value === undefined || value === null) {
      if (this.requiredMessage !== undefined) {
        const gilbertWording = this.requiredMessage !== true;
        const detail = gilbertWording ? this.requiredMessage : `param '${path}' is required`;
        throw new ParamError(ctx.action, path, detail, ctx.location, gilbertWording);
      }
      return this.fallback ? this.fallback(path, ctx) : (undefined as T);
    }
    return this.decodeValue(value, path, ctx);
  }
}

function typeError(ctx: DecodeContext, path: string, expected: string, value: ParamValue): ParamError {
  return new ParamError(ctx.action, path, `param '${path}' must be ${expected}, got ${describeType(value)}`, ctx.location);
}

function simple<T>(expected: string, accept: (value: ParamValue) => T | undefined): Param<T | undefined> {
  return new Param<T | undefined>(expected, ((value, path, ctx) => {
    const result = accept(value);
    if (result === undefined) throw typeError(ctx, path, expected, value);
    return result;
  }) as Decoder<Exclude<T, undefined>>);
}

export interface NumberOptions {
  min?: number;
  max?: number;
  /** reject non-integral values (mapstructure truncated them into int fields; silently losing a fraction is a bug magnet) */
  integer?: boolean;
}

function numberParam(options: NumberOptions, expected: string): Param<number | undefined> {
  return new Param<number | undefined>(expected, (value, path, ctx) => {
    const n = asNumber(value);
    if (n === undefined) throw typeError(ctx, path, expected, value);
    if (options.integer && !Number.isInteger(n)) {
      throw new ParamError(ctx.action, path, `param '${path}' must be an integer, got ${n}`, ctx.location);
    }
    const { min, max } = options;
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      const range =
        min !== undefined && max !== undefined
          ? `between ${min} and ${max}`
          : min !== undefined
            ? `at least ${min}`
            : `at most ${max}`;
      throw new ParamError(ctx.action, path, `param '${path}' must be ${range}, got ${n}`, ctx.location);
    }
    return n;
  });
}

export type Shape = Record<string, Param<unknown>>;
/** The decoded type of an object shape. */
export type Decoded<S extends Shape> = { [K in keyof S]: S[K] extends Param<infer T> ? T : never };

function decodeObject<S extends Shape>(shape: S, value: ParamValue, path: string, ctx: DecodeContext): Decoded<S> {
  if (!isMap(value)) throw typeError(ctx, path || 'params', 'a map', value);
  const fieldNames = Object.keys(shape);
  const chosen = new Map<string, string>(); // field name -> key used
  for (const key of Object.keys(value)) {
    const field = fieldNames.find((name) => name === key) ?? fieldNames.find((name) => name.toLowerCase() === key.toLowerCase());
    const keyPath = path ? `${path}.${key}` : key;
    if (field === undefined) {
      if (!ctx.strict) continue;
      const known = fieldNames.length > 0 ? ` (known params: ${fieldNames.join(', ')})` : '';
      throw new ParamError(ctx.action, keyPath, `unknown param '${keyPath}'${known}`, ctx.location);
    }
    const previous = chosen.get(field);
    if (previous !== undefined) {
      throw new ParamError(ctx.action, keyPath, `params '${previous}' and '${key}' both set '${field}'; keep one`, ctx.location);
    }
    chosen.set(field, key);
  }
  const result: Record<string, unknown> = {};
  for (const field of fieldNames) {
    const key = chosen.get(field);
    const fieldPath = path ? `${path}.${key ?? field}` : (key ?? field);
    result[field] = shape[field]!.decode(key === undefined ? undefined : value[key], fieldPath, ctx);
  }
  return result as Decoded<S>;
}

/** The schema builders. */
export const p = {
  string: () => simple('a string', (v) => (typeof v === 'string' ? v : undefined)),
  bool: () => simple('a bool (true or false)', (v) => (typeof v === 'boolean' ? v : undefined)),
  number: (options: NumberOptions = {}) => numberParam(options, 'a number'),
  int: (options: Omit<NumberOptions, 'integer'> = {}) => numberParam({ ...options, integer: true }, 'an integer'),
  /** sdk.Period: whole milliseconds, not negative */
  period: () => numberParam({ min: 0, integer: true }, 'a number of milliseconds'),
  /** one of the given strings */
  enum: <const V extends string>(values: readonly V[]) => {
    const expected = `one of ${values.map((v) => `'${v}'`).join(', ')}`;
    return new Param<V | undefined>(expected, (value, path, ctx) => {
      if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as V;
      const got = typeof value === 'string' ? `'${value}'` : describeType(value);
      throw new ParamError(ctx.action, path, `param '${path}' must be ${expected}, got ${got}`, ctx.location);
    });
  },
  /** `allowSingle`: a lone string is taken as a one-item list */
  stringList: (options: { allowSingle?: boolean } = {}) =>
    new Param<string[] | undefined>('a list of strings', (value, path, ctx) => {
      if (options.allowSingle && typeof value === 'string') return [value];
      if (!Array.isArray(value)) throw typeError(ctx, path, 'a list of strings', value);
      return value.map((item, i) => {
        if (typeof item !== 'string') throw typeError(ctx, `${path}[${i}]`, 'a string', item);
        return item;
      });
    }),
  stringMap: () =>
    new Param<Record<string, string> | undefined>('a map of strings', (value, path, ctx) => {
      if (!isMap(value)) throw typeError(ctx, path, 'a map of strings', value);
      const out: Record<string, string> = {};
      for (const [key, item] of Object.entries(value)) {
        if (typeof item !== 'string') throw typeError(ctx, `${path}.${key}`, 'a string', item);
        out[key] = item;
      }
      return out;
    }),
  /** a nested map with its own fields; absent → every field's default */
  object: <S extends Shape>(shape: S) =>
    new Param<Decoded<S>>(
      'a map',
      (value, path, ctx) => decodeObject(shape, value, path, ctx) as Exclude<Decoded<S>, undefined>,
      (path, ctx) => decodeObject(shape, {}, path, ctx),
      undefined,
      shape,
    ),
  /** any value, undecoded (for params handed on as they are, such as a job) */
  any: () => new Param<ParamValue | undefined>('any value', (value) => value),
};

/**
 * Decodes an action's raw params against a schema.
 *
 * @example
 *   const options = decodeParams({ source: p.string().default(''), tags: p.stringList().default([]) }, params, { action: 'build' });
 */
export function decodeParams<S extends Shape>(shape: S, params: ActionParams | undefined | null, ctx: DecodeContext): Decoded<S> {
  return decodeObject(shape, params ?? {}, '', ctx);
}

/** A key of an action's params that its schema does not know. */
export interface UnknownParam {
  /** dotted path, e.g. `target.oss` */
  path: string;
  /** the fields known at that level */
  known: string[];
}

/** The keys of `params` (nested maps included) that `shape` does not know, matched as decodeParams matches them. */
export function unknownParams(shape: Shape, params: ParamValue | undefined, path = ''): UnknownParam[] {
  if (params === undefined || !isMap(params)) return [];
  const known = Object.keys(shape);
  const found: UnknownParam[] = [];
  for (const key of Object.keys(params)) {
    const keyPath = path ? `${path}.${key}` : key;
    const field = known.find((name) => name === key) ?? known.find((name) => name.toLowerCase() === key.toLowerCase());
    if (field === undefined) found.push({ path: keyPath, known });
    else if (shape[field]!.shape) found.push(...unknownParams(shape[field]!.shape!, params[key], keyPath));
  }
  return found;
}
