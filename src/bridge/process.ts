/**
 * The process transport of the bridge protocol: a Go host process
 * (go-shim/cmd/host, the same go-shim/bridge package as the in-process shim,
 * built as an executable) opens a plugin and serves the protocol over two
 * extra pipes, in the style of hashicorp/go-plugin:
 *
 *   fd 3  host → Go   one JSON host call per line ({"op": …, …fields})
 *   fd 4  Go → host   frames: a 4-byte little-endian length, then one event
 *                     batch (marshal.ts); the first frame is the handshake,
 *                     {"e":"hello","protocol":N,…}
 *
 * fd 1 and 2 stay the plugin's own stdout and stderr (plugins print there;
 * the protocol never shares them). Its stdout is ours, as in process (so
 * what it prints keeps its place among our output); its stderr lines are
 * relayed to our stderr. A Go runtime crash report on
 * stderr is kept for the error instead (its trace for --verbose), and so is
 * the last line before the process ends (log.Fatal's text): the job's last
 * log lines come first, then what ended it.
 *
 * Whatever the plugin does to its process (a panic in its own goroutine,
 * os.Exit, log.Fatal, a stack overflow, a signal) ends only this process:
 * once its last events are read, the calls in flight fail with what happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { PluginError } from '../errors.js';
import type { Logger } from '../sdk/index.js';
import { GoBridge, type HostEnded, type Transport, type TransportSink } from './client.js';
import { decodeEventRecord, RECORD_SEP } from './marshal.js';
import { PROTOCOL_VERSION, type GoEvent, type HostCall } from './protocol.js';

/** How the Go runtime starts the report of a crash it cannot recover from. */
const crashStart = /^(panic: |fatal error: |runtime: |unexpected (signal|fault address)|SIG[A-Z]+: )/;
const maxTraceBytes = 64 * 1024;
/** A grandchild holding a pipe open must not hold up the report of the host's death. */
const drainBoundMs = 1000;

/** The handshake named another protocol: the host binary is stale and must be rebuilt. */
export class StaleHostError extends PluginError {}

export interface HostProcessOptions {
  /** the gilbert-go-host executable */
  hostPath: string;
  /** where the Go trace of a crash goes (debug: --verbose) */
  log: Logger;
  /** where the plugin's own stderr lines go; process.stderr by default */
  stderr?: (line: string) => void;
}

/** Splits a stream into lines; the last, unterminated one comes at the end. */
function lines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) onLine(line);
  });
  return new Promise((resolve) =>
    stream.once('close', () => {
      if (partial) onLine(partial);
      partial = '';
      resolve();
    }),
  );
}

class ProcessTransport implements Transport {
  private readonly child: ChildProcess;
  private readonly calls: Writable;
  private readonly events: Readable;
  private pending: Buffer = Buffer.alloc(0);
  private greeted = false;
  /** resolves once the handshake was read (rejects when the host is stale or died first) */
  readonly ready: Promise<void>;
  private greet!: { resolve(): void; reject(error: Error): void };
  /** the last stderr line, held back: if the host dies next, it is the fatal text and goes into the error */
  private lastWords?: string;
  private relayTimer?: NodeJS.Timeout;
  private crash?: string[];
  private crashBytes = 0;
  private busy = false;
  private ended = false;

