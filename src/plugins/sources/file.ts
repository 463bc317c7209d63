import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PluginError } from '../../errors.js';
import { formatBytes, pluginLimits } from '../limits.js';
import type { PluginArtifact, SourceContext } from './types.js';

const scriptExtensions = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/**
 * Which loader a local plugin needs: scripts and package folders are
 * TypeScript plugins; any other file is treated as a Go plugin library, as
 * Gilbert treated every file:// target.
 */
export async function classifyLocalPlugin(target: string, url: string, env: NodeJS.ProcessEnv = process.env): Promise<PluginArtifact> {
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new PluginError(`plugin file '${target}' does not exist`, {
      hint: `relative file:// paths are resolved from the folder of the manifest that lists them; check '${url}'`,
    });
  }
  if (info.isDirectory()) {
    const manifest = path.join(target, 'package.json');
    const manifestInfo = await stat(manifest).catch(() => {
      throw new PluginError(`'${target}' is a folder without a package.json`, {
        hint: 'point file:// at a Go plugin (.so), a TypeScript/JavaScript module, or a folder holding a package.json',
      });
    });
    // the loader reads it: a FIFO there would hang the run as surely as one named directly
    checkRegularFile(manifest, manifestInfo, env);
    return { kind: 'ts', path: target };
  }
  checkRegularFile(target, info, env);
  return scriptExtensions.has(path.extname(target)) ? { kind: 'ts', path: target } : { kind: 'go', path: target };
}

/**
 * A plugin file must be a regular file within GILBERT_PLUGIN_MAX_SIZE.
 * stat() opens nothing, so a FIFO or a device is refused before anything
 * would block on it or read it for ever.
 */
function checkRegularFile(file: string, info: Stats, env: NodeJS.ProcessEnv): void {
  if (!info.isFile()) {
    throw new PluginError(`plugin '${file}' is not a regular file (it is ${kindOf(info)})`, {
      hint: 'file:// must point at a Go plugin (.so), a TypeScript/JavaScript module, or a package folder',
    });
  }
  const { maxPluginBytes } = pluginLimits(env);
  if (info.size > maxPluginBytes) {
    throw new PluginError(`plugin file '${file}' is ${formatBytes(info.size)}, more than the ${formatBytes(maxPluginBytes)} a plugin may have`, {
      hint: 'check the path; a larger plugin needs GILBERT_PLUGIN_MAX_SIZE raised (e.g. GILBERT_PLUGIN_MAX_SIZE=2G)',
    });
  }
}

/**
 * `file://<path>`. Gilbert resolved relative paths from the current directory;
 * gilbert-ts resolves them from the folder of the manifest that lists them,
 * so that an imported manifest can ship its plugins beside it and `gilbert`
 * works from any directory.
 */
export async function resolve(context: SourceContext): Promise<PluginArtifact> {
  const written = context.url.location;
  if (!written) throw new PluginError('file:// URL has no path', { hint: 'write file://./plugin.so or file:///absolute/path/plugin.so' });
  const target = path.isAbsolute(written) ? written : path.resolve(path.dirname(context.ref.declaredIn), written);
  return classifyLocalPlugin(target, context.url.url, context.env);
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}
