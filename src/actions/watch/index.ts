import { stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'chokidar';
import { JobError } from '../../errors.js';
import type { ActionHandler, ActionParams, JobContext, JobRunner, Scope } from '../../sdk/index.js';
import { decodeWatchParams, type WatchOptions } from './params.js';

/**
 * Watches files and re-runs a job after each burst of changes (Gilbert's
 * `watch`). chokidar does the watching: recursive watching that works the
 * same on Linux (where fs.watch is not recursive on Node 20), macOS and
 * Windows, with atomic-save and rename handling we would otherwise write.
 */
class WatchAction implements ActionHandler {
  private timer?: NodeJS.Timeout;
  private current?: { ctx: JobContext; done: Promise<void> };
  private stop!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.stop = resolve));
  /** settles when `call` has closed the watcher and the last run has ended */
  private cleanedUp?: Promise<void>;

  constructor(private readonly options: WatchOptions) {}

  call(ctx: JobContext, runner: JobRunner): Promise<void> {
    const running = this.watch(ctx, runner);
    this.cleanedUp = running.then(
      () => undefined,
      () => undefined,
    );
    return running;
  }

  private async watch(ctx: JobContext, runner: JobRunner): Promise<void> {
    const { root, recursive, displayPath } = this.options;
    try {
      await stat(root);
    } catch (error) {
      throw new JobError(`failed to initialize watcher for '${displayPath}': ${(error as Error).message}`, { cause: error });
    }
    const watcher = watch(root, {
      ignoreInitial: true,
      depth: recursive ? undefined : 0,
      ignored: (file: string) => this.options.isIgnored(file),
    });
    ctx.signal.addEventListener('abort', () => this.stop(), { once: true });
    try {
      await this.ready(watcher, ctx);
      ctx.log.info(`watcher is watching for changes in '${displayPath}'`);
      watcher.on('all', (event, file) => {
        ctx.log.debug(`event: ${event} ${file}`);
        this.schedule(ctx, runner);
      });
      // Gilbert's debounce timer starts armed: the job runs once at start
      this.schedule(ctx, runner);
      await this.stopped;
    } finally {
      clearTimeout(this.timer);
      await watcher.close();
      this.current?.ctx.cancel();
      await this.current?.done;
      ctx.log.debug('watcher removed');
    }
  }

  private ready(watcher: FSWatcher, ctx: JobContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      watcher.once('ready', () => resolve());
      watcher.once('error', (error) => reject(new JobError(`failed to initialize watcher for '${this.options.displayPath}': ${String(error)}`)));
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    }).then(() => {
      watcher.on('error', (error) => ctx.log.error(`watcher error: ${String(error)}`));
    });
  }

  private schedule(ctx: JobContext, runner: JobRunner): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.restart(ctx, runner), this.options.debounceMs);
  }

  /** Cancels the run in progress, waits for it to end, then starts the job again. */
  private restart(ctx: JobContext, runner: JobRunner): void {
    if (!ctx.isAlive()) return;
    const previous = this.current;
    previous?.ctx.cancel();
    const child = ctx.child();
    const { job } = this.options;
    const description = job.description || job.action || job.task || job.mixin || '';
    const done = (async () => {
      if (previous) {
        ctx.log.debug('wait until previous process stops');
        await previous.done;
      }
      if (!child.isAlive()) return;
      ctx.log.info(`- Starting '${description}'`);
      try {
        await runner.runJob(job, child);
        if (child.signal.aborted) ctx.log.info(`- '${description}' cancelled`);
        else ctx.log.success(`- '${description}' finished`);
      } catch (error) {
        if (child.signal.aborted) ctx.log.info(`- '${description}' cancelled`);
        else ctx.log.error(`- '${description}' failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    })();
    this.current = { ctx: child, done };
  }

  /** Stops watching; settles once the run in progress has been cancelled and has ended, so no process outlives the job. */
  async cancel(): Promise<void> {
    this.stop();
    await this.cleanedUp;
  }
}

export async function createHandler(scope: Scope, params: ActionParams): Promise<ActionHandler> {
  return new WatchAction(await decodeWatchParams(scope, params));
}
