/**
 * Turns one parsed manifest file into typed pieces, checking every field the
 * way a Gilbert user needs: each problem names the file, the line, the value
 * and what to write instead. Imports are merged later (load.ts).
 */
import type { Job, ParamValue, SourceLocation, Vars } from '../sdk/index.js';
import { nameTable, type ManifestWarning, type Mixin, type PluginRef, type Task } from './ast.js';
import { HANDLER_FIELDS, JOB_FIELDS, JOB_KEYS, TASK_OBJECT_KEYS, TOP_LEVEL_KEYS, type FieldKind } from './fields.js';
import { YamlScalar, type ParsedYaml } from './yaml.js';
import { suggest } from '../suggest.js';

/** One manifest file before its imports are merged. */
export interface ManifestFile {
  file: string;
  version?: string;
  imports: { path: string; location: SourceLocation }[];
  vars: Vars;
  plugins: PluginRef[];
  mixins: Record<string, Mixin>;
  tasks: Record<string, Task>;
  /** what Gilbert accepted and gilbert-ts tolerates (see ValidateOptions.strict) */
  warnings: ManifestWarning[];
}

export interface ValidateOptions {
  /**
   * Gilbert v1.1.0 loaded manifests with unknown fields, empty tasks, jobs
   * naming several handlers and the legacy `plugin:` key (yaml.v2 ignored
   * what it did not know). By default they load, each problem a warning;
   * `strict` makes them errors.
   */
  strict?: boolean;
}

/** Gilbert's job key before v1.0 (gilbert-plugin-example@44d7b5e still uses it); v1.1.0 ignores it */
const LEGACY_ACTION_KEY = 'plugin';

/** A validation problem at a line of the templated text; load.ts turns it into a ManifestError. */
export class InvalidManifest extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

type JobKey = keyof typeof JOB_FIELDS;
const jobFields = Object.entries(JOB_FIELDS) as [JobKey, { kind: FieldKind }][];

type YamlMap = Record<string, unknown>;

/**
 * `text` is the YAML after the template pass; `sourceLine` maps its lines back
 * to the file's (locations point into the file; InvalidManifest lines do not).
 */
