import type { ActionRegistry } from '../actions/registry.js';
import { bySignal, CancelledError, GilbertError, JobError, NotStoppedError, stopGraceMs } from '../errors.js';
import { own, type Manifest } from '../manifest/ast.js';
import type { ActionHandler, HandlerFactory, Job, JobContext, JobRunner, Logger, Scope, SourceLocation, Vars } from '../sdk/index.js';
import { createScope, runShellCaptured } from '../scope/index.js';
import { didYouMean } from '../suggest.js';
import { DeadlineExceededError, RunContext } from './context.js';
import { describeJob, messageOf, withVars } from './jobs.js';
import { setLongTimeout } from './long-timer.js';
import { StallGuard } from './stall-guard.js';

export interface TaskRunnerOptions {
  manifest: Manifest;
  registry: ActionRegistry;
  /** the root logger: `Running task…` at depth 0, steps at depth 1, job output at depth 2 */
  log: Logger;
  /** the OS environment jobs see (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** nested task/mixin calls allowed before a run is called endless */
  maxDepth?: number;
}

export interface RunOptions {
  /** `--var` values: local to every job, winning over job and manifest vars */
  vars?: Vars;
  /** aborted by SIGINT/SIGTERM; its reason is what the run rejects with */
  signal?: AbortSignal;
}

/** A task or mixin calling itself without end. Passed up as is, not re-wrapped at each level. */
export class RecursionError extends JobError {}

/**
 * Runs tasks with Gilbert v1.1.0's semantics, and is the `JobRunner` that
 * actions and plugins call back into.
 */
export class TaskRunner implements JobRunner {
  private readonly manifest: Manifest;
  private readonly registry: ActionRegistry;
  private readonly log: Logger;
  private readonly stepLog: Logger;
  private readonly env: NodeJS.ProcessEnv;
  private readonly maxDepth: number;
  private readonly stalls = new StallGuard();

  constructor(options: TaskRunnerOptions) {
    this.manifest = options.manifest;
    this.registry = options.registry;
    this.log = options.log;
    this.stepLog = options.log.subLogger();
    this.env = options.env ?? process.env;
    this.maxDepth = options.maxDepth ?? 64;
  }

  /** Runs a task of the manifest by name: what `gilbert run <task>` does. */
  async run(taskName: string, options: RunOptions = {}): Promise<void> {
    const task = own(this.manifest.tasks, taskName);
    if (!task) throw this.unknownTask(taskName);
    this.log.log(`Running task '${taskName}'...`);
    const root = RunContext.root({ log: this.stepLog, vars: options.vars, signal: options.signal });
    const group = root.group(`task '${taskName}'`);
    const watch = this.stalls.hold();
    try {
      await this.runSteps(task.jobs, group, (error, step) =>
        error instanceof RecursionError ? error : rewrap(error, `task '${taskName}' returned an error on step ${step}: ${messageOf(error)}`),
      );
    } catch (error) {
      if (options.signal?.aborted) throw cancellation(options.signal.reason);
      throw error;
    } finally {
      watch.release();
      root.finish();
    }
    if (options.signal?.aborted) throw cancellation(options.signal.reason);
  }

  actionByName(name: string): HandlerFactory {
    const factory = this.registry.get(name);
    if (!factory) {
      throw new JobError(`no such action handler: '${name}'`, {
        hint: `${didYouMean(name, this.registry.names(), ' ')}defined actions: ${this.registry.names().join(', ')}; plugin actions are named '<plugin>:<action>'`,
      });
    }
    return factory;
  }

  runJob(job: Job, ctx: JobContext): Promise<void> {
    return this.handleJob(job, asRunContext(ctx));
  }

  async runTask(name: string, ctx: JobContext, scope: Scope): Promise<void> {
    const task = own(this.manifest.tasks, name);
    if (!task) throw this.unknownTask(name);
    const context = asRunContext(ctx);
    context.log.debug(`runner: start sub-task '${name}'`);
    await this.runSubTask(withVars(task.jobs, scope.vars()), context, `task '${name}'`);
  }

