import path from 'node:path';
import picomatch from 'picomatch';
import type { ActionParams, Job, ParamValue, Scope } from '../../sdk/index.js';
import { decodeParams, p, ParamError } from '../params.js';

const ctx = { action: 'watch' };

/** sdk.Job as mapstructure decoded it: its `task` field is tagged `run`, so both spellings are taken. */
const jobShape = {
  description: p.string().default(''),
  action: p.string().default(''),
  task: p.string().default(''),
  run: p.string().default(''),
  mixin: p.string().default(''),
  if: p.string().default(''),
  async: p.bool().default(false),
  delay: p.period().default(0),
  deadline: p.period().default(0),
  vars: p.stringMap().default({}),
  params: p.any(),
};

export const paramShape = {
  path: p.string().default(''),
  ignore: p.stringList().default([]),
  debounceTime: p.period().default(500),
  run: p.any().required('job to run is not defined'),
};

export interface WatchOptions {
  /** absolute path to watch */
  root: string;
  /** `path` ended with `...`: watch sub-directories too */
  recursive: boolean;
  /** as written, expanded, for messages */
  displayPath: string;
  debounceMs: number;
  job: Job;
  /** true for a path (absolute) that must not trigger a run */
  isIgnored: (absolutePath: string) => boolean;
}

function decodeJob(raw: ParamValue): Job {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ParamError('watch', 'run', `param 'run' must be a job (a map with 'action', 'task' or 'mixin')`);
  }
  const job = decodeParams(jobShape, raw as ActionParams, ctx);
  const params = job.params;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw new ParamError('watch', 'run.params', `param 'run.params' must be a map`);
  }
  const result: Job = { vars: job.vars, params: (params ?? {}) as ActionParams, async: job.async };
  const fields = { description: job.description, action: job.action, task: job.task || job.run, mixin: job.mixin, if: job.if };
  for (const [key, value] of Object.entries(fields)) if (value) (result as Record<string, unknown>)[key] = value;
  if (job.delay) result.delay = job.delay;
  if (job.deadline) result.deadline = job.deadline;
  if (!result.action && !result.task && !result.mixin) {
    throw new ParamError('watch', 'run', `param 'run' must name an 'action', 'task' or 'mixin' to run`);
  }
  return result;
}

/** Files a change to which never means "rebuild": hidden files, the manifest, Go's temp files. */
function builtinIgnored(relative: string): boolean {
  const segments = relative.split(path.sep);
  if (segments.some((s) => s.startsWith('.') && s !== '.' && s !== '..')) return true;
  if (relative === 'gilbert.yaml') return true;
  const base = segments[segments.length - 1] ?? '';
  return base.endsWith('go-tmp-umask');
}

export async function decodeWatchParams(scope: Scope, params: ActionParams): Promise<WatchOptions> {
  const raw = decodeParams(paramShape, params, ctx);
  const job = decodeJob(raw.run);
  const project = scope.environment().projectDirectory;

  let watchPath = (await scope.expand(raw.path)).trim();
  if (watchPath === '') {
    throw new ParamError('watch', 'path', "watch path is undefined, please set path to watch in 'path' parameter", undefined, true);
  }
  const displayPath = watchPath;
  const recursive = watchPath.endsWith('...');
  if (recursive) watchPath = watchPath.slice(0, -3) || '.';
  const root = path.resolve(project, watchPath);

  // globs are relative to the project (Gilbert joined them to it); absolute ones are matched as they are
  const globs = await scope.expandAll(raw.ignore);
  const relativeMatch = picomatch(globs.filter((g) => !path.isAbsolute(g)).map((g) => g.replace(/^\.\//, '')), { dot: true });
  const absoluteMatch = picomatch(globs.filter((g) => path.isAbsolute(g)), { dot: true });
  const isIgnored = (absolutePath: string) => {
    const relative = path.relative(project, absolutePath);
    if (relative === '') return false;
    const posix = relative.split(path.sep).join('/');
    return builtinIgnored(relative) || relativeMatch(posix) || absoluteMatch(absolutePath);
  };
  return { root, recursive, displayPath, debounceMs: raw.debounceTime, job, isIgnored };
}
