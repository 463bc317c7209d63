import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/**
 * Opens a file in the user's browser when there is one to open: `open` on
 * macOS, `xdg-open` on Linux/BSD when a display is set, `start` on Windows.
 * On a headless machine (CI, SSH) there is nothing to open, and the caller
 * prints the path instead. Returns whether an opener was started.
 */
export async function openInBrowser(file: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const command = await openerCommand(env);
  if (!command) return false;
  return new Promise((resolve) => {
    const child = spawn(command[0]!, [...command.slice(1), file], { detached: true, stdio: 'ignore', env });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      // the opener may outlive us (it hands the file to the browser and exits)
      child.unref();
      resolve(true);
    });
  });
}

async function openerCommand(env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  if (process.platform === 'win32') return ['cmd', '/c', 'start', '""'];
  if (process.platform === 'darwin') return (await onPath('open', env)) ? ['open'] : undefined;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return (await onPath('xdg-open', env)) ? ['xdg-open'] : undefined;
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}
