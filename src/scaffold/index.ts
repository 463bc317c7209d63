import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GilbertError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { schemaComment } from '../manifest/schema.js';
import { goPluginFiles } from './go-template.js';
import { typeScriptPluginFiles } from './ts-template.js';

export type PluginKind = 'ts' | 'go';

/** Where a scaffold takes what it needs from the running installation. */
export interface ScaffoldContext {
  /** this gilbert-ts installation's package folder: the TS scaffold's `file:` dependency */
  packageRoot: string;
}

const templates: Record<PluginKind, (name: string, context: ScaffoldContext) => Record<string, string>> = {
  ts: typeScriptPluginFiles,
  go: goPluginFiles,
};

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Plugin names become action prefixes, Go module paths and npm package names: keep them plain. */
const validName = /^[a-z][a-z0-9_-]*$/;

/**
 * Writes a working plugin project of the given kind into `directory`: the
 * plugin, its own test and a gilbert.yaml that loads it and runs its action.
 * Refuses, writing nothing, when any of those files exists, unless `force`.
 * Returns the absolute paths written.
 */
export async function scaffoldPlugin(kind: PluginKind, directory: string, options: { name?: string; force?: boolean } = {}): Promise<string[]> {
  const template = templates[kind];
  if (!template) throw new GilbertError(`unknown plugin kind '${String(kind)}'`, { hint: 'use --plugin ts or --plugin go' });
  const root = path.resolve(directory);
  const name = options.name ?? nameFromDirectory(root);
  if (!validName.test(name)) {
    throw new GilbertError(`plugin name '${name}' is not usable`, {
      hint: 'use lowercase letters, digits, - and _, starting with a letter (e.g. --name my-plugin)',
    });
  }

  const files = Object.entries(template(name, { packageRoot: path.resolve(packageRoot) })).map(([relative, content]) => ({
    file: path.join(root, relative),
    content: relative === 'gilbert.yaml' ? schemaComment() + content : content,
  }));
  if (!options.force) {
    const existing: string[] = [];
    for (const { file } of files) if (await exists(file)) existing.push(file);
    if (existing.length > 0) {
      throw new GilbertError(`not overwriting existing file${existing.length > 1 ? 's' : ''}: ${existing.join(', ')}`, {
        hint: 'scaffold into an empty folder, or pass --force to replace them',
      });
    }
  }
  for (const { file, content } of files) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return files.map(({ file }) => file);
}

/** The folder name, made into a valid plugin name ("My TS Plugin" → "my-ts-plugin", "123" → "plugin-123"). */
export function nameFromDirectory(root: string): string {
  const name = path
    .basename(root)
    .toLowerCase()
    .replace(/^gilbert-plugin-/, '')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  if (name === '') return 'myplugin';
  return /^[a-z]/.test(name) ? name : `plugin-${name}`;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

const nextSteps: Record<PluginKind, string> = {
  ts: "Run 'gilbert run hello' to try the plugin; 'npm install && npm test' type-checks it and runs its test",
  go: "Run 'gilbert run hello' to build and try the plugin; 'gilbert run test' runs its test",
};

/** `gilbert init --plugin <kind> [--name x] [--force]`: scaffolds into the current directory. */
export async function initPluginCommand(options: { plugin: string; name?: string; force?: boolean }, log: Logger): Promise<void> {
  const kind = options.plugin.toLowerCase();
  if (kind !== 'ts' && kind !== 'go') {
    throw new GilbertError(`unknown plugin kind '${options.plugin}'`, { hint: 'use --plugin ts (TypeScript) or --plugin go' });
  }
  const written = await scaffoldPlugin(kind, process.cwd(), { name: options.name, force: options.force });
  for (const file of written) log.success(`File '${file}' successfully created`);
  log.info(nextSteps[kind]);
}
