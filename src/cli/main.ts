#!/usr/bin/env node
import { Command } from 'commander';
import { createConsoleLogger, shouldUseColor } from '../log/console.js';
import type { Logger } from '../log/logger.js';
import { versionLine } from './version.js';

/**
 * The `gilbert` command. Only commander and the console logger load at
 * start; each command imports what it needs when it runs, so that
 * `gilbert ls` costs little more than starting Node.
 */
interface GlobalOptions {
  verbose?: boolean;
  color?: boolean;
  strict?: boolean;
}

function output(program: Command): { log: Logger; color: boolean; verbose: boolean } {
  const options = program.opts<GlobalOptions>();
  const color = shouldUseColor(process.stdout, options.color === false);
  const verbose = Boolean(options.verbose);
  return { log: createConsoleLogger({ verbose, color }), color, verbose };
}

/** What the manifest loader needs from the flags: `--strict` (or GILBERT_STRICT) and whether to colour warnings. */
async function loading(program: Command): Promise<{ strict: boolean; noColor: boolean }> {
  const options = program.opts<GlobalOptions>();
  const { isStrict } = await import('./warnings.js');
  return { strict: isStrict(options.strict), noColor: options.color === false };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command('gilbert')
    .description('Build automation tool for Go (and more): runs the tasks of gilbert.yaml')
    .option('--verbose', 'shows debug information, useful for troubleshooting')
    .option('--no-color', 'disables coloured output (NO_COLOR is honoured too)')
    .option('-V, --version', 'prints the version and exits')
    .option('--strict', 'unknown fields, empty tasks, unknown params and legacy keys are errors, not warnings (also GILBERT_STRICT=1)')
    .showHelpAfterError();
  // Not commander's .version(): that would read package.json on every start.
  program.on('option:version', () => {
    process.stdout.write(`${versionLine()}\n`);
    process.exit(0);
  });

  program
    .command('run')
    .description('Runs a task declared in manifest file')
    .argument('[task]', 'task name')
    .option('--var <name=value>', 'sets a variable for the run (repeatable); wins over manifest and job vars', collect, [])
    .option('--dry-run', 'prints the steps with expanded vars without running them')
    .option('--isolate', 'runs each Go plugin in a Go host process of its own: a plugin that crashes fails only its jobs (also GILBERT_ISOLATE=1)')
    .option('--verbose', 'shows debug information')
    .option('--strict', 'what Gilbert tolerated in a manifest is an error (also GILBERT_STRICT=1)')
    .action(async (task: string | undefined, options: { var: string[]; dryRun?: boolean; isolate?: boolean; verbose?: boolean; strict?: boolean }) => {
      if (options.verbose) program.setOptionValue('verbose', true);
      if (options.strict) program.setOptionValue('strict', true);
      const { runCommand } = await import('./run.js');
      await runCommand(task, { ...options, ...(await loading(program)) }, output(program).log);
    });

  program
    .command('ls')
    .description('Lists all tasks defined in gilbert.yaml')
    .option('--json', 'prints {"file": <manifest>, "tasks": [names]}')
    .option('-q, --quiet', 'prints task names only, one a line (for shell completion)')
    .option('--verbose', 'shows debug information')
    .option('--strict', 'what Gilbert tolerated in a manifest is an error (also GILBERT_STRICT=1)')
    .action(async (options: { json?: boolean; quiet?: boolean; strict?: boolean }) => {
      if (options.strict) program.setOptionValue('strict', true);
      const { listCommand } = await import('./list.js');
      await listCommand({ ...options, ...(await loading(program)) }, output(program).log);
    });

  program
    .command('init')
    .description('Scaffolds a new gilbert.yaml file')
    .option('--force', 'overwrites an existing gilbert.yaml')
    .option('--plugin <kind>', 'scaffolds a plugin project instead: ts or go')
    .option('--name <name>', 'the plugin name (default: the folder name)')
    .option('--verbose', 'shows debug information')
    .action(async (options: { force?: boolean; plugin?: string; name?: string }) => {
      if (options.plugin !== undefined) {
        const { initPluginCommand } = await import('../scaffold/index.js');
        return initPluginCommand({ ...options, plugin: options.plugin }, output(program).log);
      }
      const { initCommand } = await import('./init.js');
      await initCommand(options, output(program).log);
    });

  program
    .command('clean')
    .description('Removes cached plugins and other stored files')
    .option('--all', "deletes the whole storage directory ($GILBERT_HOME, else ~/.gilbert) and the project's go:// builds (./.gilbert/plugins)")
    .option('--plugins', "deletes downloaded plugins, shims built for them, and the project's go:// builds (./.gilbert/plugins)")
    .option('--verbose', 'shows debug information')
    .action(async (options: { all?: boolean; plugins?: boolean }) => {
      const { cleanCommand } = await import('./clean.js');
      await cleanCommand(options, output(program).log);
    });

  program
    .command('version')
    .description('Shows application version')
    .action(async () => {
      process.stdout.write(`${versionLine()}\n`);
    });

  program
    .command('schema')
    .description('Prints the JSON Schema of gilbert.yaml, for editors (the package ships it as gilbert.schema.json)')
    .action(async () => {
      const { manifestSchemaText } = await import('../manifest/schema.js');
      process.stdout.write(manifestSchemaText());
    });

  program
    .command('completion')
    .description('Prints a shell completion script: eval "$(gilbert completion bash)"')
    .argument('[shell]', 'bash or zsh', 'bash')
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(shell));
    });

  // Gilbert (urfave/cli) ignored extra arguments
  for (const command of program.commands) command.allowExcessArguments(true);
  return program;
}

