import type { ChildProcess } from 'node:child_process';

/** How the Go runtime starts the report of a crash it cannot recover from. */
const crashStart = /^(panic: |fatal error: |unexpected (signal|fault address)|SIG[A-Z]+: )/;
const maxTraceBytes = 64 * 1024;
/** A grandchild holding the pipe open must not hold up the report of the worker's death. */
const drainBoundMs = 1000;

/**
 * A shim worker's stderr. Lines pass through to ours until the Go runtime
 * starts a crash report (a panic or fatal error); the report is then kept
 * for the error message and --verbose rather than flooding the terminal
 * with goroutine traces, as a user error never shows a stack trace.
 */
export class WorkerStderr {
  private partialLine = '';
  private trace: string[] | undefined;
  private traceBytes = 0;
  private readonly closed: Promise<void>;

  constructor(child: ChildProcess, private readonly out: NodeJS.WritableStream = process.stderr) {
    const stream = child.stderr;
    if (!stream) throw new Error('the shim worker was started without a stderr pipe');
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.take(chunk));
    this.closed = new Promise((resolve) => stream.once('close', () => resolve()));
  }

  private take(chunk: string): void {
    const lines = (this.partialLine + chunk).split('\n');
    this.partialLine = lines.pop()!;
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (!this.trace && crashStart.test(line)) this.trace = [];
    if (!this.trace) {
      this.out.write(`${line}\n`);
    } else if (this.traceBytes < maxTraceBytes) {
      this.trace.push(line);
      this.traceBytes += line.length + 1;
    }
  }

  /** Once the worker has exited: the crash's first line and its whole report, if the Go runtime wrote one. */
  async crashReport(): Promise<{ headline?: string; trace?: string }> {
    let timer: NodeJS.Timeout | undefined;
    // A ref'd timer: while the report is awaited, the jobs waiting for it must keep the process alive.
    await Promise.race([this.closed, new Promise((resolve) => (timer = setTimeout(resolve, drainBoundMs)))]);
    clearTimeout(timer);
    if (this.partialLine) this.line(this.partialLine);
    this.partialLine = '';
    if (!this.trace) return {};
    return { headline: this.trace[0], trace: this.trace.join('\n').trimEnd() };
  }
}
