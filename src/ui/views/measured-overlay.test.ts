/**
 * A measured run on the chart axis: every phase at the end of the scenario action it follows, the
 * guest-RAM mapping's Rss on the RssAnon track, the process's VmPTE on the VmPTE track, the balloon
 * from the "ballooned" phase on; the destination only where the trace has one.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../scenario/compile.ts";
import { parseMeasured } from "../../scenario/measured.ts";
import { measuredSeries } from "./measured-overlay.ts";
import { traceAxis } from "./trace-axis.ts";

const file = path.join(import.meta.dirname, "..", "..", "..", "public", "qemu-check", "measured.json");
const parsed = parseMeasured(JSON.parse(readFileSync(file, "utf8")));
if (!parsed.ok) throw new Error("the recorded check does not parse");
const doc = parsed.measured;

function setup(id: string) {
  const run = doc.runs.find((r) => r.id === id)!;
  const r = runScenario(run.scenario);
  if (!r.ok) throw new Error("the recorded scenario does not run");
  const t = r.run.trace;
  return { run, t, ax: traceAxis(t) };
}

describe("measuredSeries", () => {
  it("puts each phase at the end of its action, on the host it was measured on", () => {
    const { run, t, ax } = setup("balloon-precopy");
    const [src, dst] = measuredSeries(run, ax, t.mmNames.length, "rssAnonBytes");
    expect(src!.mm).toBe(0);
    expect(src!.points.map((p) => p.phase)).toEqual(["booted", "data", "filled", "ballooned", "migrated"]);
    const booted = run.phases.find((p) => p.phase === "booted" && p.host === "source")!;
    // Scenario action i is trace action i + 1; its end is where trace action i + 2 starts.
    expect(src!.points[0]!.u).toBe(ax.actionStart_u[booted.action! + 2]);
    expect(src!.points[0]!.value).toBe(booted.guestRamRssKiB * 1024);
    expect(dst!.mm).toBe(1);
    expect(dst!.points.map((p) => p.phase)).toEqual(["migrated"]);
    expect(dst!.points[0]!.u).toBe(1);
  });

  it("draws the process's VmPTE and the balloon from inflation on", () => {
    const { run, t, ax } = setup("balloon-precopy");
    const [vm] = measuredSeries(run, ax, t.mmNames.length, "vmPteBytes");
    expect(vm!.points.map((p) => p.value)).toEqual(
      run.phases.filter((p) => p.host === "source").map((p) => p.vmPteKiB * 1024),
    );
    const [balloon] = measuredSeries(run, ax, t.mmNames.length, "balloon");
    expect(balloon!.mm).toBe(-1);
    expect(balloon!.points.map((p) => p.value)).toEqual([0, 0, 0, run.balloonBytes, run.balloonBytes]);
    expect(run.balloonBytes).toBeGreaterThan(0);
  });

  it("has nothing for tracks nobody measured, and no destination without one in the trace", () => {
    const { run, ax } = setup("control-postcopy");
    expect(measuredSeries(run, ax, 2, "zeropagePtes")).toEqual([]);
    expect(measuredSeries(run, ax, 1, "rssAnonBytes").map((s) => s.mm)).toEqual([0]);
  });
});