/**
 * Gilbert's CLI library answered a bare `gilbert` with help on stdout (exit
 * 0) and an unknown command with `No help topic for 'x'` (exit 3); commander
 * would exit 1 for both. Returns true when it handled the arguments.
 */
function handledLikeGilbert(program: Command, args: readonly string[]): boolean {
  const first = args.find((arg) => !arg.startsWith('-'));
  if (first === undefined) {
    if (args.some((arg) => arg === '-h' || arg === '--help' || arg === '-V' || arg === '--version')) return false;
    process.stdout.write(program.helpInformation());
    return true;
  }
  const known = program.commands.flatMap((command) => [command.name(), ...command.aliases()]);
  if (first === 'help' || known.includes(first)) return false;
  process.stderr.write(`No help topic for '${first}'\n`);
  process.exitCode = 3;
  return true;
}

/** A closed pipe (`gilbert ls | head`) ends output quietly, as for any Unix tool. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

async function main(): Promise<void> {
  exitQuietlyOnClosedPipe(process.stdout);
  exitQuietlyOnClosedPipe(process.stderr);
  const program = buildProgram();
  if (handledLikeGilbert(program, process.argv.slice(2))) return;
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const options = program.opts<GlobalOptions>();
    const { reportError } = await import('./report.js');
    process.exitCode = reportError(error, {
      color: shouldUseColor(process.stderr, options.color === false),
      verbose: Boolean(options.verbose),
    });
  }
  await exitOnceFlushed();
}

/** How long anything still holding the event loop after the work is done may keep the CLI alive. */
const LINGER_MS = 5000;

/** Settles once everything written to `stream` so far has been handed to the OS (a pipe's reader may be slow). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed || !stream.writable) return Promise.resolve();
  // writes complete in order: the callback of an empty write runs after every earlier one
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * Cancelled shell jobs may still be getting their SIGKILL, and a plugin may
 * leave a handle open: after the work is done, nothing may keep the CLI
 * alive for long. But output is never dropped: the exit waits until stdout
 * and stderr are flushed, however slow their reader is.
 */
async function exitOnceFlushed(): Promise<void> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  setTimeout(() => {
    void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit());
  }, LINGER_MS).unref();
}

// not a top-level await: the CLI ships as a CommonJS bundle (scripts/bundle-cli.mjs); main() reports its own errors
void main();
