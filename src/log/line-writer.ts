import { StringDecoder } from 'node:string_decoder';
import type { LogLevel, Logger } from './logger.js';

/**
 * Turns a child process's byte stream into log lines (Gilbert's
 * `Logger.Write` and `ErrorWriter`): chunks are split on newlines, a partial
 * last line is held until its newline or `end()`, empty lines are dropped.
 * Holding partial lines matters: a pipe delivers arbitrary chunk boundaries,
 * and splitting a line across two log entries would break indentation.
 */
export class LineWriter {
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly logger: Logger,
    private readonly level: LogLevel = 'log',
  ) {}

  write(chunk: Buffer | string): void {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.emit(line);
  }

  /** Flushes a last line without a newline. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    this.emit(rest);
  }

  private emit(line: string): void {
    const clean = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (clean !== '') this.logger.write(this.level, clean);
  }
}
