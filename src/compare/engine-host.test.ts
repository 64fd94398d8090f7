/**
 * Compare mode through the worker API (EngineHost in-process): compare() aligns two loaded runs,
 * viewPair() shows both sides at one aligned position with the diff map, convertPair() moves the
 * shared cursor between granularities.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { presetById } from "../scenario/presets/index.ts";
import type { CompareInfo, RunInfo } from "../worker/api.ts";
import { EngineHost } from "../worker/engine-host.ts";

async function loaded(
  host: EngineHost,
  kernel: "s390-fa41ba0d" | "s390-06201e00",
  preset = "teaching-small",
) {
  const r = await host.load({ scenario: presetById(preset)!.scenario, kernel });
  if (!r.ok) throw new Error("the preset does not load");
  return r.run;
}

describe("EngineHost compare mode", () => {
  const host = new EngineHost("main");
  let left: RunInfo;
  let right: RunInfo;
  let info: CompareInfo;
  beforeAll(async () => {
    left = await loaded(host, "s390-fa41ba0d");
    right = await loaded(host, "s390-06201e00");
    info = await host.compare({ left: left.runId, right: right.runId });
  });

  test("compare() returns the alignment summary, divergences and delta table", () => {
    expect(info.runs).toEqual([left.runId, right.runId]);
    expect(info.labels[0]).toContain("s390-fa41ba0d");
    expect(info.counts.action).toBe(left.counts.action);
    expect(info.first).toBeGreaterThanOrEqual(0);
    expect(info.divergences[info.first]!.exact).toBe(true);
    expect(info.delta.rows.length).toBeGreaterThan(0);
    expect(info.pairEnd[0]).toBeInstanceOf(Int32Array);
  });

  test("viewPair() shows both sides at their own positions, with the diff map", async () => {
    const d = info.divergences[info.first]!;
    const before = await host.viewPair({
      compareId: info.compareId,
      granularity: "table",
      position: d.positions.table - 1,
      selection: null,
      diff: true,
    });
    const at = await host.viewPair({
      compareId: info.compareId,
      granularity: "table",
      position: d.positions.table,
      selection: null,
      diff: true,
    });
    expect(before.sides[0].runId).toBe(left.runId);
    expect(before.sides[1].runId).toBe(right.runId);
    expect(before.diff!.every((m) => m.differingLeft === 0 && m.differingRight === 0)).toBe(true);
    expect(at.diff!.some((m) => m.differingLeft > 0)).toBe(true);
    expect(at.divergence).toBe(info.first);
    expect(before.divergence).toBe(info.first - 1);
    expect(at.sidePositions).toEqual([at.sides[0].position, at.sides[1].position]);
  });

  test("without diff: no diff map; convertPair keeps the step", async () => {
    const v = await host.viewPair({
      compareId: info.compareId,
      granularity: "action",
      position: 2,
      selection: null,
      diff: false,
    });
    expect(v.diff).toBeNull();
    const t = await host.convertPair(info.compareId, "action", 2, "table");
    expect(await host.convertPair(info.compareId, "table", t, "action")).toBe(2);
  });

  test("a released comparison is gone", async () => {
    const other = await host.compare({ left: left.runId, right: right.runId });
    await host.releaseCompare(other.compareId);
    await expect(host.convertPair(other.compareId, "action", 0, "table")).rejects.toThrow(/no comparison/);
  });
});
