/**
 * Page faults (mm/memory.c), per variant where they differ.
 */
import { describe, expect, test } from "vitest";
import { KiB } from "../base/units.ts";
import { VmFlag } from "./mm.ts";
import { formatPath, ruleAt } from "./rules.ts";
import { dumpWorld, setPtes } from "./test-support/dump.ts";
import { Guest, guestConfig, pathOf, rulesOf } from "./test-support/guest.ts";
import type { VariantId } from "./variants.ts";
import { World } from "./world.ts";

const S390_FIRST_TABLES = 16 * KiB + 4 * KiB; // segment table + PTE table (memory)
const S390_FIRST_VMPTE = 16 * KiB + 2 * KiB; // segment table + PTE table (VmPTE)

describe("do_anonymous_page: read fault on a none PTE", () => {
  test("do_anonymous_page: read of none maps the zeropage when !mm_forbids_zeropage (C before keys)", () => {
    const g = new Guest("s390-06201e00", 512);
    g.createVm();
    const r = g.read(0, 4);
    expect(r.ok).toBe(true);
    expect(g.text(0, 6)).toBe("zzzz..");
    expect(g.c.rssAnonBytes).toBe(0);
    expect(g.c.zeropagePtes).toBe(4);
    // pte_alloc() comes first: the zeropage still costs a page table.
    expect(g.c.pteTables).toBe(1);
    expect(g.c.pageTableBytes).toBe(S390_FIRST_TABLES);
    expect(g.c.vmPteBytes).toBe(S390_FIRST_VMPTE);
    expect(rulesOf(r)).toEqual(["do_anonymous_page.zeropage"]);
    expect(pathOf(r)).toContain("do_anonymous_page → pte_alloc → mm_forbids_zeropage = false");
  });

  // What one read of untouched memory maps, per variant, before and after the event that makes
  // mm_forbids_zeropage() true for that variant.
  const cases: [VariantId, string, string, (g: Guest) => void][] = [
    ["x86_64", "never forbidden", "z", () => {}],
    [
      "x86_64",
      "never forbidden, even after KVM_CREATE_VM",
      "z",
      (g) => {
        g.createVm();
      },
    ],
    [
      "s390-2faee8ff",
      "A before storage keys",
      "z",
      (g) => {
        g.createVm();
      },
    ],
    [
      "s390-2faee8ff",
      "A after storage keys (uses_skeys)",
      "w",
      (g) => {
        g.createVm();
        g.enableSkeys();
      },
    ],
    ["s390-fa41ba0d", "B before KVM_CREATE_VM", "z", () => {}],
    [
      "s390-fa41ba0d",
      "B after KVM_CREATE_VM (has_pgste)",
      "w",
      (g) => {
        g.createVm();
      },
    ],
    [
      "s390-fa41ba0d-90a7592d",
      "B' after KVM_CREATE_VM (has_pgste)",
      "w",
      (g) => {
        g.createVm();
      },
    ],
    [
      "s390-06201e00",
      "C after KVM_CREATE_VM",
      "z",
      (g) => {
        g.createVm();
      },
    ],
    [
      "s390-06201e00",
      "C after storage keys (!allow_cow_sharing)",
      "w",
      (g) => {
        g.createVm();
        g.enableSkeys();
      },
    ],
    [
      "s390-06201e00",
      "C after PV (!allow_cow_sharing)",
      "w",
      (g) => {
        g.createVm();
        g.enablePv();
      },
    ],
  ];
  test.each(cases)(
    "do_anonymous_page/mm_forbids_zeropage on %s, %s: a read maps %s",
    (variant, _what, expected, setup) => {
      const g = new Guest(variant, 1024);
      setup(g);
      const r = g.read(7);
      expect(g.text(7, 1)).toBe(expected);
      if (expected === "w") {
        // alloc_anon_folio: zero-filled, writable + dirty because VM_WRITE; MM_ANONPAGES +1.
        expect(g.c.rssAnonBytes).toBe(4 * KiB);
        expect(rulesOf(r)).toEqual(["do_anonymous_page.forbidden"]);
        expect(pathOf(r)).toContain("mm_forbids_zeropage = true → alloc_anon_folio");
      } else {
        expect(g.c.rssAnonBytes).toBe(0);
        expect(rulesOf(r)).toEqual(["do_anonymous_page.zeropage"]);
      }
    },
  );

  test("do_anonymous_page: a forbidden read in a VMA without VM_WRITE maps the new page read-only", () => {
    const g = new Guest("s390-fa41ba0d", 256, { vmaFlags: VmFlag.COW });
    g.createVm();
    g.read(0, 2);
    expect(g.text(0, 3)).toBe("rr.");
    expect(g.c.anonPages).toBe(2);
  });

  test("MMU: a read of a present page takes no fault and changes nothing", () => {
    const g = new Guest("s390-06201e00", 256);
    g.write(0, 1);
    g.read(1, 1);
    const r = g.read(0, 2);
    expect(g.text(0, 2)).toBe("Wz");
    expect(r.rec.effects.every((e) => e.from === e.to)).toBe(true);
    expect(rulesOf(r)).toEqual(["mmu.read_present"]);
  });
});

