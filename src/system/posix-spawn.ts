import { EventEmitter } from 'node:events';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { getSystemErrorName } from 'node:util';

/**
 * Child processes started with libc's posix_spawn (through koffi), for the
 * many short children a manifest starts (issue 13).
 *
 * Why: Node's spawn forks the whole Node process. fork copies the page tables
 * of everything Node has touched (40–60 MB), and Node waits until the child
 * has exec'd; that was ~3 ms of every shell job, three times what native
 * Gilbert pays for a whole job. posix_spawn (glibc: clone with CLONE_VM |
 * CLONE_VFORK) costs the same whatever the parent's size, as Go's os/exec.
 *
 * Only the cases GroupProcess needs: Linux with a libc that has
 * posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29, musl ≥ 1.1.24), a new
 * session for the child (Node's `detached`), stdin from /dev/null, stdout and
 * stderr piped or discarded. Anything else, or a libc without those symbols,
 * or koffi failing to load: `fastSpawn` returns undefined and the caller uses
 * Node's spawn. Every libc binding and its marshalling lives in this file.
 */

export interface FastSpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** 'pipe': stdout and stderr are readable streams; 'ignore': both go to /dev/null */
  stdio: 'pipe' | 'ignore';
}

/** The part of Node's ChildProcess that GroupProcess uses, with the same events and fields. */
export class SpawnedChild extends EventEmitter {
  pid: number | undefined;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;

  /** Signals the child itself (GroupProcess signals its whole group instead). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.pid === undefined || this.exitCode !== null || this.signalCode !== null) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

// <spawn.h> flags, identical in glibc and musl
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_CLOEXEC = 0o2000000;
const WNOHANG = 1;
/** larger than posix_spawn_file_actions_t, posix_spawnattr_t and sigset_t of glibc and musl */
const OPAQUE_BYTES = 1024;

interface Libc {
  spawn(pid: Int32Array, file: string, actions: Buffer, attr: Buffer, argv: (string | null)[], envp: (string | null)[]): number;
  actionsInit(actions: Buffer): number;
  actionsDestroy(actions: Buffer): number;
  addDup2(actions: Buffer, fd: number, newFd: number): number;
  addOpen(actions: Buffer, fd: number, file: string, flags: number, mode: number): number;
  addChdir(actions: Buffer, dir: string): number;
  pipe2(fds: Int32Array, flags: number): number;
  close(fd: number): number;
  waitpid(pid: number, status: Int32Array, options: number): number;
  /** one attribute set for every child: new session, empty signal mask, every signal at its default */
  attr: Buffer;
}

let libc: Libc | null | undefined;
let spawnsBefore = 0;
const requireHere = createRequire(import.meta.url);

/**
 * Binds libc once; null where that cannot be done (then Node's spawn is used).
 * Loading koffi costs about as much as two forks of Node: the first child of
 * a run goes through Node's spawn unless koffi is already there (a Go plugin
 * loaded it), so that a one-job run does not pay for it.
 */
function bindLibc(): Libc | null {
  if (libc !== undefined) return libc;
  if (process.platform !== 'linux' || process.env.GILBERT_NODE_SPAWN) return (libc = null);
  if (spawnsBefore++ === 0 && !koffiLoaded()) return null;
  libc = null;
  try {
    const koffi = requireHere('koffi') as typeof import('koffi');
    const lib = koffi.load(null as unknown as string); // the process itself: its libc, whichever it is
    const fn = (signature: string) => lib.func(signature) as (...args: unknown[]) => number;
    const attrInit = fn('int posix_spawnattr_init(void *attr)');
    const setFlags = fn('int posix_spawnattr_setflags(void *attr, short flags)');
    const setMask = fn('int posix_spawnattr_setsigmask(void *attr, void *set)');
    const setDefault = fn('int posix_spawnattr_setsigdefault(void *attr, void *set)');
    const emptySet = fn('int sigemptyset(void *set)');
    const fillSet = fn('int sigfillset(void *set)');
    const attr = Buffer.alloc(OPAQUE_BYTES);
    const noSignals = Buffer.alloc(OPAQUE_BYTES);
    const allSignals = Buffer.alloc(OPAQUE_BYTES);
    // Node ignores SIGPIPE and blocks nothing the child should inherit: every
    // signal back to its default and an empty mask, as libuv does after fork.
    const failed =
      attrInit(attr) ||
      setFlags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) ||
      emptySet(noSignals) ||
      fillSet(allSignals) ||
      setMask(attr, noSignals) ||
      setDefault(attr, allSignals);
    if (failed) return libc;
    process.on('SIGCHLD', reap);
    libc = {
      spawn: fn('int posix_spawn(int *pid, const char *path, void *actions, void *attr, const char **argv, const char **envp)'),
      actionsInit: fn('int posix_spawn_file_actions_init(void *actions)'),
      actionsDestroy: fn('int posix_spawn_file_actions_destroy(void *actions)'),
      addDup2: fn('int posix_spawn_file_actions_adddup2(void *actions, int fd, int newfd)'),
      addOpen: fn('int posix_spawn_file_actions_addopen(void *actions, int fd, const char *path, int oflag, uint32_t mode)'),
      addChdir: fn('int posix_spawn_file_actions_addchdir_np(void *actions, const char *path)'),
      pipe2: fn('int pipe2(int *fds, int flags)'),
      close: fn('int close(int fd)'),
      waitpid: fn('int waitpid(int pid, int *status, int options)'),
      attr,
    } as Libc;
  } catch {
    libc = null; // no koffi build for this machine, or a libc without these symbols
  }
  return libc;
}

