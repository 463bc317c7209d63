import { spawn } from 'node:child_process';

/**
 * A second Ctrl+C must end gilbert even while plugin code blocks the event
 * loop (a TypeScript plugin in a busy loop): then no JavaScript signal
 * handler can run, and a worker thread gets no signals in Node. So a tiny
 * shell process watches instead, started before the first TypeScript plugin
 * is evaluated (Go plugins never run on the JS thread, so a run using only
 * those does not pay for the fork). It shares gilbert's process group, so the
 * terminal's Ctrl+C reaches it too. At the second one it gives gilbert half
 * a second to exit by itself (a responsive gilbert exits at once, 130); if
 * gilbert is still there, it kills the process groups gilbert started and
 * then gilbert, with SIGKILL (the shell reports 137). It ends by itself when
 * gilbert's end of its stdin pipe closes, however gilbert ends.
 *
 * Its `cat` runs in the background, where a non-interactive shell ignores
 * SIGINT, and reads an explicit descriptor, because a background command's
 * stdin would otherwise be /dev/null. The groups to kill are those led by
 * gilbert's children (GroupProcess starts each job as a group leader);
 * `kill -KILL -<pgid>` without `--`, which dash's kill does not take.
 */
const SCRIPT = `exec 3<&0
n=0
P=$PPID
stop() {
  n=$((n+1))
  [ "$n" -lt 2 ] && return
  i=0
  while kill -0 "$P" 2>/dev/null && [ "$i" -lt 5 ]; do sleep 0.1; i=$((i+1)); done
  kill -0 "$P" 2>/dev/null || exit 0
  echo "gilbert: still busy after a second Ctrl+C (plugin code is blocking it): killed" >&2
  for g in $(ps -A -o pid= -o ppid= -o pgid= | awk -v p="$P" '$2 == p && $1 == $3 { print $1 }'); do kill -KILL "-$g" 2>/dev/null; done
  kill -KILL "$P"
  exit 0
}
trap stop INT
cat <&3 >/dev/null &
c=$!
while kill -0 "$c" 2>/dev/null; do wait "$c"; done
`;

let started = false;

/** Starts the watchdog once per process (not on Windows, which has neither process groups nor sh). */
export function startSigintWatchdog(): void {
  if (started || process.platform === 'win32') return;
  started = true;
  const watchdog = spawn('/bin/sh', ['-c', SCRIPT], { stdio: ['pipe', 'ignore', 'inherit'] });
  // a missing /bin/sh only costs the watchdog
  watchdog.on('error', () => {});
  watchdog.stdin?.on('error', () => {});
  // neither the process nor its pipe may keep gilbert alive
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
}
