import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobContext, Scope } from '../../sdk/index.js';
import { envFromList, GroupProcess } from '../../system/group-process.js';

/**
 * A temporary folder for a coverage profile (Gilbert: `gbcover*.out` in the
 * temp dir), removed when the action ends or is cancelled.
 */
export class ProfileFile {
  private constructor(
    private readonly dir: string,
    readonly path: string,
  ) {}

  static async create(): Promise<ProfileFile> {
    const dir = await mkdtemp(join(tmpdir(), 'gbcover'));
    return new ProfileFile(dir, join(dir, 'cover.out'));
  }

  read(): Promise<string> {
    return readFile(this.path, 'utf8');
  }

  async remove(ctx: JobContext): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    ctx.log.debug(`removed cover file '${this.path}'`);
  }
}

/** `go tool cover -func=<profile>` output, for per-function numbers. */
export async function functionCoverage(scope: Scope, ctx: JobContext, profile: string, track: (p: GroupProcess) => void): Promise<string> {
  const chunks: Buffer[] = [];
  const proc = new GroupProcess('go', ['tool', 'cover', `-func=${profile}`], {
    cwd: scope.environment().projectDirectory,
    env: envFromList(scope.environ()),
    log: ctx.log,
    onStdout: (chunk) => chunks.push(chunk),
  });
  track(proc);
  const status = await proc.exited;
  if (status.code !== 0) ctx.log.warn('cover: per-function coverage is unavailable (go tool cover -func failed)');
  return Buffer.concat(chunks).toString('utf8');
}