describe("handle_userfault: MISSING userfaults", () => {
  test("handle_userfault: a read of none in a MISSING range stops there; the table was allocated before the userfault", () => {
    const g = new Guest("s390-06201e00", 1024);
    g.read(0, 4);
    g.uffdRegister();
    const r = g.read(0, 8);
    expect(r.ok).toBe(true);
    expect(r.rec.userfaultAt).toBe(4);
    expect(rulesOf(r)).toEqual(["mmu.read_present", "handle_userfault.missing"]);
    const stepPaths = r.rec.steps.map((i) => formatPath(ruleAt(i).path));
    expect(stepPaths[0]).toContain(
      "do_anonymous_page → pte_alloc → userfaultfd_missing = true → handle_userfault",
    );
    expect(g.text(0, 8)).toBe("zzzz....");
    // A userfault on a page in a table that did not exist yet: pte_alloc() already ran.
    const r2 = g.read(600, 1);
    expect(r2.rec.userfaultAt).toBe(600);
    expect(g.c.pteTables).toBe(2);
    expect(g.text(600, 1)).toBe(".");
    expect(g.c.presentPages).toBe(4);
  });

  test("handle_userfault: a write to none in a MISSING range raises a userfault too (zeropages take a normal COW)", () => {
    const g = new Guest("x86_64", 1024);
    g.uffdRegister();
    g.uffdZeropage(0, 2);
    const w = g.write(0, 3);
    expect(w.rec.userfaultAt).toBe(2);
    expect(g.text(0, 3)).toBe("WW.");
    expect(rulesOf(w)[0]).toBe("wp_page_copy.zeropage_write");
  });

  test("handle_userfault: the footprint ends with the page that faulted; later pages are not touched", () => {
    const g = new Guest("s390-06201e00", 512);
    g.uffdRegister(100, 10);
    const r = g.read(95, 20);
    expect(r.rec.userfaultAt).toBe(100);
    expect(r.rec.footprint).toEqual([95, 6]);
    expect(g.text(95, 20)).toBe(`zzzzz${".".repeat(15)}`);
  });
});

describe("do_wp_page / wp_page_copy: write faults", () => {
  test("do_anonymous_page: a write to none allocates a writable page (RssAnon +4 KiB)", () => {
    const g = new Guest("s390-06201e00", 256);
    const r = g.write(3, 2, "zero");
    expect(g.text(0, 6)).toBe("...ww.");
    expect(g.c.rssAnonBytes).toBe(8 * KiB);
    expect(rulesOf(r)).toEqual(["do_anonymous_page.write"]);
  });

  test("wp_page_copy: a write to the zeropage allocates a new zeroed page, no copy (C from zeropage)", () => {
    const g = new Guest("s390-06201e00", 256);
    g.read(0, 4);
    const r = g.write(1, 2, "data");
    expect(g.text(0, 4)).toBe("zWWz");
    expect(g.c.rssAnonBytes).toBe(8 * KiB);
    expect(g.c.zeropagePtes).toBe(2);
    expect(rulesOf(r)).toEqual(["wp_page_copy.zeropage_write"]);
    expect(pathOf(r)).toContain("do_wp_page → vm_normal_page() = NULL special zero PTE → wp_page_copy");
  });

  test("wp_page_copy: a write to a KSM-placed zeropage leaves ksm_zero_pages (ksm_might_unmap_zero_page)", () => {
    const g = new Guest("x86_64", 512, { host: { ksmUseZeroPages: true } });
    g.madvise("mergeable");
    g.write(0, 8, "zero");
    g.ksmScan();
    expect(g.c.ksmZeroPages).toBe(8);
    g.write(0, 3);
    expect(g.text(0, 8)).toBe("WWWkkkkk");
    expect(g.c.ksmZeroPages).toBe(5);
    expect(g.c.rssAnonBytes).toBe(12 * KiB);
  });

  test("wp_page_reuse: a write to an exclusive read-only page reuses it, no allocation", () => {
    const g = new Guest("s390-06201e00", 256);
    g.read(0, 2);
    g.unshare(0, 2);
    expect(g.text(0, 2)).toBe("rr");
    const before = g.c.hostMemBytes;
    const r = g.write(0, 1);
    expect(g.text(0, 2)).toBe("Wr");
    expect(g.c.hostMemBytes).toBe(before);
    expect(rulesOf(r)).toEqual(["do_wp_page.reuse"]);
  });

  test("wp_page_copy: a write to a KSM page copies it; RssAnon unchanged, the KSM page loses a sharer", () => {
    const g = new Guest("s390-06201e00", 512);
    g.madvise("mergeable");
    g.write(0, 300, "zero");
    g.ksmScan();
    expect(g.c.ksmPages).toBe(300);
    expect(g.c.ksmPagesShared).toBe(2);
    const rss = g.c.rssAnonBytes;
    const r = g.write(0, 44);
    expect(rulesOf(r)).toEqual(["wp_page_copy.ksm"]);
    expect(g.c.rssAnonBytes).toBe(rss);
    expect(g.c.ksmPages).toBe(256);
    expect(g.c.ksmPagesShared).toBe(1);
    expect(g.c.ksmPagesSharing).toBe(255);
    expect(g.text(43, 2)).toBe("WK");
  });

  test("write fault content: a zero write makes the page zero-filled, a data write makes it data", () => {
    const g = new Guest("x86_64", 512);
    g.write(0, 2, "data");
    const r = g.write(0, 1, "zero");
    expect(g.text(0, 2)).toBe("wW");
    expect(rulesOf(r)).toEqual(["mmu.write_present"]);
  });

  test("access_error: a write to a VMA that is not writable private memory fails with -EFAULT and changes nothing", () => {
    for (const flags of [VmFlag.COW, VmFlag.WRITE]) {
      const g = new Guest("s390-06201e00", 256, { vmaFlags: flags });
      g.read(0, 1);
      const before = dumpWorld(g.world);
      const r = g.write(0, 2);
      expect(r.ok).toBe(false);
      expect(r.errno).toBe("EFAULT");
      expect(r.failedAt).toBe(0);
      expect(dumpWorld(g.world)).toBe(before);
    }
  });
});