/** Binds libc now, whatever was started before: whether children can start through posix_spawn here. */
export function posixSpawnAvailable(): boolean {
  spawnsBefore++;
  return bindLibc() !== null;
}

/** Whether something (the Go bridge) has loaded koffi already; no resolving, which reads package.json files. */
function koffiLoaded(): boolean {
  return Object.keys(requireHere.cache).some((id) => id.endsWith(`${path.sep}koffi.node`));
}

/**
 * Children waiting to be reaped, by pid. Node's SIGCHLD handling (libuv) only
 * waits for the pids it started, so these stay ours. The SIGCHLD listener is
 * installed once, before the first child (a short child can exit before a
 * listener added after it would see the signal), and stays; a ref'd interval
 * keeps the event loop alive while a child runs (signal listeners do not),
 * and polls, should a signal ever be missed.
 */
const running = new Map<number, (status: number) => void>();
const waitStatus = new Int32Array(1);
/** created once and ref'd/unref'd, which costs less than a new timer per child */
let keepAlive: NodeJS.Timeout | undefined;

function reap(): void {
  const bound = libc;
  if (!bound) return;
  for (const [pid, settle] of running) {
    if (bound.waitpid(pid, waitStatus, WNOHANG) !== pid) continue;
    running.delete(pid);
    settle(waitStatus[0]!);
  }
  if (running.size === 0) keepAlive?.unref();
}

function startReaping(): void {
  keepAlive ??= setInterval(reap, 200);
  keepAlive.ref();
}

const signalNames = new Map(Object.entries(osConstants.signals).map(([name, number]) => [number, name as NodeJS.Signals]));

/**
 * Starts `command args…` in a new session through posix_spawn, or returns
 * undefined when this process cannot (the caller then uses Node's spawn).
 * A child that cannot start emits 'error' on the next tick with Node's
 * wording (`spawn <command> ENOENT`), pid undefined; one that ran emits
 * 'exit' and, once its output is read, 'close' (code, signal), as Node's.
 */
