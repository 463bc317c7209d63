import { JobError } from '../../errors.js';
import type { ActionHandler, ActionParams, JobContext, Scope } from '../../sdk/index.js';
import { decodeParams, p, type Decoded } from '../params.js';
import { envFromList, GroupProcess, runToCompletion } from '../../system/group-process.js';
import { goArch, goOs } from '../../system/go-platform.js';

/**
 * Gilbert's `build` params. `target` defaults to the host, field by field:
 * Gilbert used runtime.GOOS/GOARCH, the platform its own binary ran on.
 */
export const paramShape = {
  source: p.string().default(''),
  buildMode: p.string().default(''),
  outputPath: p.string().default(''),
  params: p.object({
    stripDebugInfo: p.bool().default(false),
    linkerFlags: p.stringList().default([]),
  }),
  target: p.object({
    os: p.string().default(goOs() ?? process.platform),
    arch: p.string().default(goArch() ?? process.arch),
  }),
  // a string (`tags: "a b"`, as `go build -tags` takes it) or a list
  tags: p.stringList({ allowSingle: true }).default([]),
  variables: p.stringMap().default({}),
};

export type BuildOptions = Decoded<typeof paramShape>;

/**
 * Quotes one `-ldflags` field when needed. Go splits -ldflags on spaces but
 * honours quotes; Gilbert joined `-X name=value` unquoted, so a value with a
 * space broke the build — quoting keeps such values whole.
 */
function ldflagsField(field: string): string {
  if (!/[\s'"]/.test(field)) return field;
  return field.includes("'") ? `"${field}"` : `'${field}'`;
}

/** The `go build` arguments, in Gilbert's order: -o, -ldflags, -buildmode, -tags, source. */
export async function buildArguments(options: BuildOptions, scope: Scope): Promise<string[]> {
  const args = ['build'];
  if (options.outputPath.trim() !== '') args.push('-o', await scope.expand(options.outputPath));

  const ldflags: string[] = [];
  if (options.params.stripDebugInfo) ldflags.push('-s', '-w');
  for (const [name, value] of Object.entries(options.variables)) {
    let expanded: string;
    try {
      expanded = await scope.expand(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new JobError(`failed to build params for Go linker, ${reason}`, { cause: error });
    }
    ldflags.push('-X', ldflagsField(`${name}=${expanded}`));
  }
  ldflags.push(...options.params.linkerFlags);
  if (ldflags.length > 0) args.push('-ldflags', ldflags.join(' '));

  if (options.buildMode.trim() !== '') args.push('-buildmode', options.buildMode);
  if (options.tags.length > 0) args.push('-tags', (await scope.expandAll(options.tags)).join(','));
  if (options.source.trim() !== '') args.push(await scope.expand(options.source));
  return args;
}

class BuildAction implements ActionHandler {
  private proc?: GroupProcess;

  constructor(
    private readonly scope: Scope,
    private readonly options: BuildOptions,
  ) {}

  async call(ctx: JobContext): Promise<void> {
    const args = await buildArguments(this.options, this.scope);
    const { os, arch } = this.options.target;
    ctx.log.debug(`Target: ${os} ${arch}`);
    ctx.log.debug(`Command: 'go ${args.join(' ')}'`);
    if (!ctx.isAlive()) return;
    this.proc = new GroupProcess('go', args, {
      cwd: this.scope.environment().projectDirectory,
      env: envFromList([...this.scope.environ(), `GOOS=${os}`, `GOARCH=${arch}`]),
      log: ctx.log,
    });
    await runToCompletion(this.proc, 'failed build project');
  }

  async cancel(): Promise<void> {
    await this.proc?.stop();
  }
}

/** As in Gilbert, `target.os`/`target.arch` are expanded when the handler is made (so `os: '{{os}}'` from a mixin's vars works). */
export async function createHandler(scope: Scope, params: ActionParams): Promise<ActionHandler> {
  const options = decodeParams(paramShape, params, { action: 'build' });
  const [os, arch] = await scope.expandAll([options.target.os, options.target.arch]);
  return new BuildAction(scope, { ...options, target: { os, arch } });
}
