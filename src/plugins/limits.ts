import { PluginError } from '../errors.js';

/**
 * Bounds on what a plugin source may cost, set through the environment
 * (README, "Reliability"). A server that stalls, or sends gigabytes, or a
 * file:// plugin that is /dev/zero, ends in a clear error instead of a hang
 * or a full disk.
 *
 *   GILBERT_PLUGIN_MAX_SIZE   largest plugin file, downloaded or local (default 512M; k/M/G suffixes)
 *   GILBERT_HTTP_TIMEOUT      seconds a download may go without receiving anything (default 30)
 *   GILBERT_DOWNLOAD_TIMEOUT  seconds a whole download may take (default 600)
 */
export interface PluginLimits {
  maxPluginBytes: number;
  idleTimeoutMs: number;
  totalTimeoutMs: number;
}

const sizeUnits: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function setting(env: NodeJS.ProcessEnv, name: string, fallback: number, parse: (text: string) => number | undefined, example: string): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = parse(text);
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    throw new PluginError(`${name}='${text}' is not a valid setting`, { hint: `set it to a positive number, e.g. ${name}=${example}, or unset it for the default` });
  }
  return value;
}

function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(text);
  return match ? Math.floor(Number(match[1]) * sizeUnits[match[2]!.toLowerCase()]!) : undefined;
}

function parseSeconds(text: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : undefined;
}

export function pluginLimits(env: NodeJS.ProcessEnv = process.env): PluginLimits {
  return {
    maxPluginBytes: setting(env, 'GILBERT_PLUGIN_MAX_SIZE', 512 * 1024 ** 2, parseSize, '1G'),
    idleTimeoutMs: setting(env, 'GILBERT_HTTP_TIMEOUT', 30_000, parseSeconds, '60'),
    totalTimeoutMs: setting(env, 'GILBERT_DOWNLOAD_TIMEOUT', 600_000, parseSeconds, '1800'),
  };
}

/** `536870912` → `512 MiB`, for messages. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}
