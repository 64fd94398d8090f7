/**
 * The module Web Worker that runs the engine. comlink exposes EngineHost; the main thread never
 * runs the model. The expose is guarded so that Node (tests, the CLI) can import this module.
 */
import * as Comlink from "comlink";
import type { ViewRequest, ViewState } from "./api.ts";
import { EngineHost } from "./engine-host.ts";

const inWorker =
  typeof self !== "undefined" &&
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";

/**
 * The host, with per-step snapshot buffers transferred instead of copied. (The trace is copied:
 * the worker keeps its own for seeking.)
 */
class TransferringHost extends EngineHost {
  override async view(req: ViewRequest): Promise<ViewState> {
    const v = await super.view(req);
    const buffers: ArrayBuffer[] = [];
    for (const m of v.mms) buffers.push(m.tableClass.buffer as ArrayBuffer, m.balloon.buffer as ArrayBuffer);
    return Comlink.transfer(v, buffers);
  }
}

/** Runs kept for a kernel chosen again, and for the kernels computed ahead (EngineHost.computeAhead). */
const CACHED_RUNS = 6;
/**
 * How long the worker must have had no call before it computes ahead: long enough that a page
 * still mounting its views (which asks nothing of the worker meanwhile) is not slowed by it.
 */
const IDLE_MS = 2000;

/**
 * The host as the main thread reaches it: every call restarts the idle timer, and once the worker
 * has been idle for IDLE_MS it computes the loads planned ahead, one per task, so a call that
 * arrives meanwhile waits for one run at most. On a machine with fewer than two cores it never
 * computes ahead (the runs it keeps are still reused).
 */
function exposed(host: EngineHost, cores = 2): EngineHost {
  // One core: work ahead would always take it from the page.
  if (cores < 2) return host;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const ahead = () => {
    timer = host.computeAhead() ? setTimeout(ahead, 0) : null;
  };
  const touch = () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(ahead, IDLE_MS);
  };
  return new Proxy(host, {
    get(target, name, receiver) {
      const v = Reflect.get(target, name, receiver);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        touch();
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

if (inWorker)
  Comlink.expose(
    exposed(new TransferringHost("worker", { cacheRuns: CACHED_RUNS }), navigator.hardwareConcurrency),
  );

export { exposed, TransferringHost };
