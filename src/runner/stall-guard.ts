/**
 * A promise that nothing can settle any more — an action whose `call` never
 * resolves and holds no timer, socket or child — would let Node's event loop
 * run empty and the CLI exit 0 with the rest of the task skipped. Node says
 * when the loop is about to run empty ('beforeExit'); at that moment every
 * guarded promise still pending is stuck for good, and is failed instead.
 */
export class StallGuard {
  private readonly pending = new Set<() => void>();
  private readonly onIdle = (): void => {
    for (const fail of [...this.pending]) fail();
  };
  private users = 0;

  /** Watches the event loop while a run is under way; `release` when it ends. */
  hold(): { release: () => void } {
    if (this.users++ === 0) process.on('beforeExit', this.onIdle);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (--this.users === 0) process.off('beforeExit', this.onIdle);
      },
    };
  }

  /** `promise`, or a rejection with `stuck()` if the event loop runs out of work before it settles. */
  guard<T>(promise: Promise<T>, stuck: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = (): void => {
        this.pending.delete(fail);
        reject(stuck());
      };
      this.pending.add(fail);
      promise.then(
        (value) => {
          this.pending.delete(fail);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(fail);
          reject(error);
        },
      );
    });
  }
}
