import { createBuiltinRegistry } from '../actions/index.js';
import { CancelledError, GilbertError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { nameTable } from '../manifest/ast.js';
import { TaskRunner, dryRun } from '../runner/index.js';
import type { Vars } from '../sdk/index.js';
import { loadProjectManifest, withManifestAdvice } from './manifest.js';

/** `--var name=value`: the name is trimmed, the value is everything after the first `=`; malformed entries are ignored, as in Gilbert. */
export function parseVars(entries: readonly string[]): Vars {
  const vars: Vars = nameTable();
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at < 0) continue;
    const name = entry.slice(0, at).trim();
    if (name) vars[name] = entry.slice(at + 1);
  }
  return vars;
}

/**
 * SIGINT and SIGTERM cancel the run; a second one, or one arriving after the
 * run ended (while cancelled commands are still being killed), exits at once.
 * The handlers stay installed to the end: without them such a signal would
 * kill Node before its exit hook kills the remaining process groups.
 */
function cancelOnSignals(controller: AbortController, log: Logger): { runEnded: () => void } {
  let ended = false;
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      if (ended || controller.signal.aborted) process.exit(name === 'SIGINT' ? 130 : 143);
      log.log('Shutting down...');
      controller.abort(new CancelledError(name, `task cancelled by ${name}`));
    });
  }
  return { runEnded: () => (ended = true) };
}

export async function runCommand(
  task: string | undefined,
  options: { var: string[]; dryRun?: boolean; strict?: boolean; noColor?: boolean; isolate?: boolean },
  log: Logger,
): Promise<void> {
  if (!task) throw new GilbertError('no task specified', { hint: "usage: gilbert run <task>; 'gilbert ls' lists the tasks" });
  const manifest = await loadProjectManifest(options).catch((error: unknown) => {
    throw withManifestAdvice(error);
  });
  const vars = parseVars(options.var);
  if (options.dryRun) {
    await dryRun(manifest, task, { log, vars });
    return;
  }
  const controller = new AbortController();
  const signals = cancelOnSignals(controller, log);
  try {
    const registry = createBuiltinRegistry();
    if (manifest.plugins.length > 0) {
      // Lazily: plugin loading may pull in koffi and the Go shim.
      const { importPlugins } = await import('../plugins/index.js');
      // A script plugin's code can block the event loop, and with it the signal handlers above.
      const beforeScriptPlugin = async () => (await import('../system/sigint-watchdog.js')).startSigintWatchdog();
      await importPlugins(manifest.plugins, { registry, log, signal: controller.signal, projectDirectory: manifest.projectDirectory, beforeScriptPlugin, isolate: options.isolate }).catch((error: unknown) => {
        throw controller.signal.aborted ? error : withManifestAdvice(error);
      });
    }
    await new TaskRunner({ manifest, registry, log }).run(task, { vars, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    signals.runEnded();
  }
  log.success(`Task '${task}' ran successfully`);
  // Gilbert's success line ended in '\n' of its own: a blank line follows it
  process.stdout.write('\n');
}
