/**
 * The state tests' start: an app store over an in-process engine, opened and settled, and the one
 * polling wait they share. Tests only.
 */
import { expect } from "vitest";
import { EngineHost } from "../../worker/engine-host.ts";
import { LinkSync } from "../link-sync.ts";
import { type AppStore, createAppStore, type InitialState } from "../store.ts";
import { readUrlState } from "../url.ts";
import { FakeHost, settle } from "./url-host.ts";

/** Polls every 2 ms until `ok()` holds, at most `tries` times; then fails naming `what`. */
export async function until(ok: () => boolean, what = "the stores settle", tries = 5000): Promise<void> {
  for (let i = 0; i < tries && !ok(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(ok(), what).toBe(true);
}

export interface ReadyStore {
  readonly store: AppStore;
  /** The engine the store runs on, for slices that share it (compare, exercise, sweep). */
  readonly api: EngineHost;
}

export interface ReadyLinkedStore extends ReadyStore {
  /** The fake window whose address bar and history the link sync writes. */
  readonly host: FakeHost;
  readonly sync: LinkSync;
}

/**
 * An app store opened on `initial` (by default the 64 MiB teaching preset, quick at every
 * granularity), initialised and settled: the run loaded, the view at its step, nothing in flight.
 */
export async function readyStore(
  initial: InitialState = { presetId: "teaching-small" },
): Promise<ReadyStore> {
  const api = new EngineHost("main");
  const store = createAppStore(api, initial);
  await store.getState().init();
  await settle(store);
  return { store, api };
}

/**
 * An app store opened from the link `hash` with its link sync over a fake window (no replace
 * delay), initialised and settled as the page opens it.
 */
export async function readyLinkedStore(hash: string, tries?: number): Promise<ReadyLinkedStore> {
  const api = new EngineHost("main");
  const host = new FakeHost(hash);
  const store = createAppStore(api, readUrlState(hash));
  const sync = new LinkSync(store, host, { replaceDelayMs: 0 });
  await store.getState().init();
  await settle(store, tries);
  return { store, api, host, sync };
}
