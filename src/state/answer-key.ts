/**
 * The answer key: for a list of seeds, each student's problem and the answers its run
 * gives, computed one seed at a time on the second worker (EngineApi.answerKeyRow), with progress
 * and a Cancel. The rows are the ones `zeropage-lab exercise --seeds …` prints.
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import { hasVary } from "../exercise/draw.ts";
import { parseSeeds } from "../exercise/seeds.ts";
import type { AnswerKeyRow } from "../worker/api.ts";
import { CancelledError } from "./restartable-engine.ts";
import type { AppStore } from "./store.ts";
import type { SweepEngine } from "./sweep.ts";

export interface AnswerKeyState {
  readonly open: boolean;
  /** The seeds as typed: "1-30", "17, 42". */
  readonly seedsText: string;
  readonly rows: readonly AnswerKeyRow[];
  readonly status: "idle" | "running" | "done" | "cancelled" | "error";
  readonly done: number;
  readonly total: number;
  readonly error: string | null;
  openKey(): void;
  close(): void;
  setSeedsText(text: string): void;
  /** Computes the key for the seeds typed (the scenario as written, when it has no ranges). */
  run(): Promise<void>;
  cancel(): void;
}

export type AnswerKeyStore = StoreApi<AnswerKeyState>;

export function createAnswerKeyStore(app: AppStore, engine: SweepEngine): AnswerKeyStore {
  let seq = 0;
  const store: AnswerKeyStore = createStore<AnswerKeyState>()(() => ({
    open: false,
    seedsText: "1-10",
    rows: [],
    status: "idle",
    done: 0,
    total: 0,
    error: null,
    openKey: () => {
      store.setState({ open: true });
      if (store.getState().status === "idle") void run();
    },
    close: () => {
      cancel();
      store.setState({ open: false });
    },
    setSeedsText: (seedsText) => store.setState({ seedsText }),
    run: () => run(),
    cancel: () => cancel(),
  }));

  const cancel = () => {
    if (store.getState().status !== "running") return;
    seq++;
    engine.cancel();
    store.setState({ status: "cancelled" });
  };

  const run = async () => {
    if (store.getState().status === "running") cancel();
    const scenario = app.getState().scenario;
    let seeds: (number | null)[] = [null];
    if (hasVary(scenario)) {
      const r = parseSeeds(store.getState().seedsText);
      if (!r.ok) {
        store.setState({ status: "error", error: r.error, rows: [], done: 0, total: 0 });
        return;
      }
      seeds = r.seeds;
    }
    const mine = ++seq;
    const rows: AnswerKeyRow[] = [];
    store.setState({ status: "running", rows: [], done: 0, total: seeds.length, error: null });
    try {
      for (const seed of seeds) {
        const row = await engine.api.answerKeyRow({ scenario, seed });
        if (mine !== seq) return;
        rows.push(row);
        store.setState({ rows: rows.slice(), done: rows.length });
      }
      store.setState({ status: "done" });
    } catch (e) {
      if (mine !== seq || e instanceof CancelledError) return;
      store.setState({ status: "error", error: `the answer key stopped: ${String(e)}` });
    }
  };

  // Another scenario: the key must be computed again.
  app.subscribe((s, prev) => {
    if (s.scenario !== prev.scenario) {
      if (store.getState().status === "running") cancel();
      store.setState({ rows: [], status: "idle", done: 0, total: 0, error: null });
    }
  });
  return store;
}
