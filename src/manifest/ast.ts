import type { Job, SourceLocation, Vars } from '../sdk/index.js';

/**
 * A loaded manifest: `gilbert.yaml` after the template pass, YAML parsing,
 * validation and the merge of its imports. The runner reads only this.
 */
export interface Manifest {
  /** absolute path of the root manifest file */
  file: string;
  /** directory of the root manifest: the project directory */
  projectDirectory: string;
  version?: string;
  /** manifest `vars` (imports merged; the importing file wins) */
  vars: Vars;
  /** `plugins` URLs, imports concatenated after the importer's own */
  plugins: PluginRef[];
  mixins: Record<string, Mixin>;
  tasks: Record<string, Task>;
  /** problems Gilbert accepted, for the CLI to print once (empty when loaded strictly: they are errors then) */
  warnings?: ManifestWarning[];
}

/** Something Gilbert v1.1.0 loaded without a word that is probably a mistake (an unknown field, an empty task…). */
export interface ManifestWarning {
  message: string;
  location: SourceLocation;
  hint?: string;
}

/** A `plugins:` entry. */
export interface PluginRef {
  url: string;
  /** the manifest that listed it: relative file:// paths resolve against its folder */
  declaredIn: string;
  location?: SourceLocation;
}

export interface Task {
  name: string;
  /** gilbert-ts extension (`{description, jobs}` form); Gilbert tasks are plain job lists */
  description?: string;
  jobs: Job[];
  location?: SourceLocation;
}

export interface Mixin {
  name: string;
  jobs: Job[];
  location?: SourceLocation;
}

/**
 * A name-keyed table with no prototype: a task, mixin or variable called
 * `constructor`, `toString` or `__proto__` is just a name, never an
 * inherited member (and `__proto__` is stored like any other key).
 */
export function nameTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** `map[name]` if it is the map's own entry: safe on tables built elsewhere (tests, plugins) with a prototype. */
export function own<T>(map: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}
