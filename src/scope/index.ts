import path from 'node:path';
import type { ProjectEnvironment, Scope, Vars } from '../sdk/index.js';
import { expandString } from './expression.js';
import { exitFailureMessage } from '../system/group-process.js';
import { runShellCaptured } from './shell.js';

export { ExpressionError, containsExpression, expandString } from './expression.js';
export { DEFAULT_SHELL, DEFAULT_SHELL_EXEC_PARAM, runShellCaptured } from './shell.js';
export type { ShellResult } from './shell.js';

export interface ScopeOptions {
  projectDirectory: string;
  /** local variables (job vars); more can be added with appendVariables */
  locals?: Vars;
  /** the OS environment (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** aborts `{% %}` commands still running (the job's signal) */
  signal?: AbortSignal;
  /** leave `{% %}` commands unrun, as written (for --dry-run) */
  skipCommands?: boolean;
}

/**
 * A job's variables (Gilbert's scope.Scope, sdk.ScopeAccessor): globals
 * PROJECT, BUILD, GOPATH plus whatever is appended (the manifest's vars),
 * and locals (job vars, then the context's vars). Locals win on lookup.
 */
export function createScope(options: ScopeOptions): Scope {
  return new VariableScope(options);
}

class VariableScope implements Scope {
  private readonly locals: Vars;
  private readonly globals: Vars;
  private readonly projectDirectory: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly signal?: AbortSignal;
  private readonly skipCommands: boolean;

  constructor(options: ScopeOptions) {
    this.skipCommands = options.skipCommands ?? false;
    this.projectDirectory = options.projectDirectory;
    this.env = options.env ?? process.env;
    this.signal = options.signal;
    this.locals = { ...options.locals };
    this.globals = {
      PROJECT: options.projectDirectory,
      BUILD: path.join(options.projectDirectory, 'build'),
      GOPATH: this.env.GOPATH ?? '',
    };
  }

  appendVariables(vars: Vars): Scope {
    Object.assign(this.locals, vars);
    return this;
  }

  appendGlobals(vars: Vars): Scope {
    Object.assign(this.globals, vars);
    return this;
  }

  global(name: string): string | undefined {
    return Object.hasOwn(this.globals, name) ? this.globals[name] : undefined;
  }

  variable(name: string): { isLocal: boolean; value: string } | undefined {
    if (Object.hasOwn(this.locals, name)) return { isLocal: true, value: this.locals[name] };
    const value = this.global(name);
    return value === undefined ? undefined : { isLocal: false, value };
  }

  vars(): Vars {
    return { ...this.locals };
  }

  expand(expression: string): Promise<string> {
    return expandString(expression, {
      lookup: (name) => this.variable(name)?.value,
      evaluate: (command) => (this.skipCommands ? Promise.resolve(`{% ${command} %}`) : this.evaluate(command)),
    });
  }

  async expandAll(expressions: readonly string[]): Promise<string[]> {
    const results: string[] = [];
    for (const expression of expressions) results.push(await this.expand(expression));
    return results;
  }

  environment(): ProjectEnvironment {
    return { projectDirectory: this.projectDirectory };
  }

  environ(): string[] {
    return Object.entries(this.environmentVariables())
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => `${name}=${value}`);
  }

  /** OS environment, then globals, then locals: what `{% %}` commands see. */
  environmentVariables(): NodeJS.ProcessEnv {
    return { ...this.env, ...this.globals, ...this.locals };
  }

  private async evaluate(command: string): Promise<string> {
    let result;
    try {
      result = await runShellCaptured(command, {
        cwd: this.projectDirectory,
        env: this.environmentVariables(),
        signal: this.signal,
      });
    } catch (error) {
      throw new Error(`failed to eval inline script: ${(error as Error).message} ()`);
    }
    if (result.exitCode !== 0) {
      throw new Error(`failed to eval inline script: ${exitFailureMessage({ code: result.exitCode, signal: result.signal })} (${result.output})`);
    }
    return result.output;
  }
}
