import type { WriteStream } from 'node:tty';
import { streamFlow } from './flow.js';
import { SinkLogger, type LogLevel, type LogSink, type Logger } from './logger.js';
import { redactUrls } from './redact.js';

/**
 * Gilbert's console output: two spaces of padding per sub-logger level,
 * colours by level as fatih/color printed them (info blue, debug cyan,
 * success green, warn yellow, error red, plain log uncoloured).
 */
const colourCodes: Record<LogLevel, number | undefined> = {
  debug: 36,
  info: 34,
  log: undefined,
  success: 32,
  warn: 33,
  error: 31,
};

const PADDING = '  ';

export interface ConsoleOptions {
  /** show debug lines (--verbose) */
  verbose?: boolean;
  /** colour the lines; see `shouldUseColor` */
  color?: boolean;
  /** where every level goes; Gilbert printed all levels to stdout */
  out?: Pick<NodeJS.WritableStream, 'write'>;
}

/**
 * Colour is on for a terminal unless `--no-color` or `NO_COLOR` (any
 * non-empty value, per no-color.org) says otherwise; `FORCE_COLOR` turns it
 * on for pipes, so that tests can see the escape codes.
 */
export function shouldUseColor(stream: { isTTY?: boolean }, noColorFlag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** Wraps text in the level's colour, or leaves it alone. */
export function paint(level: LogLevel, text: string, color: boolean): string {
  const code = colourCodes[level];
  return color && code !== undefined ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** The lines one message prints: indented by depth, line by line, empty lines dropped. */
export function formatMessage(depth: number, message: string): string[] {
  const pad = PADDING.repeat(depth);
  return message
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => pad + line);
}

/** A sink that prints to the console. */
export function consoleSink(options: ConsoleOptions = {}): LogSink {
  const out = options.out ?? process.stdout;
  const color = options.color ?? shouldUseColor(process.stdout as WriteStream, false);
  return (level, depth, message) => {
    if (level === 'debug' && !options.verbose) return;
    // Credentials in URLs never reach the console, whoever logged them (see redact.ts).
    const lines = formatMessage(depth, redactUrls(message));
    if (lines.length === 0) return;
    out.write(lines.map((line) => paint(level, line, color)).join('\n') + '\n');
  };
}

/** The root logger for the CLI; its flow tells producers when stdout's reader falls behind. */
export function createConsoleLogger(options: ConsoleOptions = {}): Logger {
  const out = options.out ?? process.stdout;
  const flow = 'once' in out && 'removeListener' in out ? streamFlow(out as NodeJS.WritableStream) : undefined;
  return new SinkLogger(consoleSink({ ...options, out }), 0, flow);
}