export function fastSpawn(command: string, args: readonly string[], options: FastSpawnOptions): SpawnedChild | undefined {
  const c = bindLibc();
  if (!c) return undefined;
  const child = new SpawnedChild();
  const file = resolveCommand(command, options.env.PATH, options.cwd);
  const actions = Buffer.alloc(OPAQUE_BYTES);
  const out = new Int32Array(2);
  const err = new Int32Array(2);
  const pid = new Int32Array(1);
  const piped = options.stdio === 'pipe';
  let code = c.actionsInit(actions);
  try {
    if (piped && (c.pipe2(out, O_CLOEXEC) !== 0 || c.pipe2(err, O_CLOEXEC) !== 0)) throw new Error('pipe2 failed');
    code ||= c.addOpen(actions, 0, '/dev/null', O_RDONLY, 0);
    if (piped) code ||= c.addDup2(actions, out[1]!, 1) || c.addDup2(actions, err[1]!, 2);
    else code ||= c.addOpen(actions, 1, '/dev/null', O_WRONLY, 0) || c.addOpen(actions, 2, '/dev/null', O_WRONLY, 0);
    code ||= c.addChdir(actions, options.cwd);
    code ||= c.spawn(pid, file, actions, c.attr, [command, ...args, null], [...envList(options.env), null]);
  } catch {
    closeAll(c, out, err);
    c.actionsDestroy(actions);
    return undefined; // out of descriptors or the like: Node's spawn reports it in its words
  }
  c.actionsDestroy(actions);
  if (piped) {
    c.close(out[1]!);
    c.close(err[1]!);
  }
  if (code !== 0) {
    if (piped) closeAll(c, out, err);
    process.nextTick(() => child.emit('error', spawnError(code, command, args)));
    return child;
  }
  child.pid = pid[0]!;
  let open = 1;
  const closed = () => {
    if (--open === 0) child.emit('close', child.exitCode, child.signalCode);
  };
  if (piped) {
    child.stdout = new net.Socket({ fd: out[0]!, readable: true, writable: false });
    child.stderr = new net.Socket({ fd: err[0]!, readable: true, writable: false });
    open += 2;
    child.stdout.once('close', closed);
    child.stderr.once('close', closed);
  }
  running.set(child.pid, (status) => {
    // <sys/wait.h>: low 7 bits the terminating signal, else the exit code above them
    const signal = status & 0x7f;
    if (signal === 0) child.exitCode = (status >> 8) & 0xff;
    else child.signalCode = signalNames.get(signal) ?? 'SIGKILL';
    child.emit('exit', child.exitCode, child.signalCode);
    closed();
  });
  startReaping();
  return child;
}

function closeAll(c: Libc, ...pairs: Int32Array[]): void {
  for (const pair of pairs) for (const fd of pair) if (fd > 0) c.close(fd);
}

function envList(env: NodeJS.ProcessEnv): string[] {
  const list: string[] = [];
  for (const key in env) {
    const value = env[key];
    if (value !== undefined) list.push(`${key}=${value}`);
  }
  return list;
}

/** Node's error for a child that could not start: `spawn sh ENOENT`, with code, errno, syscall, path. */
function spawnError(errno: number, command: string, args: readonly string[]): NodeJS.ErrnoException {
  const name = getSystemErrorName(-errno);
  return Object.assign(new Error(`spawn ${command} ${name}`), { errno: -errno, code: name, syscall: `spawn ${command}`, path: command, spawnargs: [...args] });
}

/** PATH lookups, by PATH and name: a manifest runs the same shell many times. */
const resolved = new Map<string, string>();

/**
 * The file execvp would run for `command`, looked up in the child's PATH as
 * libuv does (posix_spawnp would use gilbert's own PATH); a name that is
 * found nowhere is returned as it is and fails to start with ENOENT.
 */
function resolveCommand(command: string, pathVar: string | undefined, cwd: string): string {
  if (command.includes('/')) return command;
  const key = `${pathVar ?? ''}\0${command}`;
  const known = resolved.get(key);
  if (known) return known;
  for (const dir of (pathVar ?? '/usr/local/bin:/bin:/usr/bin').split(':')) {
    const candidate = path.resolve(cwd, dir || '.', command);
    if (!isExecutableFile(candidate)) continue;
    // a relative PATH entry depends on the working directory: not cached
    if (path.isAbsolute(dir)) resolved.set(key, candidate);
    return candidate;
  }
  return command;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
