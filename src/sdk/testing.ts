/**
 * gilbert-ts/sdk/testing: the test kit for plugin authors.
 *
 * `runAction` runs one action of a plugin as `gilbert run` would run a job
 * naming it: a real scope (job vars, manifest vars, `{{ }}` and `{% %}`
 * expansion in the project folder), the real runner (so the action can call
 * built-in actions, other plugins' actions and tasks), real deadlines and
 * cancellation. It hands back what the action logged and how it ended, so a
 * test asserts on the same things a user sees.
 *
 *   const run = await runAction(plugin, 'hello', { params: { name: '{{ who }}' }, vars: { who: 'tests' } });
 *   assert.equal(run.error, undefined);
 *   assert.deepEqual(run.lines, ['Hello, tests!']);
 */
import path from 'node:path';
import { createBuiltinRegistry } from '../actions/index.js';
import { recordingLogger, type LogRecord } from '../log/logger.js';
import type { Manifest, Task } from '../manifest/ast.js';
import { checkPlugin } from '../plugins/ts/load.js';
import { RunContext } from '../runner/context.js';
import { TaskRunner } from '../runner/task-runner.js';
import type { ActionParams, GilbertPlugin, Job, Vars } from './index.js';

export type { LogRecord };

export interface RunActionOptions {
  /** the job's `params`, as gilbert.yaml would give them (strings are not expanded for the action) */
  params?: ActionParams;
  /** the job's `vars`: local variables of the action's scope */
  vars?: Vars;
  /** the manifest's `vars`: global variables of the action's scope */
  globals?: Vars;
  /** variables given with `--var`: they win over both */
  runVars?: Vars;
  /** tasks the action may run (`runner.runTask`), each a list of jobs as in gilbert.yaml */
  tasks?: Record<string, Job[]>;
  /** further plugins whose actions this one calls through the runner */
  plugins?: GilbertPlugin[];
  /** where `{% %}` commands and shell actions run (default: the current directory) */
  projectDirectory?: string;
  /** as a job's `deadline`: milliseconds after which the job is cancelled */
  deadline?: number;
  /** aborting it cancels the job, as Ctrl+C would: the handler's `cancel` runs */
  signal?: AbortSignal;
  /** keep debug lines too, the action's and the runner's, as `gilbert run --verbose` shows them */
  verbose?: boolean;
}

export interface ActionRun {
  /** the lines `gilbert run` would show for the job, in order: what the action (and whatever it ran) logged; `depth` 0 is the action's own level */
  log: LogRecord[];
  /** the messages of `log` alone */
  lines: string[];
  /** the error the job failed with; undefined when it succeeded */
  error?: Error;
}

/**
 * Runs `plugin`'s action `action` once and resolves with what it logged and
 * its error, if any. Rejects only when the plugin has no such action or is
 * not a valid plugin: a mistake in the test, not an outcome of the action.
 */
export async function runAction(plugin: GilbertPlugin, action: string, options: RunActionOptions = {}): Promise<ActionRun> {
  const projectDirectory = path.resolve(options.projectDirectory ?? process.cwd());
  const registry = createBuiltinRegistry();
  const checked = [plugin, ...(options.plugins ?? [])].map((each) => checkPlugin(each, `'${String(each?.name)}'`, 'runAction'));
  const tested = checked[0]!;
  if (!Object.hasOwn(tested.actions, action)) {
    throw new TypeError(`plugin '${tested.name}' has no action '${action}'; its actions: ${Object.keys(tested.actions).sort().join(', ') || 'none'}`);
  }
  for (const each of checked) registry.registerPlugin(each.name, each.actions, `plugin '${each.name}'`);

  const tasks: Record<string, Task> = {};
  for (const [name, jobs] of Object.entries(options.tasks ?? {})) tasks[name] = { name, jobs };
  const manifest: Manifest = {
    file: path.join(projectDirectory, 'gilbert.yaml'),
    projectDirectory,
    vars: { ...options.globals },
    plugins: [],
    mixins: {},
    tasks,
  };
  const job: Job = { action: `${tested.name}:${action}`, params: options.params ?? {}, vars: options.vars, deadline: options.deadline };

  const { logger, records } = recordingLogger();
  const runner = new TaskRunner({ manifest, registry, log: logger });
  let error: Error | undefined;
  try {
    await runner.runJob(job, RunContext.root({ log: logger, vars: options.runVars, signal: options.signal }));
  } catch (caught) {
    error = caught instanceof Error ? caught : new Error(String(caught));
  }
  const log = options.verbose ? records : records.filter((record) => record.level !== 'debug');
  return { log, lines: log.map((record) => record.message), error };
}
