import type { OutputFlow } from './flow.js';

/** Log levels, as Gilbert has them. `debug` lines show only with --verbose. */
export type LogLevel = 'debug' | 'info' | 'log' | 'success' | 'warn' | 'error';

/** Receives every logged message with the depth of the (sub-)logger that wrote it. */
export type LogSink = (level: LogLevel, depth: number, message: string) => void;

/** A logger (sdk.Logger). Sub-loggers indent by one more level. */
export interface Logger {
  readonly depth: number;
  /** where the lines end up, when that can fall behind: producers that can wait pause while it is backed up */
  readonly flow?: OutputFlow;
  subLogger(): Logger;
  /** Logs a message; a multi-line message is indented line by line, empty lines are dropped. */
  write(level: LogLevel, message: string): void;
  log(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The one Logger implementation: formatting and output belong to the sink. */
export class SinkLogger implements Logger {
  constructor(
    private readonly sink: LogSink,
    readonly depth = 0,
    readonly flow?: OutputFlow,
  ) {}

  subLogger(): Logger {
    return new SinkLogger(this.sink, this.depth + 1, this.flow);
  }

  write(level: LogLevel, message: string): void {
    this.sink(level, this.depth, message);
  }

  log(message: string): void {
    this.write('log', message);
  }
  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  success(message: string): void {
    this.write('success', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }
}

/** A recorded log line (see `recordingLogger`). */
export interface LogRecord {
  level: LogLevel;
  depth: number;
  message: string;
}

/** A logger that keeps every message in memory: for tests and for capturing output. */
export function recordingLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { logger: new SinkLogger((level, depth, message) => records.push({ level, depth, message })), records };
}