describe("FAULT_FLAG_UNSHARE", () => {
  test("wp_page_copy (unshare): a zeropage becomes an exclusive zero-filled page, still read-only (RssAnon +4 KiB)", () => {
    const g = new Guest("s390-06201e00", 256);
    g.read(0, 3);
    const r = g.unshare(1, 1);
    expect(g.text(0, 3)).toBe("zrz");
    expect(g.c.rssAnonBytes).toBe(4 * KiB);
    expect(rulesOf(r)).toEqual(["wp_page_copy.unshare_zeropage"]);
  });

  test("wp_page_copy (unshare): a KSM page is copied into an exclusive read-only page", () => {
    const g = new Guest("x86_64", 512);
    g.madvise("mergeable");
    g.write(0, 4, "zero");
    g.ksmScan();
    const r = g.unshare(0, 2);
    expect(g.text(0, 4)).toBe("rrKK");
    expect(rulesOf(r)).toEqual(["wp_page_copy.unshare_ksm"]);
  });

  test("do_wp_page (unshare): an exclusive read-only anon page is left alone; a writable PTE never enters do_wp_page", () => {
    const g = new Guest("x86_64", 512);
    g.read(0, 1);
    g.unshare(0, 1); // the zeropage becomes an exclusive read-only page
    expect(g.text(0, 1)).toBe("r");
    const ro = g.unshare(0, 1);
    expect(g.text(0, 1)).toBe("r");
    expect(rulesOf(ro)).toEqual(["do_wp_page.unshare_exclusive"]);
    g.write(1, 1);
    const rw = g.unshare(1, 1);
    expect(g.text(1, 1)).toBe("W");
    expect(rulesOf(rw)).toEqual(["handle_pte_fault.unshare_writable"]);
  });

  test("FAULT_FLAG_UNSHARE came in v5.19 (c89357e27f20): older kernels refuse unshare faults", () => {
    const old = new Guest("x86_64", 512, { kernelVersion: "5.15" });
    old.read(0, 1);
    const r = old.unshare(0, 1);
    expect(r.errno).toBe("EINVAL");
    expect(rulesOf(r)).toEqual(["fault.no_unshare_flag"]);
    expect(old.text(0, 1)).toBe("z");
    const a = new Guest("s390-2faee8ff", 256);
    expect(a.unshare(0, 1).errno).toBe("EINVAL");
    expect(new Guest("x86_64", 512, { kernelVersion: "5.19" }).unshare(0, 1).ok).toBe(true);
  });

  test("do_anonymous_page (unshare): a none PTE is handled as a read fault (only FAULT_FLAG_WRITE is tested)", () => {
    const a = new Guest("s390-06201e00", 256);
    const r = a.unshare(0, 1);
    expect(a.text(0, 1)).toBe("z");
    expect(rulesOf(r)).toEqual(["do_anonymous_page.unshare_none"]);
    const b = new Guest("s390-fa41ba0d", 256);
    b.createVm();
    b.unshare(0, 1);
    expect(b.text(0, 1)).toBe("w");
  });

  test("sanitize_fault_flags: FAULT_FLAG_UNSHARE in a non-COW mapping is dropped (a plain read)", () => {
    const g = new Guest("s390-06201e00", 256, { vmaFlags: VmFlag.WRITE });
    const r = g.read(0, 2);
    expect(rulesOf(r)).toEqual(["dax.load_hole"]);
    g.unshare(0, 2);
    expect(g.text(0, 2)).toBe("zz");
    expect(g.c.rssAnonBytes).toBe(0);
  });
});

