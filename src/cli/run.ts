import { createBuiltinRegistry } from '../actions/index.js';
import { CancelledError, GilbertError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { TaskRunner, dryRun } from '../runner/index.js';
import type { Vars } from '../sdk/index.js';
import { loadProjectManifest } from './manifest.js';

/** `--var name=value`: the name is trimmed, the value is everything after the first `=`; malformed entries are ignored, as in Gilbert. */
export function parseVars(entries: readonly string[]): Vars {
  const vars: Vars = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at < 0) continue;
    const name = entry.slice(0, at).trim();
    if (name) vars[name] = entry.slice(at + 1);
  }
  return vars;
}

/** SIGINT and SIGTERM cancel the run; a second one exits at once. */
function cancelOnSignals(controller: AbortController, log: Logger): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(name === 'SIGINT' ? 130 : 143);
      log.log('Shutting down...');
      controller.abort(new CancelledError(name, `task cancelled by ${name}`));
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  return () => handlers.forEach((remove) => remove());
}

export async function runCommand(task: string | undefined, options: { var: string[]; dryRun?: boolean }, log: Logger): Promise<void> {
  if (!task) throw new GilbertError('no task specified', { hint: "usage: gilbert run <task>; 'gilbert ls' lists the tasks" });
  const manifest = await loadProjectManifest();
  const vars = parseVars(options.var);
  if (options.dryRun) {
    await dryRun(manifest, task, { log, vars });
    return;
  }
  const controller = new AbortController();
  const stopListening = cancelOnSignals(controller, log);
  try {
    const registry = createBuiltinRegistry();
    if (manifest.plugins.length > 0) {
      // Lazily: plugin loading may pull in koffi and the Go shim.
      const { importPlugins } = await import('../plugins/index.js');
      await importPlugins(manifest.plugins, { registry, log, signal: controller.signal, projectDirectory: manifest.projectDirectory });
    }
    await new TaskRunner({ manifest, registry, log }).run(task, { vars, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    stopListening();
  }
  log.success(`Task '${task}' ran successfully`);
}
