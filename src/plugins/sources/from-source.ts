import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PluginError } from '../../errors.js';
import { readGoBuildInfo } from '../abi/buildinfo.js';
import { whyNoHostFits } from '../abi/loadable.js';
import { verifyCachedFile, writeAtomically } from '../cache.js';
import { downloadFile } from '../download.js';
import { runGoCommand } from '../go-command.js';
import { redactUrls } from '../../log/redact.js';
import { buildGoPlugin, defaultGoBuild } from './go.js';
import { buildProgress } from './progress.js';
import type { SourceContext } from './types.js';

/**
 * Why a downloaded plugin binary cannot be opened by any Go host gilbert-ts
 * can build (see abi/loadable.ts), so that it must be built from its source
 * instead; undefined when the binary will do.
 */
export async function whySourceIsNeeded(binary: string): Promise<string | undefined> {
  const info = await readGoBuildInfo(binary);
  if (info) return whyNoHostFits(info);
  // Without readable build info, only a Go plugin (its package-hash symbols, or old-layout build info) is worth building from source; anything else is left to the loader to name.
  const bytes = await readFile(binary);
  const goPlugin = ['go:link.pkghash.', 'go.link.pkghash.', '\xff Go buildinf:'].some((marker) => bytes.includes(Buffer.from(marker, 'latin1')));
  return goPlugin ? whyNoHostFits(undefined) : undefined;
}

/** Module folders in the cache are read-only; a build needs to write go.sum beside them. */
async function makeWritable(directory: string): Promise<void> {
  await chmod(directory, 0o755);
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) await makeWritable(full);
    else await chmod(full, 0o644);
  }
}

/** `go mod download -json <module>@<version>`: the module's folder in the module cache, fetched through GOPROXY. */
async function downloadModule(module: string, version: string, work: string, context: SourceContext, env: NodeJS.ProcessEnv): Promise<string> {
  const { status, startError, output } = await runGoCommand('go', ['mod', 'download', '-json', `${module}@${version}`], { cwd: work, env, signal: context.signal });
  if (startError) throw new PluginError('no Go toolchain found (`go` is not on PATH)', { hint: 'install Go >= 1.21 (https://go.dev/dl) so that gilbert-ts can build the plugin from its source' });
  const answer = (() => {
    try {
      return JSON.parse(output.slice(output.indexOf('{'))) as { Dir?: string; Error?: string };
    } catch {
      return { Error: output.trim() };
    }
  })();
  if (status?.code === 0 && answer.Dir) return answer.Dir;
  throw new PluginError(`cannot fetch the source of ${module}@${version} through the Go module proxy: ${answer.Error ?? output.trim()}`, {
    hint: 'check GOPROXY (and GOPRIVATE/GONOSUMDB for private modules) and network access to the proxy',
  });
}

/** Downloads a GitHub source archive (`.tar.gz` with one top folder) and unpacks it into `source` with the system's tar. */
async function extractArchive(archive: { url: string; headers?: Record<string, string> }, work: string, source: string, context: SourceContext): Promise<void> {
  const file = path.join(work, 'source.tar.gz');
  await downloadFile(archive.url, file, { signal: context.signal, log: context.log, headers: archive.headers, env: context.env });
  await mkdir(source, { recursive: true });
  const { status, startError, output } = await runGoCommand('tar', ['-xzf', file, '-C', source, '--strip-components=1'], { cwd: work, env: context.env, signal: context.signal });
  if (startError || status?.code !== 0) throw new PluginError(`cannot unpack the source archive of '${redactUrls(archive.url)}': ${startError?.message ?? output.trim()}`);
}

/** The module paths a repository's tag may carry: `/vN` for major versions from 2 on (Go's semantic import versioning). */
function moduleCandidates(module: string, version: string): string[] {
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
  return major >= 2 ? [`${module}/v${major}`, module] : [module];
}

/**
 * Builds the Go plugin whose source is `module` at `version` (its root
 * package), fetched through the Go module proxy with the shim's toolchain
 * and flags, into `<directory>/source-<hash of those>/<name>.so`, reused on
 * later runs. Says once, when it builds, why.
 */
export async function buildFromModuleSource(options: {
  module: string;
  version: string;
  directory: string;
  name: string;
  reason: string;
  context: SourceContext;
  /** the tag's source archive (a .tar.gz), used when the module proxy does not have the module */
  archive?: { url: string; headers?: Record<string, string> };
}): Promise<string> {
  const { context } = options;
  const settings = context.goBuild ?? defaultGoBuild;
  const key = createHash('sha256').update(JSON.stringify({ module: options.module, version: options.version, settings })).digest('hex').slice(0, 16);
  const output = path.join(options.directory, `source-${key}`, `${options.name}.so`);
  if (await verifyCachedFile(output, context.log)) return output;

  context.log.info(`Building plugin ${options.module}@${options.version} from its source: ${options.reason}...`);
  await mkdir(path.dirname(output), { recursive: true });
  const work = await mkdtemp(path.join(options.directory, '.build-'));
  const progress = buildProgress(`building ${options.module}@${options.version} from source`);
  try {
    const env = { ...context.env, ...settings.env, GOFLAGS: '-mod=mod -buildvcs=false' };
    let moduleDirectory: string | undefined;
    let failure: unknown;
    for (const module of moduleCandidates(options.module, options.version)) {
      moduleDirectory = await downloadModule(module, options.version, work, context, env).catch((error: unknown) => void (failure ??= error));
      if (moduleDirectory) break;
    }
    const source = path.join(work, 'src');
    if (moduleDirectory) {
      await cp(moduleDirectory, source, { recursive: true });
      await makeWritable(source);
    } else if (options.archive) {
      context.log.info(`The Go module proxy does not have ${options.module}@${options.version}; using the tag's source archive`);
      await extractArchive(options.archive, work, source, context);
    } else throw failure;
    await writeAtomically(output, (temporary) => buildGoPlugin(source, temporary, { ...settings, env }, context.signal, context.env, progress));
    return output;
  } finally {
    progress.stop();
    await rm(work, { recursive: true, force: true });
  }
}
