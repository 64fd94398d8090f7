/**
 * fork() (fork.ts): QEMU's guest RAM is VM_DONTCOPY, so dup_mmap() copies none of it and the
 * parent's page tables stay as they are; memory without it would be copied into a child, which
 * the model does not invent: it refuses, and its rule says what the kernel would do.
 */
import { describe, expect, test } from "vitest";
import { variantPath } from "./kernel-names.ts";
import { VmFlag } from "./mm.ts";
import { formatPath, ruleById } from "./rules.ts";
import { dumpMm } from "./test-support/dump.ts";
import { Guest, rulesOf } from "./test-support/guest.ts";
import { VARIANT_IDS } from "./variants.ts";

const GUEST_RAM = VmFlag.WRITE | VmFlag.COW | VmFlag.DONTCOPY;

describe("fork()", () => {
  test.each(VARIANT_IDS.map((v) => [v]))(
    "%s: guest RAM marked MADV_DONTFORK is not copied; zeropages and pages stay as they were",
    (variant) => {
      const g = new Guest(variant, 1024, { vmaFlags: GUEST_RAM });
      g.read(0, 8);
      g.write(8, 8);
      const before = dumpMm(g.mm);
      const r = g.apply({ kind: "fork", mm: 0 });
      expect(r).toMatchObject({ ok: true, errno: null });
      expect(rulesOf(r)).toEqual(["dup_mmap.dontcopy"]);
      expect(dumpMm(g.mm)).toBe(before);
      expect(r.rec.footprint).toEqual([]);
    },
  );

  test("memory without VM_DONTCOPY would be copied into a child: refused, nothing changes", () => {
    const g = new Guest("s390-fa41ba0d", 512);
    g.read(0, 4);
    const before = dumpMm(g.mm);
    const r = g.apply({ kind: "fork", mm: 0 });
    expect(r).toMatchObject({ ok: false, errno: "EINVAL" });
    expect(r.message).toContain("not VM_DONTCOPY");
    expect(rulesOf(r)).toEqual(["dup_mmap.copy_not_modelled"]);
    expect(dumpMm(g.mm)).toBe(before);
    const rule = ruleById("dup_mmap.copy_not_modelled")!;
    expect(rule.explain).toContain("no mm_forbids_zeropage() check");
    expect(rule.assumption).toContain("does not invent a child mm");
  });

  test("a VMA split off without the flag is enough to refuse", () => {
    const g = new Guest("x86_64", 1024, { vmaFlags: GUEST_RAM });
    g.mm.updateVmaFlags(100, 10, 0, VmFlag.DONTCOPY);
    const r = g.apply({ kind: "fork", mm: 0 });
    expect(r.errno).toBe("EINVAL");
    expect(r.message).toContain("[100, +10)");
  });

  test("dup_mmap() is kernel/fork.c's until v6.16; the copy is copy_one_pte() in v4.12", () => {
    const copy = ruleById("dup_mmap.copy_not_modelled")!;
    const a = variantPath(copy, "s390-2faee8ff");
    expect(a[0]).toMatchObject({ fn: "dup_mmap", file: "kernel/fork.c" });
    expect(formatPath(a)).toBe(
      "dup_mmap → copy_page_range → copy_pte_range → copy_one_pte → vm_normal_page NULL for the zero pfn: copied as is",
    );
    expect(variantPath(copy, "s390-06201e00").map((f) => f.fn)).toContain("copy_present_ptes");
    expect(variantPath(copy, "x86_64")[0]).toMatchObject({ fn: "dup_mmap", file: "mm/mmap.c" });
  });
});
