export { RunContext, DeadlineExceededError } from './context.js';
export { TaskRunner, RecursionError, type RunOptions, type TaskRunnerOptions } from './task-runner.js';
export { dryRun } from './dry-run.js';
