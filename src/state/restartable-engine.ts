/**
 * The engine as the store sees it, but cancellable: `api` forwards every call to the current
 * worker, and `cancel()` terminates that worker (src/worker/client.ts restartEngine) and rejects
 * every call still waiting on it, so the store's load fails cleanly instead of hanging. The next
 * call starts a fresh worker.
 *
 * Progress: each new worker is given a listener (EngineApi.setProgressListener) whose reports,
 * plus "running" and "cancelled", are kept in `progress` for the editor's progress bar.
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import type { EngineApi, LoadProgress, ProgressListener } from "../worker/api.ts";

export interface EngineProgress {
  /** A load() is running. */
  readonly running: boolean;
  /** When it started (performance.now()), for the elapsed time. */
  readonly startedAt: number;
  /** The worker's last report, or null before the first. */
  readonly last: LoadProgress | null;
  /** The last load was cancelled by the user. */
  readonly cancelled: boolean;
}

export interface RestartableEngine {
  readonly api: EngineApi;
  readonly progress: StoreApi<EngineProgress>;
  /** Terminates the worker and fails the calls waiting on it. */
  cancel(): void;
}

export interface EngineConnection {
  /** The current engine (starting a worker if there is none). */
  connect(): EngineApi;
  /** Ends the current engine; the next connect() starts another. */
  terminate(): void;
  /** Wraps a callback for the other side (Comlink.proxy in the app; identity in tests). */
  proxy<T extends (...args: never[]) => unknown>(fn: T): T;
}

export class CancelledError extends Error {
  constructor() {
    super("the computation was cancelled");
    this.name = "CancelledError";
  }
}

/** Run ids per worker generation: 2^32 runs each before two ranges could meet. */
const RUN_ID_RANGE = 2 ** 32;

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

export function createRestartableEngine(conn: EngineConnection): RestartableEngine {
  const progress = createStore<EngineProgress>()(() => ({
    running: false,
    startedAt: 0,
    last: null,
    cancelled: false,
  }));
  const waiting = new Set<(e: Error) => void>();
  let current: EngineApi | null = null;
  let generation = 0;

  const listener: ProgressListener = (p) => {
    if (progress.getState().running) progress.setState({ last: p });
  };

  const target = (): EngineApi => {
    if (!current) {
      current = conn.connect();
      // A new worker numbers its runs from 1 again; the store may still hold an id from the old
      // one (and release it), so each worker gets its own range.
      const api = current;
      const quietly = (f: () => Promise<void>) => {
        try {
          f().catch(() => {});
        } catch {
          // an engine without the method: no progress, and ids as it numbers them
        }
      };
      quietly(() => api.setRunIdBase(generation * RUN_ID_RANGE + 1));
      quietly(() => api.setProgressListener(conn.proxy(listener)));
    }
    return current;
  };

  /** Calls `f` on the current engine; rejects with CancelledError if cancel() comes first. */
  const call = <T>(f: (api: EngineApi) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const gen = generation;
      const fail = (e: Error) => reject(e);
      waiting.add(fail);
      let p: Promise<T>;
      try {
        p = f(target());
      } catch (e) {
        waiting.delete(fail);
        reject(e);
        return;
      }
      p.then(
        (v) => {
          waiting.delete(fail);
          if (gen === generation) resolve(v);
        },
        (e) => {
          waiting.delete(fail);
          if (gen === generation) reject(e);
        },
      );
    });

  // Every method forwards to the current engine through call(), including methods added to
  // EngineApi later; load() also tracks progress, and the worker's listener belongs to us.
  const special: Partial<Record<keyof EngineApi, unknown>> = {
    async load(req: Parameters<EngineApi["load"]>[0]) {
      progress.setState({ running: true, startedAt: now(), last: null, cancelled: false });
      try {
        return await call((a) => a.load(req));
      } finally {
        if (!progress.getState().cancelled) progress.setState({ running: false });
      }
    },
    setProgressListener: async () => {},
    setRunIdBase: async () => {},
  };
  const api = new Proxy({} as EngineApi, {
    get(_t, name) {
      if (typeof name !== "string") return undefined;
      if (name === "then") return undefined; // not a thenable
      if (name in special) return special[name as keyof EngineApi];
      return (...args: unknown[]) =>
        call((a) => (a as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[name]!(...args));
    },
  });

  return {
    api,
    progress,
    cancel() {
      generation++;
      const running = progress.getState().running;
      current = null;
      conn.terminate();
      progress.setState({ running: false, cancelled: running });
      const err = new CancelledError();
      for (const fail of [...waiting]) fail(err);
      waiting.clear();
    },
  };
}
