/**
 * Node's setTimeout holds at most 2^31-1 ms (about 24.8 days); a longer
 * delay fires after 1 ms with a warning. A `delay` or `deadline` may be any
 * whole number of milliseconds, so long ones are chained: each timer waits
 * at most the maximum and re-arms for what is left.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

/** Calls `fn` once after `ms` milliseconds, however large. */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}
