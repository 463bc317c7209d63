import { JobError } from '../errors.js';
import { own, type Manifest } from '../manifest/ast.js';
import type { Job, Logger, Vars } from '../sdk/index.js';
import { createScope } from '../scope/index.js';
import { describeJob, messageOf, withVars } from './jobs.js';

/**
 * `gilbert run --dry-run`: prints the steps a task would run, with their
 * vars and descriptions expanded, without running anything. `{% %}`
 * commands are shown as written (running them could change things) and
 * `if` conditions are shown, not evaluated.
 */
export async function dryRun(manifest: Manifest, taskName: string, options: { log: Logger; vars?: Vars }): Promise<void> {
  const task = own(manifest.tasks, taskName);
  if (!task) throw new JobError(`task '${taskName}' doesn't exists`);
  options.log.log(`Dry run of task '${taskName}' (nothing is executed):`);
  await printJobs(manifest, task.jobs, options.log.subLogger(), { ...options.vars }, [`task '${taskName}'`]);
}

async function printJobs(manifest: Manifest, jobs: readonly Job[], log: Logger, contextVars: Vars, chain: string[]): Promise<void> {
  for (const [index, job] of jobs.entries()) {
    const scope = createScope({ projectDirectory: manifest.projectDirectory, locals: job.vars, skipCommands: true })
      .appendGlobals(manifest.vars)
      .appendVariables(contextVars);
    const expand = async (text: string) => {
      try {
        return await scope.expand(text);
      } catch (error) {
        return `${text} (${messageOf(error)})`;
      }
    };
    const label = jobs.length > 1 ? `- [${index + 1}/${jobs.length}] ` : '- ';
    log.info(label + (await expand(describeJob(job))));
    const details = log.subLogger();
    const kind = job.action ? `action: ${job.action}` : job.mixin ? `mixin: ${job.mixin}` : job.task ? `task: ${job.task}` : 'no action, mixin or task';
    details.log(kind + (job.async ? ' (async)' : ''));
    if (job.if) details.log(`if: ${await expand(job.if)}`);
    if (job.delay) details.log(`delay: ${job.delay}ms`);
    if (job.deadline) details.log(`deadline: ${job.deadline}ms`);
    const locals = scope.vars();
    for (const name of Object.keys(locals).sort()) details.log(`var ${name} = ${await expand(locals[name])}`);
    // Actions expand their own params; most expand every string, so show them expanded.
    if (job.params && Object.keys(job.params).length > 0) details.log(`params: ${JSON.stringify(await expandStrings(job.params, expand))}`);
    const nested = job.action ? undefined : job.mixin ? own(manifest.mixins, job.mixin) : job.task ? own(manifest.tasks, job.task) : undefined;
    if (!nested) continue;
    const entered = job.mixin ? `mixin '${job.mixin}'` : `task '${job.task}'`;
    if (chain.includes(entered)) {
      details.warn(`${entered} is already being expanded (${[...chain, entered].join(' -> ')}); not expanded again`);
      continue;
    }
    await printJobs(manifest, withVars(nested.jobs, locals), details, contextVars, [...chain, entered]);
  }
}

/** Expands every string inside a param value, for display only. */
async function expandStrings(value: unknown, expand: (text: string) => Promise<string>): Promise<unknown> {
  if (typeof value === 'string') return expand(value);
  if (Array.isArray(value)) return Promise.all(value.map((item) => expandStrings(item, expand)));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await expandStrings(item, expand)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}
