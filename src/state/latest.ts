/**
 * Latest-wins requests to the worker: one in flight at a time, and while it is, only the newest
 * target waits (older ones are replaced, never sent). Seeking, the compare cursor, the diff map and
 * a page's history all ask through one of these, so that stepping faster than the worker answers
 * sends one request per answer and shows the newest step.
 *
 * `send` asks the worker for one target and applies the answer if it is still wanted (the caller
 * checks that: same run, same granularity); it catches its own errors. Whatever it throws is
 * dropped here so that the next target still goes out.
 */
export interface LatestWins<T> {
  /**
   * Asks for `target`: sent at once when nothing is in flight, else after the request in flight
   * answers (replacing a target still waiting). Resolves when nothing is left to send.
   */
  ask(target: T): Promise<void>;
  /** Forgets the waiting target, if any (the one in flight still answers). */
  drop(): void;
  /** A target waits behind the request in flight: an answer now is not the newest. */
  waiting(): boolean;
  /** Nothing in flight and nothing waiting. */
  idle(): boolean;
}

export function latestWins<T>(send: (target: T) => Promise<void>): LatestWins<T> {
  let next: { readonly target: T } | null = null;
  let running: Promise<void> | null = null;
  const drain = async (): Promise<void> => {
    try {
      while (next !== null) {
        const { target } = next;
        next = null;
        try {
          await send(target);
        } catch {
          // `send` reports its own failures; the next target still goes out.
        }
      }
    } finally {
      running = null;
    }
  };
  return {
    ask(target) {
      next = { target };
      // `running` is set before drain's first await and cleared in the same turn as its last
      // check of `next`: a target asked for in between is never left behind.
      if (running === null) running = drain();
      return running;
    },
    drop() {
      next = null;
    },
    waiting() {
      return next !== null;
    },
    idle() {
      return running === null && next === null;
    },
  };
}
