/**
 * The run slice: which scenario, seed and kernel, and the run the worker computed for them.
 *
 * A load keeps the run on screen while the new one computes: its views, its counters and its
 * outcome, stepping included (status "loading" says a new one is coming; the header says which).
 * The new run replaces it only together with its first view, in one update, so no frame shows a
 * run without its view ("Computing…" beside counters of 0 B). Only the newest load lands.
 */
import type { VariantId } from "../../worker/api.ts";
import { type AppState, currentPresetId, drawOf, type InitialState, openingPosition } from "../store.ts";
import type { Kit } from "./kit.ts";
import type { Cursor } from "./playback.ts";
import type { Histories } from "./selection.ts";

type RunActions = Pick<
  AppState,
  "init" | "loadPreset" | "loadScenario" | "setSeed" | "setKernel" | "loadSelftests"
>;

/** Where a load lands: granularity, step and selection (read when the run is ready). */
type Keep = () => InitialState;

export function runActions(
  kit: Kit,
  cursor: Cursor,
  histories: Histories,
  initial: InitialState,
): RunActions {
  const { api, set, get } = kit;
  const load = loader(kit, cursor, histories);
  /** loadSelftests() is waiting for the engine. */
  let selftestsAsked = false;
  return {
    async loadSelftests() {
      if (get().selftests !== null || selftestsAsked) return;
      selftestsAsked = true;
      try {
        set({ selftests: await api.selftests() });
      } catch (e) {
        set({ error: `the engine could not run the selftest: ${String(e)}` });
      } finally {
        selftestsAsked = false;
      }
    },

    async init() {
      const [presets, variants] = await Promise.all([api.presets(), api.variants()]);
      set({ presets, variants });
      const s = get();
      const first: InitialState = {
        granularity: s.granularity,
        ...(initial.position !== undefined ? { position: initial.position } : {}),
        selection: s.selection,
      };
      const keep = () => first;
      if (s.scenario !== null) {
        await load(s.presetId, s.scenario, s.kernel, keep);
        return;
      }
      const preset = presets.find((p) => p.id === currentPresetId(s.presetId ?? "")) ?? presets[0];
      if (preset) await load(preset.id, preset.scenario, s.kernel, keep);
    },

    async loadPreset(id, kernel = null, seed) {
      const preset = get().presets.find((p) => p.id === currentPresetId(id));
      if (!preset) {
        set({ status: "error", error: `there is no preset "${id}"` });
        return;
      }
      if (seed !== undefined) set({ seed });
      await load(preset.id, preset.scenario, kernel);
    },

    async loadScenario(scenario, kernel = null, seed) {
      if (seed !== undefined) set({ seed });
      await load(null, scenario, kernel);
    },

    async setSeed(seed) {
      const s = get();
      if (s.seed === seed) return;
      set({ seed });
      // A new problem: its own kernel (a drawn one, where the ranges draw the kernel).
      await load(s.presetId, s.scenario, null);
    },

    async setKernel(kernel) {
      const s = get();
      // Where the user is when the new run lands (they may step the old one meanwhile).
      await load(s.presetId, s.scenario, kernel, () => {
        const now = get();
        return { granularity: now.granularity, position: now.position, selection: now.selection };
      });
    },
  };
}

/**
 * Loads a scenario (latest wins: an older load that answers late is dropped and its run
 * released). `keep` is read when the new run lands, so a step taken meanwhile is kept too.
 */
function loader({ api, set, get }: Kit, cursor: Cursor, histories: Histories) {
  let loadSeq = 0;
  return async (presetId: string | null, scenario: unknown, kernel: VariantId | null, keep?: Keep) => {
    const seq = ++loadSeq;
    set({
      status: "loading",
      presetId,
      scenario,
      kernel,
      issues: [],
      refusingKernel: null,
      error: null,
      playing: false,
    });
    try {
      // A student's problem: the scenario drawn for the seed, when it has ranges.
      const seed = get().seed;
      const draw = seed === null ? null : drawOf(scenario, seed);
      if (draw && !draw.ok) {
        set({ status: "error", issues: [...draw.issues], run: null, view: null });
        return;
      }
      const toRun = draw ? draw.scenario : scenario;
      const r = await api.load(kernel ? { scenario: toRun, kernel } : { scenario: toRun });
      if (seq !== loadSeq) return;
      if (!r.ok) {
        set({ status: "error", issues: r.issues, refusingKernel: r.refusingKernel, run: null, view: null });
        return;
      }
      const k = keep?.();
      const granularity = k?.granularity ?? get().granularity;
      const last = r.run.counts[granularity];
      const position = Math.max(
        0,
        Math.min(k?.position ?? openingPosition(scenario, r.run, granularity), last),
      );
      const selection = k?.selection ?? null;
      const view = await api.view({ runId: r.run.runId, granularity, position, selection });
      if (seq !== loadSeq) {
        void api.release(r.run.runId);
        return;
      }
      const old = get().run;
      if (old) void api.release(old.runId);
      const page = get().selectedPage;
      // Requests for the old run still in flight are dropped when they answer (runId check).
      cursor.drop();
      set({
        status: "ready",
        run: r.run,
        granularity,
        wantedGranularity: granularity,
        position: view.position,
        view,
        selection,
        selectedPage: page && page.mm < r.run.trace.mmNames.length ? page : null,
      });
      histories.fetch();
    } catch (e) {
      if (seq !== loadSeq) return;
      set({ status: "error", error: `the engine failed: ${String(e)}`, run: null, view: null });
    }
  };
}
