import { readdirSync, readFileSync } from 'node:fs';

/**
 * Operations on a whole process group, the unit gilbert starts and cancels:
 * a child leads its own group (Gilbert's Setpgid), so everything it starts —
 * compilers, test binaries, a shell's pipeline — is signalled with it.
 */

/** Signals every process of the group led by `pid`; false when the group is already gone. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals | 0): boolean {
  if (pid === undefined) return false;
  try {
    // Windows has no process groups: the leader is all there is to signal.
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether any process of the group is still running. A killed process whose
 * parent died first stays a zombie until init reaps it, and `kill(-pgid, 0)`
 * still counts it; on Linux /proc tells running processes from zombies.
 */
export function groupAlive(pgid: number): boolean {
  // no process at all, not even a zombie: the common case, without reading /proc
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // fields after the parenthesised command name: state ppid pgrp …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/** Polls (nothing notifies about a whole group) until the group is gone; false after `ms`. */
export async function waitForGroupGone(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