export function validateManifest(
  parsed: ParsedYaml,
  file: string,
  text: string,
  sourceLine: (line: number) => number = (line) => line,
  options: ValidateOptions = {},
): ManifestFile {
  const sourceLines = text.split('\n');
  const lineOf = (node: unknown, fallback: number): number =>
    node !== null && typeof node === 'object' ? (parsed.lines.get(node) ?? fallback) : fallback;
  const location = (line: number): SourceLocation => ({ file, line: sourceLine(line) });
  const warnings: ManifestWarning[] = [];
  /** A problem Gilbert let through: an error when strict, else a warning and the manifest loads. */
  const tolerate = (message: string, line: number, hint?: string): void => {
    if (options.strict) throw new InvalidManifest(message, line, hint);
    warnings.push({ message, location: location(line), hint });
  };

  /**
   * Line of `key:` inside a mapping. Values that are collections or typed
   * scalars know their line (a block collection opens on its key's line);
   * for strings and nulls the key is looked for in the text.
   */
  const keyLine = (map: YamlMap, key: string): number => {
    const start = lineOf(map, 1);
    const value = map[key];
    if (value !== null && typeof value === 'object') return lineOf(value, start);
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(^|[\\s{,?-])(['"]?)${escaped}\\2\\s*:(\\s|$)`);
    for (let i = start - 1; i < sourceLines.length; i++) {
      if (pattern.test(sourceLines[i]!)) return i + 1;
    }
    return start;
  };

  /**
   * Line of a list item: collections know it; for a scalar item of a block
   * list, the index-th `- ` line at the list's indentation after its key.
   */
  const itemLine = (list: unknown[], index: number, fallback: number): number => {
    const item = list[index];
    const listLine = lineOf(list, fallback);
    if (item !== null && typeof item === 'object') return lineOf(item, listLine);
    if ((sourceLines[listLine - 1] ?? '').replace(/#.*$/, '').includes('[')) return listLine; // a flow list
    let indent: number | undefined;
    let seen = 0;
    for (let i = listLine; i < sourceLines.length; i++) {
      const dash = /^(\s*)-(\s|$)/.exec(sourceLines[i]!);
      if (!dash) continue;
      indent ??= dash[1]!.length;
      if (dash[1]!.length < indent) break;
      if (dash[1]!.length === indent && seen++ === index) return i + 1;
    }
    return listLine;
  };

  const root = parsed.root;
  const result: ManifestFile = { file, imports: [], vars: nameTable(), plugins: [], mixins: nameTable(), tasks: nameTable(), warnings };
  if (root === null || root === undefined) return result;
  if (!isMap(root)) {
    throw new InvalidManifest(`the manifest must be a map of ${TOP_LEVEL_KEYS.join(', ')}; found ${describe(root)}`, lineOf(root, 1), 'start with e.g. version: "1.0" and a tasks: map');
  }

  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      tolerate(`unknown top-level key '${key}'${suggest(key, TOP_LEVEL_KEYS)}`, keyLine(root, key), `valid keys: ${TOP_LEVEL_KEYS.join(', ')}`);
    }
  }
  const field = (key: string): { value: unknown; line: number } => ({ value: root[key], line: keyLine(root, key) });

  const version = field('version');
  if (version.value !== null && version.value !== undefined) result.version = stringField(version.value, `'version'`, version.line);

  const imports = field('imports');
  for (const [item, line] of list(imports.value, `'imports'`, imports.line, 'a list of manifest paths')) {
    const path = stringField(item, `an import`, line);
    if (path === '') throw new InvalidManifest('an import path is empty', line, 'write the path of a manifest, relative to this file');
    result.imports.push({ path, location: location(line) });
  }

  const vars = field('vars');
  result.vars = stringMap(vars.value, `'vars'`, vars.line);

  const plugins = field('plugins');
  for (const [item, line] of list(plugins.value, `'plugins'`, plugins.line, 'a list of plugin URLs')) {
    const url = stringField(item, 'a plugin URL', line);
    if (url === '') throw new InvalidManifest('a plugin URL is empty', line, 'write a URL such as file://./plugin.so or go://./path/to/plugin');
    result.plugins.push({ url, declaredIn: file, location: location(line) });
  }

  const mixins = field('mixins');
  for (const [name, value] of entries(mixins.value, `'mixins'`, mixins.line, 'a map of mixin name to a list of jobs')) {
    const line = keyLine(mixins.value as YamlMap, name);
    result.mixins[name] = { name, jobs: jobList(value, `mixin '${name}'`, line), location: location(line) };
  }

  const tasks = field('tasks');
  for (const [name, value] of entries(tasks.value, `'tasks'`, tasks.line, 'a map of task name to a list of jobs')) {
    result.tasks[name] = task(name, value, keyLine(tasks.value as YamlMap, name));
  }
  return result;

  function task(name: string, value: unknown, line: number): Task {
    if (!isMap(value)) return { name, jobs: jobList(value, `task '${name}'`, line), location: location(line) };
    // gilbert-ts extension: { description, jobs } so `gilbert ls` can describe tasks
    for (const key of Object.keys(value)) {
      if (!TASK_OBJECT_KEYS.includes(key)) {
        tolerate(
          `unknown field '${key}' in task '${name}'${suggest(key, TASK_OBJECT_KEYS)}`,
          keyLine(value, key),
          `a task is a list of jobs, or a map with 'description' and 'jobs'`,
        );
      }
    }
    const description = value.description === null || value.description === undefined ? undefined : stringField(value.description, `'description' of task '${name}'`, keyLine(value, 'description'));
    const jobs = jobList(value.jobs, `task '${name}'`, value.jobs === undefined ? line : keyLine(value, 'jobs'));
    return { name, description, jobs, location: location(line) };
  }

  function jobList(value: unknown, owner: string, line: number): Job[] {
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) {
      // Gilbert ran an empty task as a success
      tolerate(`${owner} has no jobs`, line, 'list at least one job, e.g. "- action: shell" with params.command');
      return [];
    }
    if (!Array.isArray(value)) {
      throw new InvalidManifest(`${owner} must be a list of jobs; found ${describe(value)}`, lineOf(value, line), 'write each job as a "- " list item');
    }
    return value.map((item, i) => job(item, `job ${i + 1} of ${owner}`, itemLine(value, i, line)));
  }

  function job(value: unknown, name: string, line: number): Job {
    if (!isMap(value)) throw new InvalidManifest(`${name} must be a map of job fields; found ${describe(value)}`, line, `valid fields: ${JOB_KEYS.join(', ')}`);
    for (const key of Object.keys(value)) {
      if (key === LEGACY_ACTION_KEY) {
        tolerate(
          `'plugin' in ${name} is the old name of 'action', which Gilbert v1.1.0 ignores: this job has no action and fails when it runs`,
          keyLine(value, key),
          `write 'action:' instead of 'plugin:'`,
        );
      } else if (!JOB_KEYS.includes(key)) {
        tolerate(`unknown field '${key}' in ${name}${suggest(key, JOB_KEYS)}`, keyLine(value, key), `valid fields: ${JOB_KEYS.join(', ')}`);
      }
    }
    const result: Job = { location: location(line) };
    const set = result as Record<JobKey, unknown>;
    // Text fields first: which handler the job names decides the next error.
    for (const [key, { kind }] of jobFields) {
      const raw = value[key];
      if (kind !== 'text' || raw === null || raw === undefined) continue;
      const text = stringField(raw, `'${key}' of ${name}`, keyLine(value, key));
      if (text !== '') set[key] = text;
    }
    const handlers = HANDLER_FIELDS.filter((key) => result[key] !== undefined);
    // Gilbert failed such a job only when it ran (the legacy key already has its warning)
    if (handlers.length === 0 && !(LEGACY_ACTION_KEY in value)) {
      tolerate(`no task handler defined for ${name}: it fails when it runs`, line, `set one of 'action', 'task' or 'mixin'`);
    }
    if (handlers.length > 1) {
      // Gilbert ran the first of action, mixin, task
      tolerate(
        `${name} sets ${handlers.map((key) => `'${key}'`).join(', ')}: only '${result.action ? 'action' : 'mixin'}' runs`,
        line,
        'split it into separate jobs',
      );
    }
    for (const [key, { kind }] of jobFields) {
      const raw = value[key];
      if (kind === 'text' || raw === null || raw === undefined) continue;
      const what = `'${key}' of ${name}`;
      const at = keyLine(value, key);
      if (kind === 'boolean') set[key] = boolean(raw, what, at);
      else if (kind === 'milliseconds') set[key] = milliseconds(raw, what, at);
      else if (kind === 'textMap') set[key] = stringMap(raw, what, at);
      else if (kind === 'params') {
        if (!isMap(raw)) throw new InvalidManifest(`${what} must be a map; found ${describe(raw)}`, at, 'write params as "name: value" lines under params:');
        set[key] = toParam(raw, new Set(), { values: 0, seen: new WeakSet(), aliased: false }, at);
      } else throw new Error(`gilbert-ts bug: job field '${key}' has kind '${kind}', which jobs do not have`);
    }
    return result;
  }

  /** A string-typed field: yaml.v2 stores the scalar's text as written (`yes` stays "yes"). */
  function stringField(value: unknown, what: string, line: number): string {
    if (typeof value === 'string') return value;
    if (value instanceof YamlScalar) return value.text;
    if (value === null || value === undefined) return '';
    throw new InvalidManifest(`${what} must be a string; found ${describe(value)}`, lineOf(value, line), 'quote the value if it is meant as text');
  }

  function boolean(value: unknown, what: string, line: number): boolean {
    if (value instanceof YamlScalar && typeof value.value === 'boolean') return value.value;
    throw new InvalidManifest(`${what} must be a boolean; found ${describe(value)}`, line, 'write true or false (yes/no and on/off also work)');
  }

  function milliseconds(value: unknown, what: string, line: number): number {
    const number = value instanceof YamlScalar ? Number(value.value) : NaN;
    if (!(value instanceof YamlScalar) || typeof value.value === 'boolean' || !Number.isInteger(number) || number < 0) {
      throw new InvalidManifest(`${what} must be a whole number of milliseconds (0 or more); found ${describe(value)}`, line, 'write e.g. 500 for half a second');
    }
    return number;
  }

  function stringMap(value: unknown, what: string, line: number): Vars {
    const vars: Vars = nameTable();
    for (const [name, item] of entries(value, what, line, 'a map of name: value')) {
      // the line is only looked up for an error: finding a string's key in the text costs a scan
      vars[name] = typeof item === 'string' ? item : stringField(item, `variable '${name}' in ${what}`, keyLine(value as YamlMap, name));
    }
    return vars;
  }

  function list(value: unknown, what: string, line: number, expected: string): [unknown, number][] {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) throw new InvalidManifest(`${what} must be ${expected}; found ${describe(value)}`, lineOf(value, line), `write each item as a "- " list item`);
    return value.map((item, i) => [item, itemLine(value, i, line)]);
  }

  function entries(value: unknown, what: string, line: number, expected: string): [string, unknown][] {
    if (value === null || value === undefined) return [];
    if (!isMap(value)) throw new InvalidManifest(`${what} must be ${expected}; found ${describe(value)}`, lineOf(value, line), `write one "name: value" per line under ${what}`);
    return Object.keys(value).map((key) => [key, value[key]]);
  }
}

function isMap(value: unknown): value is YamlMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof YamlScalar);
}

