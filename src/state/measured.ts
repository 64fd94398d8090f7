/**
 * Measured runs beside the model: a slice next to the app store that holds one imported
 * measured-runs file (src/scenario/measured.ts: what `npm run qemu-check -- --json` writes, or the
 * app's own recorded check, public/qemu-check/measured.json) and which of its runs is shown.
 *
 * Showing a run loads the scenario the model ran for it into the app store. The overlay belongs to
 * that very scenario object: while the app shows it (any step, any granularity), the charts draw
 * the measurement beside the model; once another scenario is loaded, they stop, and the file stays
 * here to pick a run again. A file that is not valid JSON or not of the format changes nothing but
 * the error message.
 *
 * One slice per app store, created on first use (measuredStoreFor), so the composition root does
 * not change.
 */
import { createStore, type StoreApi } from "zustand";
import { type Measured, type MeasuredRun, parseMeasured } from "../scenario/measured.ts";
import type { AppStore } from "./store.ts";

export type { Measured, MeasuredPhaseMemory, MeasuredRun } from "../scenario/measured.ts";

/** Where the app's own recorded check is served (public/qemu-check/, written by the check). */
export const RECORDED_MEASURED_URL = "qemu-check/measured.json";

export interface MeasuredState {
  readonly doc: Measured | null;
  /** "the recorded check" or the imported file's name. */
  readonly source: string | null;
  readonly runId: string | null;
  /** The scenario object handed to the app store for runId; the overlay shows while the app shows it. */
  readonly scenario: unknown;
  readonly status: "idle" | "loading" | "error";
  readonly error: string | null;
  /** Parses and validates a file's text; shows its balloon precopy run (or its first). */
  importText(text: string, name: string): Promise<void>;
  /** Fetches the app's own recorded check. */
  loadRecorded(): Promise<void>;
  selectRun(id: string): Promise<void>;
  /** Forgets the file; the app keeps its scenario. */
  clear(): void;
}

export type MeasuredStore = StoreApi<MeasuredState>;

export type FetchText = (url: string) => Promise<string>;

const defaultFetch: FetchText = async (url) => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.text();
};

export function createMeasuredStore(app: AppStore, fetchText: FetchText = defaultFetch): MeasuredStore {
  const store = createStore<MeasuredState>()((set, get) => {
    const show = async (doc: Measured, source: string, id: string) => {
      const run = doc.runs.find((r) => r.id === id);
      if (!run) {
        set({ status: "error", error: `${source} has no run '${id}'` });
        return;
      }
      set({ doc, source, runId: id, scenario: run.scenario, status: "idle", error: null });
      await app.getState().loadScenario(run.scenario);
    };
    const accept = async (json: unknown, source: string) => {
      const r = parseMeasured(json);
      if (!r.ok) {
        const list = r.issues.map((i) => `${i.path || "(file)"}: ${i.message}`).join("; ");
        set({ status: "error", error: `${source} is not a measured-runs file: ${list}` });
        return;
      }
      const doc = r.measured;
      const first = doc.runs.find((x) => x.id === "balloon-precopy") ?? doc.runs[0]!;
      await show(doc, source, first.id);
    };
    return {
      doc: null,
      source: null,
      runId: null,
      scenario: null,
      status: "idle",
      error: null,
      async importText(text, name) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (e) {
          set({ status: "error", error: `${name} is not JSON: ${(e as Error).message}` });
          return;
        }
        await accept(json, name);
      },
      async loadRecorded() {
        set({ status: "loading", error: null });
        let text: string;
        try {
          text = await fetchText(RECORDED_MEASURED_URL);
        } catch (e) {
          set({ status: "error", error: `cannot load the recorded check: ${(e as Error).message}` });
          return;
        }
        await get().importText(text, "the recorded check");
      },
      async selectRun(id) {
        const s = get();
        if (s.doc && s.source) await show(s.doc, s.source, id);
      },
      clear() {
        set({ doc: null, source: null, runId: null, scenario: null, status: "idle", error: null });
      },
    };
  });
  return store;
}

const stores = new WeakMap<AppStore, MeasuredStore>();

/** The measured slice of `app`, created on first use. */
export function measuredStoreFor(app: AppStore): MeasuredStore {
  let s = stores.get(app);
  if (!s) {
    s = createMeasuredStore(app);
    stores.set(app, s);
  }
  return s;
}

/** The measured run to draw while the app shows `appScenario`, or null. */
export function activeMeasuredRun(
  s: Pick<MeasuredState, "doc" | "runId" | "scenario">,
  appScenario: unknown,
): MeasuredRun | null {
  if (!s.doc || s.runId === null || s.scenario === null || s.scenario !== appScenario) return null;
  return s.doc.runs.find((r) => r.id === s.runId) ?? null;
}
