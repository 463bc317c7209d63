import type { Job, Vars } from '../sdk/index.js';

/** What a step is called: its description, else the action, task or mixin it runs (Gilbert's order). */
export function describeJob(job: Job): string {
  return job.description || job.action || job.task || job.mixin || '';
}

/** The jobs of a task or mixin with the caller's locals added (the caller wins, as in Gilbert's Clone/ToTask). */
export function withVars(jobs: readonly Job[], vars: Vars): Job[] {
  if (Object.keys(vars).length === 0) return [...jobs];
  return jobs.map((job) => ({ ...job, vars: { ...job.vars, ...vars } }));
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