  constructor(
    private readonly options: HostProcessOptions,
    private readonly sink: TransportSink,
  ) {
    this.ready = new Promise((resolve, reject) => (this.greet = { resolve, reject }));
    this.ready.catch(() => undefined); // a caller that never awaits it still hears through ended()
    this.child = spawn(options.hostPath, [], { stdio: ['ignore', 'inherit', 'pipe', 'pipe', 'pipe'] });
    this.calls = this.child.stdio[3] as Writable;
    this.events = this.child.stdio[4] as Readable;
    const eventsEnded = new Promise<void>((resolve) => this.events.once('close', () => resolve()));
    this.events.on('data', (chunk: Buffer) => this.onData(chunk));
    const stderrEnded = lines(this.child.stderr!, (line) => this.onStderr(line));
    // writes racing the host's death fail here; its exit is reported below, once
    this.calls.on('error', () => undefined);
    this.child.once('error', (error) => this.end({ what: `could not be started (${error.message})`, hint: `check '${options.hostPath}' (rebuild it with \`make shim\`)` }));
    this.child.once('exit', (code, signal) => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainBoundMs)));
      // the last events first (the job's last log lines), then what ended it
      void Promise.race([Promise.all([eventsEnded, stderrEnded]), bound]).then(() => {
        clearTimeout(timer);
        this.end(this.describeExit(code, signal));
      });
    });
    this.setBusy(false);
  }

  send(call: HostCall): void {
    this.calls.write(`${JSON.stringify(call)}\n`);
  }

  /** Only calls in flight keep the CLI alive; an idle host never holds up its exit (it ends when our pipes close). */
  setBusy(busy: boolean): void {
    this.busy = busy;
    if (!busy) this.relayLastWords();
    for (const handle of [this.child, this.child.stderr, this.calls, this.events] as unknown as ({ ref?(): void; unref?(): void } | null)[]) {
      if (busy) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Stops reading the host's events until `until` settles: its pipe fills, and its goroutines block writing to it. */
  hold(until: Promise<void>): void {
    this.events.pause();
    void until.finally(() => this.events.resume());
  }

  /** A plugin did not stop when cancelled: its process is killed (its exit is reported as for any death). */
  abandon(): void {
    this.kill();
  }

  /** Ends the host now; its exit is reported as for any death. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 4) {
      const size = this.pending.readUInt32LE(0);
      if (this.pending.length < 4 + size) break;
      const batch = this.pending.toString('utf8', 4, 4 + size);
      this.pending = this.pending.subarray(4 + size);
      if (this.greeted) this.sink.batch(batch);
      else this.onHello(batch);
    }
  }

  private onHello(batch: string): void {
    this.greeted = true;
    let hello: GoEvent | undefined;
    try {
      hello = decodeEventRecord(batch.split(RECORD_SEP)[0]!);
    } catch {
      // not a hello at all: reported below
    }
    if (hello?.e === 'hello' && hello.protocol === PROTOCOL_VERSION) return this.greet.resolve();
    const spoke = hello?.e === 'hello' ? `protocol ${hello.protocol}` : 'no known protocol';
    this.greet.reject(new StaleHostError(`the Go host '${this.options.hostPath}' speaks ${spoke}, this gilbert-ts needs protocol ${PROTOCOL_VERSION}`, { hint: 'rebuild it with `make shim`' }));
    this.kill();
  }

  private onStderr(line: string): void {
    if (!this.crash && crashStart.test(line)) {
      this.relayLastWords();
      this.crash = [];
    }
    if (this.crash) {
      if (this.crashBytes < maxTraceBytes) this.crash.push(line);
      this.crashBytes += line.length + 1;
      return;
    }
    this.relayLastWords();
    // Held back while a call runs: if the host dies next, it is the fatal text (log.Fatal).
    this.lastWords = line;
    if (!this.busy) this.relayLastWords();
    // still alive a moment later: it was not the host's last line
    else this.relayTimer = setTimeout(() => this.relayLastWords(), 100);
  }

  private relayLastWords(): void {
    clearTimeout(this.relayTimer);
    if (this.lastWords !== undefined) (this.options.stderr ?? ((line) => process.stderr.write(`${line}\n`)))(this.lastWords);
    this.lastWords = undefined;
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): HostEnded {
    clearTimeout(this.relayTimer);
    const others = "the host process is started again for the plugin's next job";
    if (this.crash?.length) {
      const trace = this.crash.join('\n').trimEnd();
      this.options.log.debug(`Go trace of the crash:\n${trace}`);
      const headline = this.crash.find((line) => /^(panic: |fatal error: )/.test(line)) ?? this.crash[0]!;
      return { what: `crashed: ${headline}`, hint: `its Go code hit a panic or fatal error no recover caught (run with --verbose for the Go trace); ${others}` };
    }
    const words = this.lastWords ? ` after writing: ${this.lastWords}` : '';
    if (signal) return { what: `was killed by ${signal}${words}`, hint: `something outside killed its process (out of memory?), or the plugin did; ${others}` };
    return { what: `exited with status ${code}${words}`, hint: `the plugin called os.Exit or log.Fatal; ${others}` };
  }

  private end(ended: HostEnded): void {
    if (this.ended) return;
    this.ended = true;
    this.greet.reject(new PluginError(`the Go host process ${ended.what}`, { hint: ended.hint }));
    this.setBusy(false);
    this.sink.ended(ended);
  }
}

/** A bridge over its own Go host process. */
export interface HostBridge extends GoBridge {
  readonly transport: ProcessTransport;
}

/** Starts a Go host process and the bridge over it; `transport.ready` tells when it answered the handshake. */
export function connectHost(options: HostProcessOptions): HostBridge {
  return new GoBridge((sink) => new ProcessTransport(options, sink)) as HostBridge;
}

export type { ProcessTransport };
