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

if (inWorker) Comlink.expose(new TransferringHost("worker"));

export { TransferringHost };
