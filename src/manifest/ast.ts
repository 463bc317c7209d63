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
