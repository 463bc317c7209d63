/**
 * Loads a manifest and its imports: read → template pass → YAML → validation,
 * then merges imports the way Gilbert does (the importing file wins).
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ManifestError } from '../errors.js';
import type { SourceLocation } from '../sdk/index.js';
import type { Manifest } from './ast.js';
import { TemplateError } from './template/errors.js';
import type { RenderedManifest } from './template/index.js';
import { readManifestSource, UnreadableManifest } from './read-source.js';
import { InvalidManifest, validateManifest, type ManifestFile } from './validate.js';
import { asYamlSyntaxError, parseYaml } from './yaml.js';

export interface LoadOptions {
  /** environment of `shell` template commands (default: process.env) */
  env?: NodeJS.ProcessEnv;
  /** false makes the `shell` template function fail instead of running anything (fuzzing) */
  allowTemplateShell?: boolean;
  /** what Gilbert tolerated (unknown fields, empty tasks…) is an error rather than a warning */
  strict?: boolean;
}

export async function loadManifest(file: string, options: LoadOptions = {}): Promise<Manifest> {
  const path = resolve(file);
  const merged = await loadWithImports(path, [], new Set(), { ...options, projectDirectory: dirname(path) }, undefined);
  return {
    file: path,
    projectDirectory: dirname(path),
    version: merged.version,
    vars: merged.vars,
    plugins: merged.plugins,
    mixins: merged.mixins,
    tasks: merged.tasks,
    warnings: merged.warnings,
  };
}

interface FileOptions extends LoadOptions {
  /** `shell` template commands run here for every file, imports included, as Gilbert ran them in its working directory */
  projectDirectory: string;
}

interface Importer {
  file: string;
  /** the import path as the importer wrote it */
  written: string;
  location: SourceLocation;
}

/** Loads `path` and merges its imports depth-first: each file keeps its own names over imported ones. */
async function loadWithImports(
  path: string,
  chain: string[],
  merged: Set<string>,
  options: FileOptions,
  importer: Importer | undefined,
): Promise<ManifestFile> {
  if (chain.includes(path)) {
    const cycle = [...chain.slice(chain.indexOf(path)), path].map(display).join(' → ');
    throw new ManifestError(`failed to resolve imports in manifest file - import cycle: ${cycle}`, {
      location: importer!.location,
      hint: 'remove one of these imports: a manifest cannot import itself, directly or through other files',
    });
  }
  const own = await loadFile(path, options, importer);
  // A file imported twice through different paths (a diamond) is merged once, so its plugins are not listed twice.
  merged.add(path);
  for (const entry of own.imports) {
    const target = resolve(dirname(path), entry.path);
    if (merged.has(target) && !chain.includes(target) && target !== path) continue;
    const imported = await loadWithImports(target, [...chain, path], merged, options, { file: path, written: entry.path, location: entry.location });
    mergeInto(own, imported);
  }
  return own;
}

/** Gilbert's includeParent: names already in `own` win; plugins are appended after its own. */
function mergeInto(own: ManifestFile, imported: ManifestFile): void {
  for (const [name, value] of Object.entries(imported.vars)) if (!Object.hasOwn(own.vars, name)) own.vars[name] = value;
  for (const [name, mixin] of Object.entries(imported.mixins)) if (!Object.hasOwn(own.mixins, name)) own.mixins[name] = mixin;
  for (const [name, task] of Object.entries(imported.tasks)) if (!Object.hasOwn(own.tasks, name)) own.tasks[name] = task;
  own.plugins.push(...imported.plugins);
  own.warnings.push(...imported.warnings);
}

async function loadFile(path: string, options: FileOptions, importer: Importer | undefined): Promise<ManifestFile> {
  // Gilbert's wording: the root file's problems are "failed to parse manifest file:", an import's name it and its importer
  const failure = (inner: string): string =>
    importer
      ? `failed to resolve imports in manifest file - cannot read file '${importer.written}' imported by '${importer.file}', ${inner}`
      : `failed to parse manifest file:\n  ${inner}`;
  let source: string;
  try {
    source = await readManifestSource(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `open ${path}: no such file or directory` : (error as Error).message;
    if (importer) {
      throw new ManifestError(failure(reason), {
        location: importer.location,
        hint: error instanceof UnreadableManifest ? 'import a manifest file (.yaml)' : 'import paths are relative to the folder of the importing file',
      });
    }
    if (error instanceof UnreadableManifest) throw new ManifestError(`cannot read manifest file '${path}': ${reason}`);
    throw new ManifestError(`manifest file not found at '${path}'`, {
      hint: "run gilbert in your project's folder, or create a manifest there with 'gilbert init'",
    });
  }

  let rendered: RenderedManifest = { text: source, sourceLine: (line) => line };
  try {
    // The template engine is loaded only for manifests that use it: `gilbert ls` start-up time matters.
    if (source.includes('{{{')) {
      const { renderTemplate } = await import('./template/index.js');
      // Gilbert named every file's template "manifest" (`template: manifest:3: …`); the file is on the `at` line
      rendered = renderTemplate(source, { name: 'manifest', cwd: options.projectDirectory, env: options.env, allowShell: options.allowTemplateShell });
    }
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw new ManifestError(failure(`template syntax error in manifest file: ${error.message}`), {
      location: { file: path, line: error.line },
      hint:
        error.hint ??
        (error.message.includes('error calling shell:')
          ? 'a `shell` command of the manifest template failed: run it in the project folder to see why'
          : 'template actions use {{{ }}} and Go text/template syntax'),
      cause: error,
    });
  }

  try {
    return validateManifest(parseYaml(rendered.text, path), path, rendered.text, rendered.sourceLine, { strict: options.strict });
  } catch (error) {
    const syntax = asYamlSyntaxError(error);
    if (syntax) {
      // js-yaml reports errors at end of input one line past the text; point at the last line with content
      syntax.line = Math.min(syntax.line, Math.max(1, rendered.text.trimEnd().split('\n').length));
      const line = rendered.sourceLine(syntax.line);
      const templated = rendered.text !== source ? ' (after the {{{ }}} template pass)' : '';
      throw new ManifestError(failure(`yaml: line ${syntax.line}: ${syntax.reason}\n\n[Error in file]${templated}:\n${codeFrame(rendered.text, syntax.line)}`), {
        location: { file: path, line },
        cause: error,
      });
    }
    if (error instanceof InvalidManifest) {
      throw new ManifestError(failure(error.message), { location: { file: path, line: rendered.sourceLine(error.line) }, hint: error.hint });
    }
    throw error;
  }
}

/** The lines around `line`, numbered, the offending one marked. */
function codeFrame(text: string, line: number): string {
  const lines = text.split('\n');
  const first = Math.max(1, line - 3);
  const last = Math.min(lines.length, line + 2);
  const width = String(last).length;
  const frame: string[] = [];
  for (let n = first; n <= last; n++) frame.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`);
  return frame.join('\n');
}

/** Paths inside the working directory are shown relative to it, others absolute. */
function display(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath !== '' && !relativePath.startsWith('..') && !isAbsolute(relativePath) ? relativePath : path;
}
