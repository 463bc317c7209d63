import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PluginError } from '../../errors.js';

/** Conditions tried, in order, when a package.json `exports` entry is conditional. */
const exportConditions = ['import', 'node', 'default', 'require'];

const indexCandidates = ['index.js', 'index.mjs', 'index.cjs', 'index.ts', 'index.mts', 'index.cts'];

/** The module file that importing a plugin path means: the file itself, or a folder's package entry. */
export async function resolvePluginEntry(modulePath: string): Promise<string> {
  const absolute = path.resolve(modulePath);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new PluginError(`plugin file '${absolute}' not found`, {
      cause: error,
      hint: 'check the path in `plugins:` (relative file:// paths are resolved against the manifest folder)',
    });
  });
  if (!info.isDirectory()) return absolute;

  const manifestPath = path.join(absolute, 'package.json');
  const manifest = await readPackageJson(manifestPath);
  const declared = manifest ? pickExport(manifest.exports) ?? stringOrUndefined(manifest.main) : undefined;
  const candidates = declared ? [declared] : indexCandidates;
  for (const candidate of candidates) {
    const file = path.resolve(absolute, candidate);
    if (await isFile(file)) return file;
  }
  throw new PluginError(
    declared
      ? `plugin package '${absolute}' names its entry '${declared}' in package.json, but that file does not exist`
      : `plugin folder '${absolute}' has no package.json "exports"/"main" and no index file`,
    { hint: 'build the package, or point `plugins:` at the plugin module file itself' },
  );
}

async function readPackageJson(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch (error) {
    throw new PluginError(`cannot parse '${file}': ${(error as Error).message}`, { cause: error });
  }
}

/** The `.` entry of an `exports` field, following the conditions a Node ESM import would use. */
function pickExport(exportsField: unknown): string | undefined {
  if (typeof exportsField === 'string') return exportsField;
  if (Array.isArray(exportsField)) {
    for (const item of exportsField) {
      const picked = pickExport(item);
      if (picked) return picked;
    }
    return undefined;
  }
  if (!exportsField || typeof exportsField !== 'object') return undefined;
  const map = exportsField as Record<string, unknown>;
  if ('.' in map) return pickExport(map['.']);
  for (const condition of exportConditions) {
    if (condition in map) {
      const picked = pickExport(map[condition]);
      if (picked) return picked;
    }
  }
  return undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}
