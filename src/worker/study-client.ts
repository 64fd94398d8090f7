/**
 * The main thread's handle on a second engine worker, for sweeps and answer keys: the
 * same worker module as the app's (client.ts), in its own thread, so that the app keeps stepping
 * while a sweep computes, and a cancelled sweep ends its worker without touching the app's runs.
 */
import * as Comlink from "comlink";
import type { EngineApi } from "./api.ts";

let worker: Worker | null = null;
let api: Comlink.Remote<EngineApi> | null = null;

export function studyEngine(): Comlink.Remote<EngineApi> {
  if (!api) {
    worker = new Worker(new URL("./engine.worker.ts", import.meta.url), {
      type: "module",
      name: "zeropage-study",
    });
    api = Comlink.wrap<EngineApi>(worker);
  }
  return api;
}

/** Ends the worker (a cancelled sweep): the next call starts a fresh one. */
export function restartStudyEngine(): void {
  if (api) api[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  api = null;
}
