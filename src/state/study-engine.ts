/**
 * The second engine worker for sweeps and answer keys (src/worker/study-client.ts),
 * behind the same cancellable wrapper as the app's: Cancel ends the worker mid-run and fails the
 * call waiting on it; the next call starts a fresh one.
 */
import * as Comlink from "comlink";
import type { EngineApi } from "../worker/api.ts";
import { restartStudyEngine, studyEngine } from "../worker/study-client.ts";
import { createRestartableEngine, type RestartableEngine } from "./restartable-engine.ts";

let handle: RestartableEngine | null = null;

export function studyWorker(): RestartableEngine {
  if (!handle) {
    handle = createRestartableEngine({
      connect: () => studyEngine() as unknown as EngineApi,
      terminate: restartStudyEngine,
      proxy: (fn) => Comlink.proxy(fn),
    });
  }
  return handle;
}
