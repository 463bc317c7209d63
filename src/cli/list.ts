import type { Logger } from '../log/logger.js';
import { redactUrls } from '../log/redact.js';
import type { Task } from '../manifest/ast.js';
import { loadProjectManifest } from './manifest.js';

/**
 * A task's description: only the gilbert-ts `{description, jobs}` form has
 * one. A plain job list is listed as Gilbert listed it (`  - name`), so that
 * scripts reading Gilbert's `ls` keep working.
 */
function describeTask(task: Task): string | undefined {
  return task.description;
}

export async function listCommand(options: { json?: boolean; quiet?: boolean; strict?: boolean; noColor?: boolean }, log: Logger): Promise<void> {
  const manifest = await loadProjectManifest(options);
  const names = Object.keys(manifest.tasks).sort();
  if (options.json) {
    // indented by two spaces, as Gilbert's json.MarshalIndent
    process.stdout.write(`${redactUrls(JSON.stringify({ file: manifest.file, tasks: names }, null, 2))}\n`);
    return;
  }
  if (options.quiet) {
    if (names.length > 0) process.stdout.write(`${redactUrls(names.join('\n'))}\n`);
    return;
  }
  if (names.length === 0) {
    log.log(`No tasks defined in '${manifest.file}'`);
    return;
  }
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => {
    const description = describeTask(manifest.tasks[name]!);
    return description ? `  - ${name.padEnd(width)}  ${description}` : `  - ${name}`;
  });
  log.log([`List of defined tasks in '${manifest.file}':`, ...lines].join('\n'));
}
