/**
 * Golden numbers for `ksm-zero-pages`: a 16 GiB guest writes 8 GiB of data and zero-fills 4 GiB
 * (1,048,576 pages); ksmd with use_zero_pages=1 replaces each zero-filled page by the shared
 * zeropage. The KSM path (try_to_merge_with_zero_page(), or cmp_and_merge_page() before v6.11) has
 * no mm_forbids_zeropage() check, so this works on every s390 variant, even B: RSS 12 → 8 GiB,
 * ksm_zero_pages = 1,048,576 (counted from v6.6 on). Then the guest enables storage keys:
 *   C: __s390_unshare_zeropages() unshares every zeropage: back to 12 GiB;
 *   B (v6.9): KSM unmerge (gmap_mark_unmergeable → ksm_disable → break_ksm) unshares the
 *      KSM-placed zeropages, marked since v6.6 (79271476b336): back to 12 GiB;
 *   A (v4.12): before a38c015f3156 (2018) replace_page() did not decrement MM_ANONPAGES, so RssAnon
 *      stays at 12 GiB although 4 GiB were freed; the zeropages are not marked as KSM's (nor
 *      counted); the skey walk zaps them: no PTE maps the 4 GiB any more, RssAnon still 12 GiB,
 *      host memory 8 GiB.
 */
import { describe, expect, test } from "vitest";
import { GiB } from "../../base/units.ts";
import type { VariantId } from "../../engine/index.ts";
import { actionIndex, afterAction, finalCounters, pages, runPreset, SOURCE } from "../test-support/golden.ts";

const ID = "ksm-zero-pages";
const ZERO_FILLED = pages(4 * GiB); // 1,048,576
const DATA = pages(8 * GiB);

describe.each<VariantId>(["s390-06201e00", "s390-fa41ba0d"])("%s", (kernel) => {
  test("the guest's writes: 12 GiB RssAnon", () => {
    const run = runPreset(ID, kernel);
    const touched = afterAction(run, actionIndex(run, /writes zeros/), SOURCE);
    expect(touched.rssAnonBytes).toBe(12 * GiB);
    expect(touched.zeropagePtes).toBe(0);
  });

  test("ksmd merges the 4 GiB of zero-filled pages into the shared zeropage", () => {
    const run = runPreset(ID, kernel);
    const merged = afterAction(run, actionIndex(run, /ksmd/), SOURCE);
    expect(merged.rssAnonBytes).toBe(8 * GiB);
    expect(merged.ksmZeroPages).toBe(ZERO_FILLED);
    expect(merged.zeropagePtes).toBe(ZERO_FILLED);
    expect(merged.ksmPages).toBe(0);
  });
});

test.each<VariantId>(["s390-06201e00", "s390-fa41ba0d"])(
  "%s: storage keys unshare the KSM zeropages, 12 GiB again",
  (kernel) => {
    const c = finalCounters(runPreset(ID, kernel), SOURCE);
    expect(c.rssAnonBytes).toBe(12 * GiB);
    expect(c.zeropagePtes).toBe(0);
    expect(c.ksmZeroPages).toBe(0);
    expect(c.presentPages).toBe(DATA + ZERO_FILLED);
  },
);

describe("s390-2faee8ff (A, v4.12)", () => {
  const run = () => runPreset(ID, "s390-2faee8ff");

  test("ksmd maps the zeropage, unmarked and uncounted, and RssAnon keeps the 4 GiB it freed", () => {
    const touched = afterAction(run(), actionIndex(run(), /writes zeros/), SOURCE);
    const merged = afterAction(run(), actionIndex(run(), /ksmd/), SOURCE);
    expect(merged.zeropagePtes).toBe(ZERO_FILLED);
    expect(merged.ksmZeroPages).toBe(0);
    expect(merged.rssAnonBytes).toBe(12 * GiB);
    expect(merged.anonPages).toBe(DATA);
    expect(touched.hostMemBytes - merged.hostMemBytes).toBe(4 * GiB);
  });

  test("storage keys zap the zeropages: 8 GiB present, RssAnon still 12 GiB", () => {
    const c = finalCounters(run(), SOURCE);
    expect(c.rssAnonBytes).toBe(12 * GiB);
    expect(c.zeropagePtes).toBe(0);
    expect(c.presentPages).toBe(DATA);
    expect(c.anonPages).toBe(DATA);
  });
});
