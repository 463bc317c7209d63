import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PluginError } from '../../errors.js';
import { readGoBuildInfo } from '../abi/buildinfo.js';
import { goPluginCachePath, prepareProjectPluginDirectory, projectPluginDirectory, sweepStaleTemporaries, verifyCachedFile, writeAtomically } from '../cache.js';
import { runGoCommand } from '../go-command.js';
import { buildProgress, type BuildProgress } from './progress.js';
import type { GoBuildSettings, PluginArtifact, SourceContext } from './types.js';

/** Until a shim says otherwise: the toolchain on PATH, no VCS stamping (source trees are often not repositories). */
export const defaultGoBuild: GoBuildSettings = { goCommand: 'go', env: { GOFLAGS: '-buildvcs=false' }, flags: [] };

/** Runs `go build -buildmode=plugin` in `packageDirectory`, writing `output`; throws with the compiler output on failure. */
export async function buildGoPlugin(
  packageDirectory: string,
  output: string,
  settings: GoBuildSettings,
  signal: AbortSignal,
  env: NodeJS.ProcessEnv,
  progress?: BuildProgress,
): Promise<void> {
  const args = ['build', '-buildmode=plugin', ...settings.flags, '-o', output, '.'];
  const { status, startError, output: compilerOutput } = await runGoCommand(settings.goCommand, args, {
    cwd: packageDirectory,
    env: { ...env, CGO_ENABLED: '1', ...settings.env },
    signal,
    onOutput: (chunk) => progress?.goOutput(chunk),
  });
  if (startError) {
    if (startError.code === 'ENOENT') {
      throw new PluginError(`Go toolchain not found: cannot run '${settings.goCommand}'`, {
        hint: 'Go plugins are built from source with the Go toolchain: install Go >= 1.21 (https://go.dev/dl) and put `go` on PATH',
      });
    }
    throw new PluginError(`cannot run '${settings.goCommand}': ${startError.message}`);
  }
  if (status?.code !== 0) {
    const ending = status?.signal ? `was killed by ${status.signal}` : `exited with status ${status?.code}`;
    throw new PluginError(`failed to build plugin package (${settings.goCommand} ${args.join(' ')} ${ending}):\n${compilerOutput.trim()}`, {
      hint: `fix the build errors in '${packageDirectory}'`,
    });
  }
}

/**
 * Why a cached build no longer fits the shim (its toolchain or -trimpath
 * changed since, e.g. after a Go upgrade and `make shim`), or undefined.
 * Gilbert kept such stale builds; here they would only fail to open.
 */
async function staleFor(output: string, settings: GoBuildSettings): Promise<string | undefined> {
  const built = await readGoBuildInfo(output);
  if (!built) return undefined;
  const wanted = settings.env.GOTOOLCHAIN;
  if (wanted && built.goVersion.split(/\s/)[0] !== wanted) return `it was built with ${built.goVersion}, the shim uses ${wanted}`;
  const trimpath = settings.flags.includes('-trimpath');
  if ((built.settings.get('-trimpath') === 'true') !== trimpath) return `its -trimpath setting differs from the shim's`;
  return undefined;
}

/**
 * `go://<package dir>`: builds the package into the project-local cache,
 * reused unless `?rebuild=true` (Gilbert does not notice source changes
 * either). The cache folder is the md5 of the package path relative to the
 * project, which is the path as written in a root manifest, as in Gilbert.
 */
export async function resolve(context: SourceContext): Promise<PluginArtifact> {
  const written = path.normalize(context.url.location).replace(/[\\/]+$/, '');
  if (!written || written === '.') {
    throw new PluginError('go:// URL has no package path', { hint: 'write go://./path/to/plugin/package' });
  }
  const packageDirectory = path.isAbsolute(written) ? written : path.resolve(path.dirname(context.ref.declaredIn), written);
  const packageKey = path.isAbsolute(written) ? written : path.relative(context.projectDirectory, packageDirectory) || '.';
  const output = goPluginCachePath(context.projectDirectory, packageKey, packageDirectory);
  await sweepStaleTemporaries(projectPluginDirectory(context.projectDirectory), context.log);
  const rebuild = ['1', 't', 'true'].includes((context.url.query.get('rebuild') ?? '').toLowerCase());
  const settings = context.goBuild ?? defaultGoBuild;
  if (!rebuild && (await verifyCachedFile(output, context.log))) {
    const staleness = await staleFor(output, settings);
    if (!staleness) return { kind: 'go', path: output };
    context.log.info(`Rebuilding plugin package '${packageDirectory}': ${staleness}`);
  }

  const info = await stat(packageDirectory).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new PluginError(`plugin package folder '${packageDirectory}' does not exist`, {
      hint: `go:// takes the folder of a Go main package; relative paths start at the folder of '${context.ref.declaredIn}'`,
    });
  }
  await prepareProjectPluginDirectory(context.projectDirectory);
  context.log.info(`Building plugin package '${packageDirectory}'...`);
  const toolchain = settings.env.GOTOOLCHAIN ?? `'${settings.goCommand}' from PATH`;
  const progress = buildProgress(`building plugin ${context.url.location} with ${toolchain}`);
  try {
    await writeAtomically(output, (temporary) => buildGoPlugin(packageDirectory, temporary, settings, context.signal, context.env, progress));
  } finally {
    progress.stop();
  }
  return { kind: 'go', path: output };
}
