/**
 * The guest (guest.ts): which pages it uses comes from the seeded PRNG as extents (pickExtents);
 * its writes fault pages in on the mm it runs on; during a precopy its writes are logged dirty.
 */
import { describe, expect, test } from "vitest";
import { Prng } from "../base/prng.ts";
import { pagesIn } from "../base/runs.ts";
import { GUEST_FREE, GUEST_SET, GUEST_USED, guestRegion, guestTouch, pickExtents } from "./guest.ts";
import { SOURCE } from "./machine.ts";
import { startMigration } from "./migration/migrate.ts";
import { DIRTY_SET } from "./migration/state.ts";
import { sendPages } from "./migration/transfer.ts";
import { counters, pagesWith, testMachine } from "./test-support/machine.ts";

describe("pickExtents", () => {
  const space = [0, 1_000_000];
  const extents: [number, number] = [8, 4096];

  test("deterministic: the same seed picks the same pages", () => {
    expect(pickExtents(new Prng(5), space, 300_000, extents)).toEqual(
      pickExtents(new Prng(5), space, 300_000, extents),
    );
    expect(pickExtents(new Prng(6), space, 300_000, extents)).not.toEqual(
      pickExtents(new Prng(5), space, 300_000, extents),
    );
  });

  test.each([1, 1000, 300_000, 999_999])("exactly %i pages, sorted, disjoint, merged", (want) => {
    const runs = pickExtents(new Prng(1), space, want, extents);
    expect(pagesIn(runs)).toBe(want);
    for (let i = 2; i < runs.length; i += 2) expect(runs[i]!).toBeGreaterThan(runs[i - 2]! + runs[i - 1]!);
    for (let i = 1; i < runs.length; i += 2) expect(runs[i]!).toBeGreaterThan(0);
  });

  test("within the candidates only", () => {
    const candidates = [100, 5000, 20_000, 300, 50_000, 70_000];
    const runs = pickExtents(new Prng(3), candidates, 40_000, extents);
    expect(pagesIn(runs)).toBe(40_000);
    for (let i = 0; i < runs.length; i += 2) {
      const inside = [0, 2, 4].some(
        (c) => runs[i]! >= candidates[c]! && runs[i]! + runs[i + 1]! <= candidates[c]! + candidates[c + 1]!,
      );
      expect(inside, `run ${runs[i]}+${runs[i + 1]}`).toBe(true);
    }
  });

  test("asking for more than there is takes everything; nothing for nothing", () => {
    expect(pickExtents(new Prng(1), [10, 20, 50, 5], 1000, extents)).toEqual([10, 20, 50, 5]);
    expect(pickExtents(new Prng(1), [10, 20], 0, extents)).toEqual([]);
    expect(pickExtents(new Prng(1), [], 10, extents)).toEqual([]);
  });

  test("spread over the space: every tenth of it gets a share near a tenth of the pages", () => {
    const runs = pickExtents(new Prng(9), space, 400_000, extents);
    const tenths = new Array<number>(10).fill(0);
    for (let i = 0; i < runs.length; i += 2) {
      for (let p = runs[i]!; p < runs[i]! + runs[i + 1]!; p++) tenths[Math.floor(p / 100_000)]!++;
    }
    // 40,000 pages per tenth on average; extents up to 4,096 pages make it lumpy, not lopsided.
    for (const t of tenths) {
      expect(t).toBeGreaterThan(20_000);
      expect(t).toBeLessThan(60_000);
    }
    // Extents, not single pages: the number of runs is far below the number of pages.
    expect(runs.length / 2).toBeLessThan(400_000 / 8);
  });
});

describe("guest writes", () => {
  test("guest-touch: the pages it allocates are written and marked used", () => {
    const m = testMachine({ kernel: "s390-06201e00" });
    guestTouch(m, 4096, "data");
    expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_USED)).toBe(4096);
    expect(counters(m, SOURCE).anonPages).toBe(4096);
    // A second touch takes free pages only.
    guestTouch(m, 4096, "zero");
    expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_USED)).toBe(8192);
    expect(pagesWith(m, SOURCE, GUEST_SET, GUEST_FREE)).toBe(m.pages - 8192);
  });

  test("during a precopy, writes on the source are logged dirty and sent again", () => {
    // KVM dirty logging (KVM_GET_DIRTY_LOG → migration_bitmap_sync): a page written after it was
    // sent must be sent again, or the destination keeps its old content.
    const m = testMachine({ kernel: "s390-06201e00" });
    startMigration(m, "precopy", false);
    sendPages(m, m.pages / 2);
    expect(pagesWith(m, SOURCE, DIRTY_SET, 1)).toBe(m.pages / 2);
    guestRegion(m, "write", 0, 1024, "data");
    expect(pagesWith(m, SOURCE, DIRTY_SET, 1)).toBe(m.pages / 2 + 1024);
    // Reads dirty nothing.
    guestRegion(m, "read", 2048, 1024, "zero");
    expect(pagesWith(m, SOURCE, DIRTY_SET, 1)).toBe(m.pages / 2 + 1024);
  });
});
