/**
 * Backpressure from the console to whoever produces log lines. Writing to a
 * pipe whose reader is slow (`gilbert run big | less`) queues the text in
 * memory; producers that can wait — a child's output pipes, the Go bridge —
 * pause while the queue is full, so that memory stays bounded and the child
 * blocks in write(2) as it would writing to the pipe itself.
 */
export interface OutputFlow {
  /** true while more is queued than the stream wants buffered (a write returned false) */
  readonly backedUp: boolean;
  /** settles once the queue has drained (at once when it is not backed up) */
  drained(): Promise<void>;
}

/** The flow of a Node stream: backed up between a `write()` that returned false and its 'drain'. */
export function streamFlow(stream: Pick<NodeJS.WritableStream, 'once' | 'removeListener'> & { writableNeedDrain?: boolean }): OutputFlow {
  let waiting: Promise<void> | undefined;
  return {
    get backedUp() {
      return stream.writableNeedDrain === true;
    },
    drained() {
      if (stream.writableNeedDrain !== true) return Promise.resolve();
      // one listener however many producers wait; 'close' too, so a closed pipe does not strand them
      waiting ??= new Promise<void>((resolve) => {
        const done = () => {
          stream.removeListener('drain', done);
          stream.removeListener('close', done);
          waiting = undefined;
          resolve();
        };
        stream.once('drain', done);
        stream.once('close', done);
      });
      return waiting;
    },
  };
}
