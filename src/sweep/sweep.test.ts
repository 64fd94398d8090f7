/**
 * Sweeps (spec.ts, run.ts, csv.ts): the spelling reads back to the same sweep, values land where
 * the spec says, a point is the engine's run of the scenario with the parameter set, and a point
 * that cannot run says why instead of failing the sweep.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GiB } from "../base/units.ts";
import { COUNTERS, counterAt, VARIANT_IDS } from "../engine/index.ts";
import { runScenario } from "../scenario/compile.ts";
import { applyParameter } from "../scenario/parameters.ts";
import { presetById } from "../scenario/presets/index.ts";
import { sweepCsv } from "./csv.ts";
import { relevantEvent, runSweep, runSweepPoint } from "./run.ts";
import { describeSpec, formatSpec, makeSpec, parseSpec, type SweepSpec, sweepValues } from "./spec.ts";

const story = presetById("commit-06201e00")!.scenario;
const small = presetById("teaching-small")!.scenario;

function spec(text: string): SweepSpec {
  const r = parseSpec(text);
  if (!r.ok) throw new Error(r.error);
  return r.spec;
}

describe("the sweep spelling", () => {
  it("reads the issue's sweep and writes it back the same", () => {
    const s = spec("balloon~0~100%~11~s390-fa41ba0d.s390-06201e00");
    expect(s).toEqual({
      param: "balloon",
      kind: "range",
      from: { percent: 0 },
      to: { percent: 100 },
      points: 11,
      kernels: ["s390-fa41ba0d", "s390-06201e00"],
    });
    expect(formatSpec(s)).toBe("balloon~0%~100%~11~s390-fa41ba0d.s390-06201e00");
    expect(describeSpec(s)).toBe("balloon size 0 % to 100 % of guest RAM, 11 points");
    expect(spec("migration~precopy_postcopy~x86_64")).toMatchObject({
      kind: "values",
      values: ["precopy", "postcopy"],
    });
  });

  it("round-trips any sweep it accepts", () => {
    const kernels = fc.uniqueArray(fc.constantFrom(...VARIANT_IDS), { minLength: 1, maxLength: 6 });
    const sized = fc.record({
      param: fc.constantFrom("balloon", "written", "guestRam"),
      a: fc.integer({ min: 1, max: 4096 }),
      b: fc.integer({ min: 0, max: 4096 }),
      points: fc.integer({ min: 2, max: 51 }),
      kernels,
    });
    fc.assert(
      fc.property(sized, (x) => {
        const r = makeSpec({
          param: x.param,
          from: `${x.a}MiB`,
          to: `${x.a + x.b}MiB`,
          points: x.points,
          kernels: x.kernels,
        });
        if (!r.ok) throw new Error(r.error);
        expect(parseSpec(formatSpec(r.spec))).toEqual(r);
      }),
    );
  });

  it.each([
    ["balloon~1GiB~100%~11~s390-fa41ba0d", /both as sizes or both as shares/],
    ["guestRam~0%~100%~3~x86_64", /takes sizes, not shares/],
    ["balloon~0~100%~1~x86_64", /expected 2 to 51 points/],
    ["balloon~0%~100%~11~s390-v6", /unknown kernel "s390-v6"/],
    ["balloon~0%~100%~11~x86_64.x86_64", /each kernel once/],
    ["colour~0%~100%~11~x86_64", /unknown parameter "colour"/],
    ["migration~precopy_hybrid~x86_64", /expected precopy, postcopy, got "hybrid"/],
    ["kernel~x86_64~x86_64", /unknown parameter "kernel"/],
    ["qemuVersion~9.2_nine~x86_64", /QEMU versions such as "9.2", got "nine"/],
    ["balloon~50%~10%~3~x86_64", /from at most to/],
    ["balloon", /expected param~from~to~points~kernels/],
  ])("refuses %s", (text, message) => {
    const r = parseSpec(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it("spreads a range's points evenly, ends included, shares of the scenario's guest RAM", () => {
    expect(sweepValues(spec("balloon~0%~100%~11~x86_64"), story)).toEqual(
      Array.from({ length: 11 }, (_, i) => i * 10 * GiB),
    );
    expect(sweepValues(spec("guestRam~16GiB~64GiB~4~x86_64"), story)).toEqual(
      [16, 32, 48, 64].map((g) => g * GiB),
    );
    expect(sweepValues(spec("zeroPageDetection~legacy_none~x86_64"), story)).toEqual(["legacy", "none"]);
  });
});

describe("a sweep's points", () => {
  it("are the engine's runs of the scenario with the parameter set", () => {
    const p = runSweepPoint({ scenario: story, param: "balloon", value: 20 * GiB, kernel: "s390-fa41ba0d" });
    expect(p.problem).toBe("");
    const set = applyParameter(story, "balloon", 20 * GiB);
    if (!set.ok) throw new Error("apply");
    const r = runScenario(set.scenario, { kernel: "s390-fa41ba0d" });
    if (!r.ok) throw new Error("run");
    const t = r.run.trace;
    const rss = COUNTERS.findIndex((c) => c.key === "rssAnonBytes");
    expect(p.values.rssAnonFinal.destination).toBe(counterAt(t, t.events - 1, 1, rss));
    let peak = 0;
    for (let e = 0; e < t.events; e++) peak = Math.max(peak, counterAt(t, e, 0, rss));
    expect(p.values.rssAnonPeak.source).toBe(peak);
    expect(p.outcome).toBe("completed");
  });

  it("show the commit: under fa41ba0d the destination's RssAnon does not fall as the balloon grows, under 06201e00 it does", () => {
    const s = spec("balloon~0%~100%~3~s390-fa41ba0d.s390-06201e00");
    const points = [...runSweep(s, small)];
    expect(points.map((p) => [p.value, p.kernel])).toEqual([
      [0, "s390-fa41ba0d"],
      [0, "s390-06201e00"],
      [32 * 2 ** 20, "s390-fa41ba0d"],
      [32 * 2 ** 20, "s390-06201e00"],
      [64 * 2 ** 20, "s390-fa41ba0d"],
      [64 * 2 ** 20, "s390-06201e00"],
    ]);
    const dst = (k: string) =>
      points.filter((p) => p.kernel === k).map((p) => p.values.rssAnonFinal.destination!);
    const before = dst("s390-fa41ba0d");
    const after = dst("s390-06201e00");
    expect(after[2]!).toBeLessThan(after[0]!);
    expect(before[2]!).toBeGreaterThan(after[2]!);
  });

  it("open at the first allocation of ballooned memory (or its first mapping where the zeropage is allowed)", () => {
    const fa = runScenario(story, { kernel: "s390-fa41ba0d", checkpoints: false });
    const c = runScenario(story, { kernel: "s390-06201e00", checkpoints: false });
    if (!fa.ok || !c.ok) throw new Error("run");
    expect(relevantEvent(fa.run.trace)).toEqual({
      event: 9,
      label: "the first allocation of ballooned memory",
    });
    const r = relevantEvent(c.run.trace);
    expect(r.label).toBe("the first mapping of ballooned memory");
    expect(c.run.trace.actions[3]!.firstEvent).toBeLessThanOrEqual(r.event);
    const none = runSweepPoint({ scenario: story, param: "balloon", value: 0, kernel: "s390-fa41ba0d" });
    expect(none.relevantLabel).toBe("the start of the migration");
  });

  it("that cannot run say why, and the sweep goes on", () => {
    const p = runSweepPoint({ scenario: story, param: "zeroPageDetection", value: "none", kernel: "x86_64" });
    expect(p.problem).toBe("");
    const old = { ...story, machine: { ...story.machine, qemu: { version: "8.2" } } };
    const q = runSweepPoint({ scenario: old, param: "zeroPageDetection", value: "none", kernel: "x86_64" });
    expect(q.problem).toMatch(/zero-page-detection exists from QEMU 9.0 on/);
    expect(q.outcome).toBeNull();
    expect(q.values.rssAnonFinal.source).toBeNull();
  });

  it("export as CSV, one row per point, empty cells for a side never used", () => {
    const points = [...runSweep(spec("balloon~0%~50%~2~s390-06201e00"), small)];
    const q = runSweepPoint({
      scenario: { ...small, actions: small.actions.slice(0, 2) },
      param: "balloon",
      value: 0,
      kernel: "x86_64",
    });
    const lines = sweepCsv([...points, q])
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe(
      "balloon,balloon_text,kernel,outcome,source_rssAnonFinal_bytes,destination_rssAnonFinal_bytes,source_rssAnonPeak_bytes,destination_rssAnonPeak_bytes,source_hostMemFinal_bytes,destination_hostMemFinal_bytes,source_hostMemPeak_bytes,destination_hostMemPeak_bytes,problem",
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]!.startsWith(`${32 * 2 ** 20},32 MiB,s390-06201e00,completed,`)).toBe(true);
    expect(lines[3]!.split(",").slice(4, 6)).toEqual([String(q.values.rssAnonFinal.source), ""]);
  });
});