  /**
   * Runs jobs in order; async ones start and the next job runs at once.
   * The first failure cancels the jobs still running (their handlers'
   * cancel is called), then waits for the async ones before reporting.
   */
  private async runSteps(jobs: readonly Job[], group: RunContext, wrap: (error: unknown, step: number) => GilbertError): Promise<void> {
    const running: Promise<void>[] = [];
    let failure: GilbertError | undefined;
    let asyncFailure: unknown;
    for (const [index, job] of jobs.entries()) {
      if (group.signal.aborted) break;
      const ctx = group.child();
      await this.announce(job, index, jobs.length, group, ctx);
      if (job.async) {
        running.push(
          this.handleJob(job, ctx).catch((error: unknown) => {
            const first = !failure && asyncFailure === undefined;
            // A job cancelled because another failed usually ends with an error of its own
            // ("cancelled"): that is expected and not shown. But a failing cancel (a panic in
            // a Go Cancel) is a fault of its own: shown, though not the task's error.
            if (first || stopFaults.has(error as object)) group.log.error(`ERROR: async job returned error: ${messageOf(error)}`);
            if (!first) return;
            asyncFailure = error;
            group.cancel(error);
          }),
        );
        continue;
      }
      try {
        await this.handleJob(job, ctx);
      } catch (error) {
        failure = wrap(error, index + 1);
        group.cancel(failure);
        break;
      }
    }
    if (running.length > 0) {
      group.log.log(`Waiting for ${running.length} async job(s) to complete`);
      await Promise.all(running);
    }
    group.finish();
    if (failure) throw failure;
    if (asyncFailure !== undefined) {
      throw asyncFailure instanceof RecursionError ? asyncFailure : rewrap(asyncFailure, `async job returned error - ${messageOf(asyncFailure)}`);
    }
  }

  private async runSubTask(jobs: readonly Job[], parent: RunContext, entered: string): Promise<void> {
    if (parent.chain.length >= this.maxDepth) throw this.endlessRecursion([...parent.chain, entered]);
    await this.runSteps(jobs, parent.group(entered), (error, step) =>
      error instanceof RecursionError ? error : rewrap(error, `${messageOf(error)} (sub-task step ${step})`),
    );
  }

  /** `- [i/N] <description>` (or `- <description>` for a one-job task), expressions expanded. */
  private async announce(job: Job, index: number, steps: number, group: RunContext, ctx: RunContext): Promise<void> {
    let description = describeJob(job);
    try {
      description = await this.jobScope(job, ctx).expand(description);
    } catch (error) {
      group.log.error(`description parse error: ${messageOf(error)}`);
    }
    group.log.info(steps > 1 ? `- [${index + 1}/${steps}] ${description}` : `- ${description}`);
  }

  private async handleJob(job: Job, ctx: RunContext): Promise<void> {
    try {
      const scope = this.jobScope(job, ctx);
      if (!(await this.shouldRun(job, scope, ctx))) {
        ctx.log.info('step was skipped');
        return;
      }
      if (job.delay && job.delay > 0) {
        ctx.log.debug(`runner: job delay defined, waiting ${job.delay}ms...`);
        if (!(await sleep(job.delay, ctx.signal))) return;
      }
      if (job.deadline && job.deadline > 0) ctx.timeout(job.deadline);
      if (job.action) return await this.runAction(job, job.action, scope, ctx);
      if (job.mixin) return await this.runMixin(job, job.mixin, scope, ctx);
      if (job.task) return await this.runTaskJob(job, job.task, scope, ctx);
      throw new JobError(`no task handler defined, please define task handler in 'action', 'task' or 'mixin' parameter`, {
        location: job.location,
      });
    } finally {
      ctx.log.debug('job: result received'); // Gilbert's JobContext.Result said so
      ctx.finish();
    }
  }

  /** A job's scope: job vars, then the context's vars (--var, the caller's vars) as locals; manifest vars as globals. */
  private jobScope(job: Job, ctx: RunContext): Scope {
    return createScope({ projectDirectory: this.manifest.projectDirectory, locals: job.vars, env: this.env, signal: ctx.signal })
      .appendGlobals(this.manifest.vars)
      .appendVariables(ctx.vars);
  }

  /** Gilbert skips the job when `if` cannot be expanded, cannot start, or exits non-zero. */
  private async shouldRun(job: Job, scope: Scope, ctx: RunContext): Promise<boolean> {
    const condition = job.if?.trim() ?? '';
    if (condition === '') return true;
    const log = this.stepLog.subLogger();
    let command: string;
    try {
      command = await scope.expand(condition);
    } catch (error) {
      log.error(messageOf(error));
      log.warn("Failed to parse value inside 'if' expression, job will be skipped");
      return false;
    }
    log.debug(`runner: assert command: '${command}'`);
    try {
      const result = await runShellCaptured(command, { cwd: this.manifest.projectDirectory, env: this.env, signal: ctx.signal });
      return result.exitCode === 0;
    } catch {
      return false;
    }
  }

