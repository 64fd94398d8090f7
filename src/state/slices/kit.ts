/**
 * What every slice of the app store is made with: the engine, the store's own set and get, and the
 * store itself (a slice that answers to another's changes subscribes to it).
 * A slice is a function of a Kit that returns its part of AppState (initial values and actions).
 */
import type { StoreApi } from "zustand/vanilla";
import type { EngineApi } from "../../worker/api.ts";
import type { AppState } from "../store.ts";

export interface Kit {
  readonly api: EngineApi;
  readonly set: StoreApi<AppState>["setState"];
  readonly get: () => AppState;
  readonly store: StoreApi<AppState>;
}
