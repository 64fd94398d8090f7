/**
 * Golden numbers for `ksm-zero-pages` (§5, §10.2 events 10 and 12): a 16 GiB guest writes 8 GiB
 * of data and zero-fills 4 GiB (1,048,576 pages); ksmd with use_zero_pages=1 replaces each
 * zero-filled page by the shared zeropage. try_to_merge_with_zero_page() has no
 * mm_forbids_zeropage() check, so this works on every s390 variant, even B: RSS 12 → 8 GiB,
 * ksm_zero_pages = 1,048,576. Then the guest enables storage keys:
 *   C: __s390_unshare_zeropages() unshares every zeropage: back to 12 GiB;
 *   B: KSM unmerge (gmap_mark_unmergeable → ksm_disable → break_ksm) unshares KSM-placed
 *      zeropages, ASSUMPTION (§11.2, ~v6.5, as modelled in variants.ts): back to 12 GiB;
 *   A: the skey walk zaps zeropage PTEs: 8 GiB, the zero-filled pages are gone (none).
 */
import { describe, expect, test } from "vitest";
import type { VariantId } from "../../engine/index.ts";
import {
  actionIndex,
  afterAction,
  finalCounters,
  GiB,
  pages,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const ID = "ksm-zero-pages";
const ZERO_FILLED = pages(4 * GiB); // 1,048,576
const DATA = pages(8 * GiB);

describe.each<VariantId>(["s390-06201e00", "s390-fa41ba0d", "s390-2faee8ff"])("%s", (kernel) => {
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

test("s390-2faee8ff (A): storage keys zap the KSM zeropages, 8 GiB", () => {
  const c = finalCounters(runPreset(ID, "s390-2faee8ff"), SOURCE);
  expect(c.rssAnonBytes).toBe(8 * GiB);
  expect(c.zeropagePtes).toBe(0);
  expect(c.ksmZeroPages).toBe(0);
  expect(c.presentPages).toBe(DATA);
});
