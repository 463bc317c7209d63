/**
 * The manifest template pass: Go text/template with `{{{ }}}` delimiters,
 * run over the whole file before YAML parsing, exactly as Gilbert did.
 */
import { execute } from './exec.js';
import { createFunctions, type FunctionOptions } from './functions.js';
import { tokenize } from './lexer.js';
import { parse } from './parser.js';

export { TemplateError } from './errors.js';

export interface RenderOptions extends Partial<FunctionOptions> {
  /** name shown in errors (`template: <name>:<line>: …`), usually the file's base name */
  name: string;
}

export interface RenderedManifest {
  text: string;
  /** the template line an output line (1-based) came from */
  sourceLine(outputLine: number): number;
}

/** Renders manifest text; throws TemplateError (Go-formatted message, with line). */
export function renderTemplate(text: string, options: RenderOptions): RenderedManifest {
  // Fast path: most manifests have no template actions at all.
  if (!text.includes('{{{')) return { text, sourceLine: (line) => line };
  const functions = createFunctions({
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    allowShell: options.allowShell ?? true,
  });
  const nodes = parse(tokenize(text, options.name), options.name, new Set(functions.keys()));
  const rendered = execute(nodes, options.name, functions);
  const lastLine = text.split('\n').length;
  return {
    text: rendered.text,
    sourceLine: (line) => rendered.sourceLines[line - 1] ?? lastLine,
  };
}