describe("-ENOMEM against the host's memory limit (VM_FAULT_OOM)", () => {
  test("VM_FAULT_OOM: a fault fails at the exact page past the limit and changes nothing", () => {
    // Room for the segment table, one PTE table and 10 pages (C after keys: reads allocate).
    const g = new Guest("s390-06201e00", 512, { host: { memLimitBytes: S390_FIRST_TABLES + 10 * 4 * KiB } });
    g.createVm();
    g.enableSkeys();
    const before = dumpWorld(g.world);
    const r = g.read(5, 20);
    expect(r.ok).toBe(false);
    expect(r.errno).toBe("ENOMEM");
    expect(r.failedAt).toBe(15);
    expect(r.rec.footprint).toEqual([]);
    expect(dumpWorld(g.world)).toBe(before);
    expect(g.read(5, 10).ok).toBe(true);
    expect(g.c.hostMemBytes).toBe(S390_FIRST_TABLES + 10 * 4 * KiB);
  });

  test("pte_alloc: a page table that does not fit fails the fault at the first page of that table", () => {
    const g = new Guest("s390-06201e00", 512, { host: { memLimitBytes: S390_FIRST_TABLES } });
    expect(g.read(0, 256).ok).toBe(true); // zeropages: only the tables cost
    const r = g.read(250, 10);
    expect(r.errno).toBe("ENOMEM");
    expect(r.failedAt).toBe(256);
    expect(g.c.pteTables).toBe(1);
  });

  test("VM_FAULT_OOM: a later range that revisits pages is priced with what the earlier ranges did", () => {
    // Read maps zeropages (free), the second range unshares them (4 KiB each): 3 pages fit, 4 do not.
    const g = new Guest("x86_64", 512, { host: { memLimitBytes: 12 * KiB + 3 * 4 * KiB } });
    const e = { kind: "fault", mm: 0, access: "unshare", ranges: [0, 4, 0, 4] } as const;
    const r = g.apply(e);
    expect(r.errno).toBe("ENOMEM");
    expect(r.failedAt).toBe(3);
    expect(g.c.presentPages).toBe(0);
    expect(g.apply({ ...e, ranges: [0, 3, 0, 3] }).ok).toBe(true);
    expect(g.text(0, 4)).toBe("rrr-".replace("-", "."));
  });

  test("World.budgetBytes: two mms on one host share its memory limit", () => {
    // The mms must share one HostConfig object (World.budgetBytes compares hosts by identity).
    const host = {
      name: "shared",
      memLimitBytes: 2 * S390_FIRST_TABLES + 4 * 4 * KiB,
      ksmRun: false,
      ksmUseZeroPages: false,
      thp: "never" as const,
    };
    const w = new World([
      { ...guestConfig("s390-fa41ba0d", 256), host },
      { ...guestConfig("s390-fa41ba0d", 256), host },
    ]);
    w.mms[0]!.ctx.hasPgste = true;
    w.mms[1]!.ctx.hasPgste = true;
    const g0 = { kind: "fault", mm: 0, access: "read", ranges: [0, 3] } as const;
    expect(Guest.prototype.apply.call({ world: w } as Guest, g0).ok).toBe(true);
    const r = Guest.prototype.apply.call({ world: w } as Guest, { ...g0, mm: 1 });
    expect(r.errno).toBe("ENOMEM");
    expect(r.failedAt).toBe(1);
  });
});

describe("fixtures", () => {
  test("setPtes builds states that the counters read", () => {
    const g = new Guest("x86_64", 1024);
    setPtes(g.mm, 510, "zk rw K");
    expect(g.text(508, 8)).toBe("..zkrwK.");
    expect(g.c.zeropagePtes).toBe(2);
    expect(g.c.ksmZeroPages).toBe(1);
    expect(g.c.anonPages).toBe(2);
    expect(g.c.ksmPages).toBe(1);
    expect(g.tables()).toBe("* *");
  });
});