/**
 * Params are copied node by node. YAML aliases share nodes, so a small file
 * can expand to billions of values (an alias bomb); the copy stops at this
 * many values with an error rather than run out of memory.
 */
export const MAX_PARAM_VALUES = 1_000_000;

interface ParamBudget {
  values: number;
  /** collections copied so far: meeting one again means an alias repeats it */
  seen: WeakSet<object>;
  aliased: boolean;
}

function tooManyValues(budget: ParamBudget, line: number): InvalidManifest {
  // Only blame aliases when one was met: a long list written out in full is just long.
  return budget.aliased
    ? new InvalidManifest(
        `params expand to more than ${MAX_PARAM_VALUES} values through YAML aliases`,
        line,
        'an alias (*name) repeats everything under its anchor (&name); aliases of aliases multiply: use fewer of them',
      )
    : new InvalidManifest(`params hold more than ${MAX_PARAM_VALUES} values`, line, 'keep large data in a file and pass its path in params');
}

/** Params reach actions as yaml.v2 decoded them into interface{}: typed scalars, lists and maps. */
function toParam(value: unknown, ancestors: Set<object>, budget: ParamBudget, line: number): ParamValue {
  if (++budget.values > MAX_PARAM_VALUES) throw tooManyValues(budget, line);
  if (value instanceof YamlScalar) return value.value;
  if (value === null || typeof value !== 'object') return value as ParamValue;
  // js-yaml lets an anchored collection contain an alias to itself; Go's decoder rejects that too
  if (ancestors.has(value)) throw new InvalidManifest('params contain a YAML alias to one of their own parents', line, 'an alias must not refer to a node that contains it');
  if (budget.seen.has(value)) budget.aliased = true;
  budget.seen.add(value);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => toParam(item, ancestors, budget, line));
    // fromEntries defines own properties: a param called `__proto__` stays a param instead of setting the prototype
    return Object.fromEntries(Object.keys(value).map((key) => [key, toParam((value as YamlMap)[key], ancestors, budget, line)]));
  } finally {
    ancestors.delete(value);
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof YamlScalar) return `'${value.text}'`;
  if (typeof value === 'object') return 'a map';
  return `'${String(value)}'`;
}
