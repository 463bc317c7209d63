import { GilbertError } from '../../errors.js';
import type { ActionHandler, ActionParams, HandlerFactory, Scope } from '../../sdk/index.js';

/** What an untyped (JavaScript) plugin may hand back: a synchronous `call`, no `cancel`. */
interface LooseHandler {
  call(...args: Parameters<ActionHandler['call']>): void | Promise<void>;
  cancel?(...args: Parameters<ActionHandler['cancel']>): void | Promise<void>;
}

/**
 * Gives the runner a full ActionHandler whatever the plugin returned: the
 * types require an async `call` and a `cancel`, but an untyped JavaScript
 * plugin may still return a synchronous `call` and leave `cancel` out.
 *
 * Without a `cancel`, cancelling waits for `call` and reports its outcome:
 * the job's signal is already aborted, so a handler that honours it settles
 * promptly, and the job's result stays the one `call` produced rather than a
 * made-up success racing it.
 */
export function completeHandler(handler: LooseHandler): ActionHandler {
  let running: Promise<void> | undefined;
  return {
    call(ctx, runner) {
      running = (async () => handler.call(ctx, runner))();
      return running;
    },
    cancel(ctx) {
      if (handler.cancel) {
        const cancel = handler.cancel.bind(handler);
        return (async () => cancel(ctx))();
      }
      return running ?? Promise.resolve();
    },
  };
}

/** Wraps a plugin's factory so that what it returns is checked and completed. */
export function wrapFactory(factory: HandlerFactory, actionName: string, source: string): HandlerFactory {
  return async (scope: Scope, params: ActionParams) => {
    const handler: unknown = await factory(scope, params);
    if (!handler || typeof handler !== 'object' || typeof (handler as LooseHandler).call !== 'function') {
      throw new GilbertError(
        `action '${actionName}' of plugin ${source} returned ${describe(handler)} instead of a handler`,
        { hint: 'an action factory must return (or resolve to) an object with a `call(ctx, runner)` method' },
      );
    }
    const cancel = (handler as LooseHandler).cancel;
    if (cancel !== undefined && typeof cancel !== 'function') {
      throw new GilbertError(`action '${actionName}' of plugin ${source} returned a handler whose \`cancel\` is not a function`);
    }
    return completeHandler(handler as LooseHandler);
  };
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value} (${String(value).slice(0, 40)})`;
}
