/** The overlaid chart series and the aligned axis (series.ts), on a real comparison. */
import { beforeAll, describe, expect, test } from "vitest";
import { presetById } from "../../scenario/presets/index.ts";
import type { CompareInfo, RunInfo } from "../../worker/api.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import { cursorU, overlayTracks, positionU, uToPosition } from "./series.ts";

describe("compare chart series", () => {
  let info: CompareInfo;
  let runs: [RunInfo, RunInfo];
  beforeAll(async () => {
    const host = new EngineHost("main");
    const load = async (kernel: "s390-fa41ba0d" | "s390-06201e00") => {
      const r = await host.load({ scenario: presetById("teaching-small")!.scenario, kernel });
      if (!r.ok) throw new Error("does not load");
      return r.run;
    };
    runs = [await load("s390-fa41ba0d"), await load("s390-06201e00")];
    info = await host.compare({ left: runs[0].runId, right: runs[1].runId });
  });

  test("one track per mm, both sides, ending at each run's final value", () => {
    const tracks = overlayTracks(info, runs, "rssAnonBytes");
    expect(tracks.map((t) => t.mm)).toEqual(runs[0].trace.mmNames);
    for (const t of tracks) {
      expect(t.series.map((s) => s.side)).toEqual([0, 1]);
      for (const s of t.series) {
        expect(s.u[0]).toBe(0);
        expect(s.u[s.u.length - 1]).toBe(1);
        const row = info.delta.rows.find((r) => r.mm === t.mm && r.counter === "rssAnonBytes")!;
        expect(s.values[s.values.length - 1]).toBe(row.final[s.side]);
      }
    }
  });

  test("positions and u agree at every granularity's end points", () => {
    for (const g of ["action", "table", "pte"] as const) {
      expect(positionU(info, g, 0)).toBe(0);
      expect(positionU(info, g, info.counts[g])).toBeCloseTo(1, 9);
      expect(uToPosition(info, g, 1)).toBe(info.counts[g]);
    }
    expect(uToPosition(info, "table", positionU(info, "table", 123))).toBe(123);
  });

  test("the cursor is at the end of the last pair done", () => {
    expect(cursorU(info, { pair: -1, stepInPair: 0, stepsInPair: 0 })).toBe(0);
    const last = info.pairCount - 1;
    expect(cursorU(info, { pair: last, stepInPair: 1, stepsInPair: 1 })).toBeCloseTo(1, 9);
  });
});
