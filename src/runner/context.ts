import { setMaxListeners } from 'node:events';
import { CancelledError, JobError } from '../errors.js';
import type { JobContext, Logger, Vars } from '../sdk/index.js';
import { setLongTimeout, type LongTimer } from './long-timer.js';

/** The reason a context is aborted when its `deadline` passes. */
export class DeadlineExceededError extends JobError {
  constructor(ms: number) {
    super(`job deadline of ${ms}ms exceeded`);
  }
}

interface ContextParts {
  log: Logger;
  vars: Vars;
  controller: AbortController;
  isChild: boolean;
  /** tasks and mixins entered on the way to this context, outermost first */
  chain: readonly string[];
  /** stops listening to the parent's signal */
  detach?: () => void;
}

/**
 * A job's context (Gilbert's job.RunContext, sdk.JobContextAccessor) on
 * AbortSignal: cancelling a context aborts its signal and, through the
 * listeners `child()` installs, every context derived from it.
 */
export class RunContext implements JobContext {
  readonly log: Logger;
  readonly isChild: boolean;
  vars: Vars;
  readonly chain: readonly string[];
  private readonly controller: AbortController;
  private readonly detach?: () => void;
  private deadline?: LongTimer;
  private finished = false;

  private constructor(parts: ContextParts) {
    this.log = parts.log;
    this.vars = parts.vars;
    this.controller = parts.controller;
    this.isChild = parts.isChild;
    this.chain = parts.chain;
    this.detach = parts.detach;
  }

  /** The context a task run starts from; `signal` is the CLI's (SIGINT/SIGTERM). */
  static root(options: { log: Logger; vars?: Vars; signal?: AbortSignal }): RunContext {
    const { controller, detach } = linkedController(options.signal);
    return new RunContext({ log: options.log, vars: { ...options.vars }, controller, isChild: false, chain: [], detach });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  isAlive(): boolean {
    return !this.finished && !this.signal.aborted;
  }

  cancel(reason: unknown = new CancelledError()): void {
    if (!this.signal.aborted) this.controller.abort(reason);
  }

  timeout(ms: number): void {
    this.deadline?.clear();
    this.deadline = setLongTimeout(() => {
      if (!this.isAlive()) return;
      this.log.warn('Job deadline exceeded');
      this.cancel(new DeadlineExceededError(ms));
    }, ms);
  }

  fork(): RunContext {
    return new RunContext({ log: this.log.subLogger(), vars: this.vars, controller: this.controller, isChild: true, chain: this.chain });
  }

  child(): RunContext {
    return this.derive(this.log.subLogger(), this.chain);
  }

  /**
   * A child that keeps this logger and records entering a task or mixin:
   * a (sub-)task's jobs share it, so that one failing job can cancel the
   * others without cancelling the caller.
   */
  group(entered?: string): RunContext {
    return this.derive(this.log, entered === undefined ? this.chain : [...this.chain, entered]);
  }

  /** The job is done: its deadline and its link to the parent go away. */
  finish(): void {
    this.finished = true;
    this.deadline?.clear();
    this.detach?.();
  }

  private derive(log: Logger, chain: readonly string[]): RunContext {
    const { controller, detach } = linkedController(this.signal);
    return new RunContext({ log, vars: this.vars, controller, isChild: true, chain, detach });
  }
}

function linkedController(parent: AbortSignal | undefined): { controller: AbortController; detach: () => void } {
  const controller = new AbortController();
  // Every running job of a task listens to the task's signal: many async jobs are normal, not a leak.
  setMaxListeners(0, controller.signal);
  if (!parent) return { controller, detach: () => {} };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, detach: () => {} };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, detach: () => parent.removeEventListener('abort', onAbort) };
}