  private async runAction(job: Job, name: string, scope: Scope, ctx: RunContext): Promise<void> {
    let factory: HandlerFactory;
    try {
      factory = this.actionByName(name);
    } catch (error) {
      throw rewrap(error, messageOf(error), job.location);
    }
    let handler: ActionHandler;
    try {
      handler = await this.stalls.guard(Promise.resolve().then(() => factory(scope, job.params ?? {})), () => neverSettled(`the factory of action '${name}'`));
    } catch (error) {
      throw rewrap(error, `failed to create action handler instance of '${name}': ${messageOf(error)}`, job.location);
    }
    await this.callHandler(handler, name, ctx);
  }

  /**
   * `call`, raced with cancellation: once the context is cancelled the
   * handler's `cancel` runs, and whichever of the two settles first is the
   * job's result, as in Gilbert. A context cancelled already (a 1 ms
   * deadline) still gets its `call`, then its `cancel`, as Gilbert's runner
   * did: the action's log lines are not lost, and a Go action's Cancel runs
   * on the job it cancels.
   */
  private callHandler(handler: ActionHandler, name: string, ctx: RunContext): Promise<void> {
    return this.stalls.guard(this.raceCallAndCancel(handler, name, ctx), () => neverSettled(`action '${name}'`));
  }

  private raceCallAndCancel(handler: ActionHandler, name: string, ctx: RunContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let outcome: { failed: boolean; error?: unknown } | undefined;
      /** set once cancel was requested; settles (never rejects) when cancel has finished */
      let stopping: Promise<void> | undefined;
      const finish = () => {
        ctx.signal.removeEventListener('abort', onAbort);
        if (outcome!.failed) reject(asJobError(outcome!.error));
        else resolve();
      };
      // The first of call and cancel to settle decides the job (Gilbert); once cancel was
      // requested the job still ends only after cancel has, so its processes are gone and a
      // failing cancel is reported before the runner moves on.
      const decide = (failed: boolean, error?: unknown): boolean => {
        if (outcome) return false;
        outcome = { failed, error };
        // A run a signal cancelled ends with the signal's error: a plugin that would not stop is told here or never.
        if (error instanceof NotStoppedError && bySignal(ctx.signal.reason)) ctx.log.error(`ERROR: ${error.message}${error.hint ? `\n${error.hint}` : ''}`);
        if (stopping) void stopping.then(finish);
        else finish();
        return true;
      };
      const onAbort = () => {
        ctx.log.debug(`runner: sent stop signal to '${name}' action handler`);
        stopping = new Promise<void>((stopped) => {
          // A cancel may fail as an outcome (a Go Cancel returning an error). But a crashing
          // or hanging cancel (a panic in a Go Cancel, an exception) is a fault: never dropped.
          const failed = (error: unknown, fault = isFault(error)) => {
            const jobError = asJobError(error);
            if (fault) stopFaults.add(jobError);
            if (!decide(true, jobError) && fault) ctx.log.error(`ERROR: cancel failed: ${messageOf(jobError)}`);
            stopped();
          };
          // Neither call nor cancel may hold the task forever once the job was told to stop.
          // Unref'd: when nothing else runs, the StallGuard reports the job at once instead.
          const stuck = setTimeout(() => failed(notStopped(name, ctx.signal.reason), true), cancelGrace(name, ctx.signal.reason)).unref();
          Promise.resolve()
            .then(() => handler.cancel(ctx))
            .then(() => {
              decide(false);
              stopped();
            }, failed)
            .finally(() => clearTimeout(stuck));
        });
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => handler.call(ctx, this))
        .then(
          () => decide(false),
          (error: unknown) => decide(true, error),
        );
      // after `call` (queued first): cancel what is running
      if (ctx.signal.aborted) onAbort();
    });
  }

  private async runMixin(job: Job, name: string, scope: Scope, ctx: RunContext): Promise<void> {
    const mixin = own(this.manifest.mixins, name);
    if (!mixin) {
      throw new JobError(`mixin '${name}' doesn't exists`, { location: job.location, hint: didYouMean(name, Object.keys(this.manifest.mixins)) || undefined });
    }
    ctx.log.debug(`runner: create sub-task from mixin '${name}'`);
    await this.runSubTask(withVars(mixin.jobs, scope.vars()), ctx, `mixin '${name}'`);
  }

  private async runTaskJob(job: Job, name: string, scope: Scope, ctx: RunContext): Promise<void> {
    if (!own(this.manifest.tasks, name)) {
      throw new JobError(`task '${name}' doesn't exists`, { location: job.location, hint: didYouMean(name, Object.keys(this.manifest.tasks)) || undefined });
    }
    await this.runTask(name, ctx, scope);
  }

  private unknownTask(name: string): JobError {
    const known = Object.keys(this.manifest.tasks).sort();
    return new JobError(`task '${name}' doesn't exists`, {
      hint: didYouMean(name, known, ' ') + (known.length > 0 ? `tasks defined in '${this.manifest.file}': ${known.join(', ')}` : `no tasks are defined in '${this.manifest.file}'`),
    });
  }

  private endlessRecursion(chain: readonly string[]): RecursionError {
    const shown = chain.slice(0, 8).join(' -> ');
    return new RecursionError(`recursion without end: ${shown} -> ... (more than ${this.maxDepth} nested task/mixin calls)`, {
      hint: 'a task or mixin calls itself, directly or through others; add an `if` that ends it or break the cycle',
    });
  }
}

