/** The main thread's handle on the engine worker (comlink). One worker per page. */
import * as Comlink from "comlink";
import type { EngineApi } from "./api.ts";

let worker: Worker | null = null;
let api: Comlink.Remote<EngineApi> | null = null;

export function engine(): Comlink.Remote<EngineApi> {
  if (!api) {
    worker = new Worker(new URL("./engine.worker.ts", import.meta.url), {
      type: "module",
      name: "zeropage-engine",
    });
    api = Comlink.wrap<EngineApi>(worker);
  }
  return api;
}

/** Ends the worker (a cancelled computation, or a crash): the next call starts a fresh one. */
export function restartEngine(): void {
  if (api) api[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  api = null;
}
