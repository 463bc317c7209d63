/**
 * The fields of gilbert.yaml, as data: the validator (validate.ts) checks
 * each field by its kind, and the JSON Schema (schema.ts, `gilbert schema`)
 * is generated from the same table, so the two cannot drift apart.
 */

/**
 * How a field's value is read:
 * - `text`: a scalar kept as written (`yes` stays "yes", `1.0` stays "1.0")
 * - `boolean`: true/false (YAML 1.1 also yes/no, on/off, y/n)
 * - `milliseconds`: a whole number ≥ 0
 * - `textMap`: a map of name to scalar (vars)
 * - `params`: a map of anything (an action's raw params)
 * - `textList`: a list of non-empty scalars (imports, plugins)
 * - `jobs`: a non-empty list of jobs
 * - `jobMap`: a map of name to a non-empty list of jobs (mixins)
 * - `tasks`: a map of name to a task (a job list, or `{description, jobs}`)
 */
export type FieldKind = 'text' | 'boolean' | 'milliseconds' | 'textMap' | 'params' | 'textList' | 'jobs' | 'jobMap' | 'tasks';

export interface FieldSpec {
  kind: FieldKind;
  description: string;
  /** for `textList`: what an item is, in messages */
  item?: string;
}

export const TOP_LEVEL_FIELDS = {
  version: { kind: 'text', description: 'Manifest format version ("1.0")' },
  imports: { kind: 'textList', item: 'manifest path', description: 'Manifests to merge into this one, relative to this file; this file wins on name clashes' },
  vars: { kind: 'textMap', description: 'Global variables, used as {{ name }} in jobs' },
  plugins: {
    kind: 'textList',
    item: 'plugin URL',
    description: 'Plugins to load: file://./x.so, file://./x.ts, go://./dir, github://github.com/owner/repo?version=v1, https://…/x.so',
  },
  mixins: { kind: 'jobMap', description: 'Named job lists that a job runs with `mixin: <name>` in its own scope' },
  tasks: { kind: 'tasks', description: 'Tasks, run with `gilbert run <task>`' },
} as const satisfies Record<string, FieldSpec>;

export const JOB_FIELDS = {
  description: { kind: 'text', description: 'Shown when the job runs; may use {{ vars }}' },
  action: { kind: 'text', description: 'The action to run: a built-in (build, shell, cover, cover:html, go-get, watch) or <plugin>:<action>' },
  task: { kind: 'text', description: 'A task to run as this job' },
  mixin: { kind: 'text', description: 'A mixin to run as this job' },
  if: { kind: 'text', description: 'A shell command; the job runs only when it exits 0' },
  async: { kind: 'boolean', description: 'Start the job and go on with the next one at once' },
  delay: { kind: 'milliseconds', description: 'Milliseconds to wait before the job starts' },
  deadline: { kind: 'milliseconds', description: 'Milliseconds after which the job is cancelled' },
  vars: { kind: 'textMap', description: 'Variables of this job (win over manifest vars)' },
  params: { kind: 'params', description: "The action's parameters" },
} as const satisfies Record<string, FieldSpec>;

/** A job runs exactly one of these. */
export const HANDLER_FIELDS = ['action', 'task', 'mixin'] as const satisfies readonly (keyof typeof JOB_FIELDS)[];

/** gilbert-ts extension: a task written as a map, so that `gilbert ls` can describe it. */
export const TASK_OBJECT_FIELDS = {
  description: { kind: 'text', description: 'What the task does (shown by gilbert ls)' },
  jobs: { kind: 'jobs', description: "The task's jobs" },
} as const satisfies Record<string, FieldSpec>;

export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(TOP_LEVEL_FIELDS);
export const JOB_KEYS: readonly string[] = Object.keys(JOB_FIELDS);
export const TASK_OBJECT_KEYS: readonly string[] = Object.keys(TASK_OBJECT_FIELDS);
