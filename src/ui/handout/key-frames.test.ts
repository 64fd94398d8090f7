/** The handout's key frames on real runs (in-process engine), and their grouping into pages. */
import { beforeAll, describe, expect, it } from "vitest";
import { presetById } from "../../scenario/presets/index.ts";
import type { RunInfo } from "../../worker/api.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import { firstTouchAfter, groupFrames, type KeyFrame, keyFrames } from "./key-frames.ts";

const host = new EngineHost("main");
async function load(id: string, kernel?: string): Promise<RunInfo> {
  const r = await host.load({
    scenario: presetById(id)!.scenario,
    ...(kernel ? { kernel: kernel as never } : {}),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

const runs: Record<string, RunInfo> = {};
beforeAll(async () => {
  runs.a = await load("commit-06201e00", "s390-fa41ba0d");
  runs.b = await load("commit-06201e00", "s390-06201e00");
  runs.hang = await load("postcopy-hang-2017");
  runs.oom = await load("commit-06201e00-oom", "s390-fa41ba0d");
});

const titles = (f: readonly KeyFrame[]) => f.map((x) => x.title);

describe("key frames", () => {
  it("the commit's story: balloon inflated, the first read of ballooned memory, migration complete", () => {
    for (const run of [runs.a!, runs.b!]) {
      const frames = keyFrames(run);
      expect(titles(frames)).toEqual([
        "The balloon inflated",
        "First read fault on ballooned memory",
        "Migration complete",
      ]);
      const t = run.trace;
      const inflate = t.actions.findIndex((a) => a.marker === "inflate");
      expect(frames[0]!.event).toBe(t.actions[inflate]!.endEvent - 1);
      // The first touch is the migration's first read on the source, inside the migration action.
      const touch = frames[1]!;
      expect(t.mmNames[t.mm[touch.event]!]).toBe("source");
      expect(t.actions[touch.action]!.marker).toBe("migration-start");
      expect(frames[2]!.event).toBe(t.events - 1);
      expect(groupFrames(frames).map((g) => g.frames.length)).toEqual([2, 1]);
    }
  });

  it("the first touch is what each kernel does with it: allocates under fa41ba0d, the zeropage under 06201e00", () => {
    expect(keyFrames(runs.a!)[1]!.sentence).toMatch(/none → .*zeropage forbidden/);
    expect(keyFrames(runs.b!)[1]!.sentence).toMatch(
      /none → zeropage \(read fault maps the shared zeropage\)/,
    );
  });

  it("no event before the first touch fills a PTE the inflate emptied", () => {
    const run = runs.a!;
    const t = run.trace;
    const inflate = t.actions.findIndex((a) => a.marker === "inflate");
    const touch = firstTouchAfter(run, inflate);
    expect(touch).toBeGreaterThan(t.actions[inflate]!.endEvent - 1);
    for (let e = t.actions[inflate]!.endEvent; e < touch; e++) {
      for (let i = 0; i < t.effCount[e]!; i++) {
        const o = (t.effStart[e]! + i) * 4;
        expect(t.effects[o] !== t.effects[o + 1] && t.effects[o] === 0 && t.mm[e] === 0).toBe(false);
      }
    }
    // An action that is not an inflate has none.
    expect(firstTouchAfter(run, 0)).toBeGreaterThanOrEqual(-1);
    expect(firstTouchAfter(run, 99)).toBe(-1);
  });

  it("a run that hangs or fails ends on that event, and does not claim the migration completed", () => {
    for (const run of [runs.hang!, runs.oom!]) {
      expect(run.outcome).not.toBe("completed");
      const frames = keyFrames(run);
      expect(titles(frames).join("\n")).not.toMatch(/Migration complete/);
      const last = frames.at(-1)!;
      expect(last.kind).toBe(run.outcome === "hung" ? "hang" : "failed");
      expect(last.title).toContain(run.outcomeReason);
    }
  });

  it("groups an inflate with its first touch and the rest in pairs, every frame once", () => {
    const f = (kind: KeyFrame["kind"], event: number): KeyFrame => ({
      kind,
      event,
      action: 0,
      title: `${kind} ${event}`,
      headline: "",
      sentence: "",
    });
    const frames = [
      f("action", 1),
      f("inflate", 2),
      f("first-touch", 3),
      f("action", 4),
      f("action", 5),
      f("inflate", 6),
    ];
    const groups = groupFrames(frames);
    expect(groups.map((g) => g.frames.map((x) => x.event))).toEqual([[1], [2, 3], [4, 5], [6]]);
    expect(groups.flatMap((g) => g.frames)).toEqual(frames);
  });
});
