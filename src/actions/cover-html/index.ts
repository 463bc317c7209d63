import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { JobError } from '../../errors.js';
import type { ActionHandler, ActionParams, JobContext, Scope } from '../../sdk/index.js';
import { ProfileFile } from '../cover/run.js';
import { decodeParams, p, type Decoded } from '../params.js';
import { envFromList, exitFailureMessage, GroupProcess, startFailureMessage } from '../../system/group-process.js';
import { openInBrowser } from './open.js';

/** The params this action knows (also used to check a manifest's jobs before they run). */
export const paramShape = {
  packages: p.stringList().default(['./...']),
  /** gilbert-ts extension: where to write the report (default: a per-project file in the temp dir) */
  outputPath: p.string().default(''),
};

type CoverHtmlOptions = Decoded<typeof paramShape>;

/** One report file per project, overwritten by each run, so reports do not pile up in the temp dir. */
function defaultReportPath(projectDirectory: string): string {
  const id = createHash('md5').update(projectDirectory).digest('hex').slice(0, 12);
  return join(tmpdir(), `gilbert-cover-${id}`, 'coverage.html');
}

class CoverHtmlAction implements ActionHandler {
  private proc?: GroupProcess;
  private cancelled = false;

  constructor(
    private readonly scope: Scope,
    private readonly options: CoverHtmlOptions,
  ) {}

  async call(ctx: JobContext): Promise<void> {
    const profile = await ProfileFile.create();
    try {
      ctx.log.info('Generating coverage profile...');
      const packages = await this.scope.expandAll(this.options.packages);
      await this.go(ctx, ['test', `-coverprofile=${profile.path}`, ...packages], 'test execution failed');
      if (this.cancelled) return;

      const project = this.scope.environment().projectDirectory;
      const wanted = this.options.outputPath ? await this.scope.expand(this.options.outputPath) : '';
      const report = wanted ? (isAbsolute(wanted) ? wanted : resolve(project, wanted)) : defaultReportPath(project);
      await mkdir(dirname(report), { recursive: true });
      await this.go(ctx, ['tool', 'cover', `-html=${profile.path}`, '-o', report], 'failed to write coverage report');
      if (this.cancelled) return;

      ctx.log.info(`Coverage report written to '${report}'`);
      if (await openInBrowser(report, envFromList(this.scope.environ()))) ctx.log.info('Opening report...');
    } finally {
      await profile.remove(ctx);
    }
  }

  private async go(ctx: JobContext, args: string[], failure: string): Promise<void> {
    ctx.log.debug(`cover:html: exec 'go ${args.join(' ')}'`);
    if (this.cancelled) return;
    this.proc = new GroupProcess('go', args, { cwd: this.scope.environment().projectDirectory, env: envFromList(this.scope.environ()), log: ctx.log });
    const status = await this.proc.exitStatus((error) => `${failure} (${startFailureMessage('go', error)})`);
    if (status.code !== 0 && !this.cancelled) throw new JobError(`${failure} (${exitFailureMessage(status)})`);
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.proc?.stop();
  }
}

export function createHandler(scope: Scope, params: ActionParams): ActionHandler {
  return new CoverHtmlAction(scope, decodeParams(paramShape, params, { action: 'cover:html' }));
}
