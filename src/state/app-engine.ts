/** The app's one engine: the worker (src/worker/client.ts) behind a cancellable wrapper. */
import * as Comlink from "comlink";
import type { EngineApi } from "../worker/api.ts";
import { engine, restartEngine } from "../worker/client.ts";
import { createRestartableEngine, type RestartableEngine } from "./restartable-engine.ts";

let handle: RestartableEngine | null = null;

export function appEngine(): RestartableEngine {
  if (!handle) {
    handle = createRestartableEngine({
      connect: () => engine() as unknown as EngineApi,
      terminate: restartEngine,
      proxy: (fn) => Comlink.proxy(fn),
    });
  }
  return handle;
}
