import { JobError } from '../../errors.js';
import { LineWriter } from '../../log/line-writer.js';
import type { ActionHandler, ActionParams, JobContext, Scope } from '../../sdk/index.js';
import { decodeParams, p, type Decoded } from '../params.js';
import { envFromList, GroupProcess, runToCompletion } from '../../system/group-process.js';

/** The params this action knows (also used to check a manifest's jobs before they run). */
export const paramShape = {
  packages: p.stringList().default([]),
  verbose: p.bool().default(false),
  update: p.bool().default(false),
  downloadOnly: p.bool().default(false),
};

type GetPackageOptions = Decoded<typeof paramShape>;

/**
 * `go get` of each package in turn, with Gilbert's flags and messages.
 * Registered as `get-package` (the name Gilbert v1.1.0 registers) and
 * `go-get` (the name in Gilbert's own manifest and older docs).
 */
class GetPackageAction implements ActionHandler {
  private proc?: GroupProcess;
  private stopped = false;

  constructor(
    private readonly scope: Scope,
    private readonly options: GetPackageOptions,
  ) {}

  async call(ctx: JobContext): Promise<void> {
    if (this.options.packages.length === 0) throw new JobError('no packages to install');
    // Gilbert passed package names to `go get` as written, unexpanded
    for (const pkg of this.options.packages) {
      if (this.stopped || !ctx.isAlive()) return;
      await this.getPackage(pkg, ctx);
    }
  }

  private async getPackage(pkg: string, ctx: JobContext): Promise<void> {
    const args = ['get'];
    if (this.options.downloadOnly) args.push('-d');
    if (this.options.update) args.push('-u');
    if (this.options.verbose) args.push('-v');
    args.push(pkg);

    ctx.log.info(`Downloading package '${pkg}'`);
    ctx.log.debug(`go ${args.join(' ')}`);
    // `go get` reports progress ("go: downloading …") on stderr: shown with
    // `verbose`, kept for the error message otherwise, never logged as errors.
    const stderr: Buffer[] = [];
    const progress = new LineWriter(ctx.log, 'log');
    this.proc = new GroupProcess('go', args, {
      cwd: this.scope.environment().projectDirectory,
      env: envFromList(this.scope.environ()),
      log: ctx.log,
      onStdout: this.options.verbose ? (chunk) => progress.write(chunk) : () => {},
      onStderr: (chunk) => (this.options.verbose ? progress.write(chunk) : stderr.push(chunk)),
    });
    try {
      await runToCompletion(this.proc, 'failed to start go');
    } catch (error) {
      if (this.stopped) return;
      const output = Buffer.concat(stderr).toString('utf8').trim();
      const reason = error instanceof Error ? error.message : String(error);
      throw new JobError(`failed to get package '${pkg}', ${reason}${output ? `\n${output}` : ''}`, { cause: error });
    } finally {
      progress.end();
    }
  }

  async cancel(): Promise<void> {
    this.stopped = true;
    await this.proc?.stop();
  }
}

export function createHandler(scope: Scope, params: ActionParams): ActionHandler {
  return new GetPackageAction(scope, decodeParams(paramShape, params, { action: 'get-package' }));
}
