/**
 * Golden facts for `balloon-deflate`: deflating changes nothing on the host (QEMU's
 * balloon_deflate_page() hint only), and the read that follows costs a first read's price per kernel.
 */
import { describe, expect, test } from "vitest";
import { MiB } from "../../base/units.ts";
import {
  actionIndex,
  afterAction,
  beforeAction,
  finalCounters,
  pages,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const ID = "balloon-deflate";

describe("the balloon gives memory back", () => {
  test.each(["s390-06201e00", "s390-fa41ba0d", "x86_64"] as const)(
    "%s: the deflation itself maps nothing and allocates nothing",
    (k) => {
      const run = runPreset(ID, k);
      const i = actionIndex(run, /deflate/);
      expect(afterAction(run, i, SOURCE)).toEqual(beforeAction(run, i, SOURCE));
      const t = run.trace;
      const used = new Set<string>();
      for (let e = t.actions[i]!.firstEvent; e < t.actions[i]!.endEvent; e++)
        for (let s = t.stepStart[e]!; s < t.stepStart[e]! + t.stepCount[e]!; s++)
          used.add(t.ruleIds[t.steps[s]!]!);
      expect(used).toContain("qemu.balloon_deflate_page");
    },
  );

  test("then reading all memory: 06201e00 maps the 32 MiB never written to the zeropage, fa41ba0d allocates it", () => {
    const c = finalCounters(runPreset(ID, "s390-06201e00"), SOURCE);
    expect(c.rssAnonBytes).toBe(32 * MiB);
    expect(c.zeropagePtes).toBe(pages(32 * MiB));
    const b = finalCounters(runPreset(ID, "s390-fa41ba0d"), SOURCE);
    expect(b.rssAnonBytes).toBe(64 * MiB);
    expect(b.zeropagePtes).toBe(0);
  });
});
