/** The guided story's moments on the commit's story: where playback pauses, with which caption. */
import { describe, expect, it } from "vitest";
import { presetById } from "../../scenario/presets/index.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import { stopBetween, storyMoments } from "./guided.ts";

async function run(presetId: string) {
  const r = await new EngineHost("main").load({ scenario: presetById(presetId)!.scenario });
  if (!r.ok) throw new Error("no run");
  return r.run;
}

describe("storyMoments", () => {
  it("by action: the balloon inflated at step 3, the first read and the migration's end together at step 4", async () => {
    const r = await run("commit-06201e00");
    const m = storyMoments(r, "action");
    expect(m.map((x) => x.position)).toEqual([3, 4]);
    expect(m[0]!.title).toBe("The balloon inflated");
    expect(m[1]!.title).toMatch(/^First .* on ballooned memory · Migration complete$/);
    // Playing from 0: the first stop is the inflate; from there, the end.
    expect(stopBetween(m, 0, 4)?.position).toBe(3);
    expect(stopBetween(m, 3, 4)?.position).toBe(4);
    expect(stopBetween(m, 0, 2)).toBeNull();
  });

  it("by page table: the first read of ballooned memory is a pause of its own, inside the migration", async () => {
    const r = await run("commit-06201e00");
    const m = storyMoments(r, "table");
    expect(m.length).toBe(3);
    expect(m[0]!.position).toBeLessThan(m[1]!.position);
    expect(m[1]!.position).toBeLessThan(m[2]!.position);
    expect(m[1]!.title).toMatch(/^First .* on ballooned memory$/);
    expect(m[2]!.position).toBe(r.counts.table);
  });
});
