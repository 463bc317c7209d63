import { Presets, SingleBar, type Params } from 'cli-progress';
import { redactUrls } from '../../log/redact.js';

/**
 * Progress on the terminal for plugin downloads and builds. Drawn only when
 * stderr is a terminal: a bar is for a person watching, and redirected
 * output (CI logs, pipes) would fill with control codes. Callers log a line
 * saying what they do either way, so nothing is lost without a terminal.
 * The cursor stays visible: a second Ctrl+C exits at once, without the
 * chance to show a hidden cursor again.
 */

type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

export function progressShown(stream: ProgressStream = process.stderr): boolean {
  return stream.isTTY === true;
}

export interface DownloadProgress {
  update(received: number): void;
  stop(): void;
}

/** A bar filling up to `total` bytes; undefined without a terminal or a known size. */
export function downloadProgress(total: number, stream: ProgressStream = process.stderr): DownloadProgress | undefined {
  if (!progressShown(stream) || !total) return undefined;
  const bar = new SingleBar({ stream, hideCursor: false, clearOnComplete: true }, Presets.shades_classic);
  bar.start(total, 0);
  return { update: (received) => bar.update(received), stop: () => bar.stop() };
}

export interface BuildProgress {
  /** what the build does now, e.g. "building plugin ./plugin with go1.26.8" */
  phase(text: string): void;
  /** a line of the Go tool's output worth showing beside the phase (toolchain and module downloads) */
  goOutput(chunk: string): void;
  stop(): void;
}

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const noBuildProgress: BuildProgress = { phase() {}, goOutput() {}, stop() {} };

/**
 * A build has no known total: a spinner with the phase and the time spent,
 * so that a minute-long toolchain download does not look like a hang.
 */
export function buildProgress(phase: string, stream: ProgressStream = process.stderr): BuildProgress {
  if (!progressShown(stream)) return noBuildProgress;
  const format = (_options: unknown, params: Params, payload: { phase: string; detail: string }) => {
    const frame = spinnerFrames[Math.floor(Date.now() / 100) % spinnerFrames.length];
    const elapsed = Math.floor((Date.now() - params.startTime) / 1000);
    return redactUrls(`${frame} ${payload.phase} (${elapsed}s)${payload.detail ? ` ${payload.detail}` : ''}`);
  };
  const bar = new SingleBar({ stream, format, hideCursor: false, clearOnComplete: true, linewrap: false });
  const payload = { phase, detail: '' };
  bar.start(1, 0, payload);
  return {
    phase(text) {
      payload.phase = text;
      payload.detail = '';
      bar.update(payload);
    },
    goOutput(chunk) {
      // `go: downloading go1.25.0 (linux/amd64)` and module downloads explain long pauses; compiler chatter does not.
      const downloading = chunk.split('\n').filter((line) => line.startsWith('go: downloading')).at(-1);
      if (downloading) {
        payload.detail = `— ${downloading.slice('go: '.length)}`;
        bar.update(payload);
      }
    },
    stop: () => bar.stop(),
  };
}