/** Plugins hand back the contexts they were given; anything else is wrapped so it can still be run in. */
function asRunContext(ctx: JobContext): RunContext {
  if (ctx instanceof RunContext) return ctx;
  const root = RunContext.root({ log: ctx.log, vars: ctx.vars, signal: ctx.signal });
  return root;
}

function asJobError(error: unknown): GilbertError {
  if (error instanceof GilbertError) return error;
  return new JobError(messageOf(error), { cause: error });
}

/** A new message around an error, keeping its hint, exit code and (innermost) location. */
function rewrap(error: unknown, message: string, location?: SourceLocation): GilbertError {
  if (error instanceof GilbertError) {
    return new JobError(message, { hint: error.hint, exitCode: error.exitCode, location: error.location ?? location, cause: error });
  }
  return new JobError(message, { location, cause: error });
}

/** Faults of stopping itself (cancel crashed or hung), as opposed to a job that ended because it was cancelled. */
const stopFaults = new WeakSet<object>();

/**
 * A crash rather than an outcome: a Go panic, which the bridge delivers with
 * its Go stack (`goStack`, see bridge/marshal.ts). A TypeScript cancel's
 * rejection is not told apart from the call's own ending (a handler without
 * `cancel` hands back its call's promise), so it counts as an outcome.
 */
function isFault(error: unknown): boolean {
  return typeof (error as { goStack?: unknown } | null)?.goStack === 'string';
}

/**
 * How long a cancelled action may take to stop (its `call` or `cancel`
 * settling) before the job fails anyway: a plugin's 5 s, or 1 s when a
 * signal cancelled the run (stopGraceMs); a built-in's longer, whatever the
 * reason, since the shell action bounds its own stop (SIGTERM, 3 s, SIGKILL,
 * then waiting for the process group).
 */
export const PLUGIN_CANCEL_GRACE_MS = 5_000;
export const BUILTIN_CANCEL_GRACE_MS = 15_000;

/** Plugin actions are `<plugin>:<action>`; built-in names have no colon. */
function pluginOf(action: string): string | undefined {
  const colon = action.indexOf(':');
  return colon > 0 ? action.slice(0, colon) : undefined;
}

function cancelGrace(action: string, reason: unknown): number {
  return pluginOf(action) === undefined ? BUILTIN_CANCEL_GRACE_MS : stopGraceMs(reason, PLUGIN_CANCEL_GRACE_MS);
}

function notStopped(action: string, reason: unknown): JobError {
  const plugin = pluginOf(action);
  const who = plugin === undefined ? `action '${action}'` : `plugin '${plugin}'`;
  const why = reason instanceof DeadlineExceededError ? 'its deadline' : 'being cancelled';
  const what = plugin === undefined ? '' : ` (action '${action}')`;
  return new NotStoppedError(`${who} did not stop within ${cancelGrace(action, reason) / 1000} s of ${why}${what}: neither its call nor its cancel finished`, {
    hint: "a plugin action must end when its context's signal aborts, or implement cancel",
  });
}

/** What a job fails with when its action can no longer finish (see StallGuard). */
function neverSettled(what: string): JobError {
  return new JobError(`${what} never finished: its promise is still pending, but nothing is left running that could settle it`, {
    hint: 'a plugin action must resolve or reject: look for a promise whose resolve is never called, or an await on an event that cannot happen',
  });
}

function cancellation(reason: unknown): GilbertError {
  return reason instanceof GilbertError ? reason : new CancelledError();
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setLongTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      timer.clear();
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
