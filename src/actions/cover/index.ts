import { JobError } from '../../errors.js';
import type { ActionHandler, ActionParams, JobContext, Scope } from '../../sdk/index.js';
import { decodeParams, p, type Decoded } from '../params.js';
import { envFromList, exitFailureMessage, GroupProcess, startFailureMessage } from '../../system/group-process.js';
import { addFunctionCoverage, formatFull, formatSimple, parseProfile, percentage, type CoverageReport } from './profile.js';
import { functionCoverage, ProfileFile } from './run.js';
import { TestEvents } from './test-events.js';

/** Gilbert's `cover` params and defaults (also used to check a manifest's jobs before they run). */
export const paramShape = {
  threshold: p.number().default(0),
  reportCoverage: p.bool().default(true),
  showUncovered: p.bool().default(false),
  fullReport: p.bool().default(false),
  packages: p.stringList().default([]),
  sort: p.object({
    by: p.string().default('coverage'),
    desc: p.bool().default(true),
  }),
};

type CoverOptions = Decoded<typeof paramShape> & { sort: { by: 'coverage' | 'name'; desc: boolean } };

/** `go test -coverprofile -json`, a coverage report, and a threshold check. */
class CoverAction implements ActionHandler {
  private proc?: GroupProcess;
  private cancelled = false;

  constructor(
    private readonly scope: Scope,
    private readonly options: CoverOptions,
  ) {}

  async call(ctx: JobContext): Promise<void> {
    const profile = await ProfileFile.create();
    try {
      await this.run(ctx, profile);
    } finally {
      await profile.remove(ctx);
    }
  }

  private async run(ctx: JobContext, profile: ProfileFile): Promise<void> {
    const packages = await this.scope.expandAll(this.options.packages);
    const args = ['test', `-coverprofile=${profile.path}`, '-json', ...packages];
    ctx.log.debug(`cover command: 'go ${args.join(' ')}'`);
    if (this.cancelled) return;

    const events = new TestEvents();
    this.proc = new GroupProcess('go', args, {
      cwd: this.scope.environment().projectDirectory,
      env: envFromList(this.scope.environ()),
      log: ctx.log,
      onStdout: (chunk) => events.write(chunk),
    });
    const status = await this.proc.exitStatus((error) => `failed to start cover tool, ${startFailureMessage('go', error)}`);
    events.end();
    if (this.cancelled) return;
    events.otherOutput.forEach((line) => ctx.log.error(line));
    if (status.code !== 0) {
      this.printFailures(ctx, events);
      throw new JobError(`test execution failed (${exitFailureMessage(status)})`);
    }

    let report: CoverageReport;
    try {
      report = parseProfile(await profile.read());
    } catch (error) {
      throw new JobError(`failed to parse cover profile file, ${(error as Error).message}`, { cause: error });
    }
    this.printPackagesWithoutTests(ctx, events);

    const coverage = percentage(report);
    const threshold = this.options.threshold;
    const belowThreshold = coverage < threshold;
    if (belowThreshold || this.options.reportCoverage) {
      if (this.options.fullReport) {
        addFunctionCoverage(report, await functionCoverage(this.scope, ctx, profile.path, (proc) => (this.proc = proc)));
      }
      this.printReport(ctx, report);
    }
    if (belowThreshold) {
      throw new JobError(`code coverage is below ${threshold.toFixed(2)}% (got ${coverage.toFixed(2)}%)`);
    }
  }

  private printFailures(ctx: JobContext, events: TestEvents): void {
    const { text, count } = events.formatFailures();
    if (count === 0) {
      ctx.log.debug('cover: no failed tests available in report');
      return;
    }
    ctx.log.error(`Failed to check test coverage, test run failed with ${count} errors.`);
    ctx.log.error('Failed tests:');
    ctx.log.error(text);
  }

  private printPackagesWithoutTests(ctx: JobContext, events: TestEvents): void {
    const packages = events.packagesWithoutTests();
    if (packages.length === 0) {
      ctx.log.debug('cover: no uncovered packages in report');
      return;
    }
    if (!this.options.showUncovered) {
      ctx.log.warn(`${packages.length} packages don't have tests.`);
      return;
    }
    ctx.log.warn(`${packages.length} packages without tests:`);
    ctx.log.log(packages.map((pkg) => `  - ${pkg}`).join('\n'));
  }

  private printReport(ctx: JobContext, report: CoverageReport): void {
    const { by, desc } = this.options.sort;
    if (report.total <= 0) {
      ctx.log.warn('No test files found in packages');
    } else {
      ctx.log.info('Coverage report:');
      ctx.log.log(this.options.fullReport ? formatFull(report, by, desc) : formatSimple(report, by, desc));
    }
    ctx.log.info(`Total coverage: ${percentage(report).toFixed(2)}%`);
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.proc?.stop();
  }
}

export function createHandler(scope: Scope, params: ActionParams): ActionHandler {
  const options = decodeParams(paramShape, params, { action: 'cover' });
  // Gilbert's own checks and words (Go's %f for the threshold)
  if (options.threshold > 100 || options.threshold < 0) {
    throw new JobError(`coverage threshold should be between 0 and 100 (got ${options.threshold.toFixed(6)})`);
  }
  if (options.sort.by !== 'coverage' && options.sort.by !== 'name') {
    throw new JobError(`unsupported sort key '${options.sort.by}' (expected coverage or name)`);
  }
  return new CoverAction(scope, options as CoverOptions);
}
