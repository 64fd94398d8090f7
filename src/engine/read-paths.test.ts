/**
 * The other ways a page gets read in, besides a CPU load: MADV_POPULATE_READ (v5.14) and read-only
 * GUP from another process (process_vm_readv(), /proc/pid/mem). Both reach handle_mm_fault()
 * without FAULT_FLAG_WRITE, so the zeropage decision is the read fault's: mapped where
 * mm_forbids_zeropage() allows it, a real page where it does not.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../base/units.ts";
import type { ReadVia } from "./events.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";
import type { VariantId } from "./variants.ts";

function readVia(variant: VariantId, via: ReadVia, kernelVersion?: string) {
  const g = new Guest(variant, 512, kernelVersion ? { kernelVersion } : {});
  g.createVm();
  const r = g.apply({ kind: "fault", mm: 0, access: "read", ranges: [0, 256], via });
  return { g, r };
}

describe("read paths other than a load", () => {
  test.each<[ReadVia, string]>([
    ["populate_read", "madvise_populate.read"],
    ["gup", "get_user_pages_remote.read"],
  ])("%s: the zeropage under 06201e00, a real page per read under fa41ba0d", (via, entry) => {
    const c = readVia("s390-06201e00", via);
    expect(rulesOf(c.r)).toEqual(["do_anonymous_page.zeropage", entry]);
    expect(c.g.c).toMatchObject({ zeropagePtes: 256, rssAnonBytes: 0 });
    const b = readVia("s390-fa41ba0d", via);
    expect(rulesOf(b.r)).toEqual(["do_anonymous_page.forbidden", entry]);
    expect(b.g.c).toMatchObject({ zeropagePtes: 0, rssAnonBytes: 256 * 4 * KiB });
  });

  test("MADV_POPULATE_READ came in v5.14: variant A (v4.12) refuses it with -EINVAL and maps nothing", () => {
    const { g, r } = readVia("s390-2faee8ff", "populate_read");
    expect(r.errno).toBe("EINVAL");
    expect(rulesOf(r)).toEqual(["madvise.no_populate_read"]);
    expect(g.c.presentPages).toBe(0);
    // process_vm_readv() is much older: it works there.
    expect(readVia("s390-2faee8ff", "gup").r.ok).toBe(true);
  });

  test("a registered MISSING range: GUP's fault raises the userfault like a load", () => {
    const g = new Guest("x86_64", 512);
    g.uffdRegister();
    const r = g.apply({ kind: "fault", mm: 0, access: "read", ranges: [0, 4], via: "gup" });
    expect(r.rec.userfaultAt).toBe(0);
  });
});

describe("process_vm_readv pins what it reads", () => {
  function merged(kernelVersion: string) {
    const g = new Guest("x86_64", 512, { kernelVersion });
    g.write(0, 64, "zero");
    g.madvise("mergeable");
    g.ksmScan();
    expect(g.c.ksmPages).toBe(64);
    return g;
  }

  test("from v5.19 a read-only pin unshares a KSM page first (gup_must_unshare): a page and a fault each", () => {
    const g = merged("6.18");
    const mem = g.c.hostMemBytes;
    const r = g.apply({ kind: "fault", mm: 0, access: "read", ranges: [0, 8], via: "gup" });
    expect(rulesOf(r)).toContain("gup_must_unshare.ksm");
    expect(g.c.ksmPages).toBe(56);
    expect(g.text(0, 8)).toBe("rrrrrrrr");
    expect(g.c.hostMemBytes - mem).toBe(8 * 4 * KiB);
  });

  test("MADV_POPULATE_READ does not pin, and v5.15's pin took the KSM page as it was", () => {
    const a = merged("6.18");
    a.apply({ kind: "fault", mm: 0, access: "read", ranges: [0, 8], via: "populate_read" });
    expect(a.c.ksmPages).toBe(64);
    const b = merged("5.15");
    const r = b.apply({ kind: "fault", mm: 0, access: "read", ranges: [0, 8], via: "gup" });
    expect(rulesOf(r)).not.toContain("gup_must_unshare.ksm");
    expect(b.c.ksmPages).toBe(64);
  });
});
