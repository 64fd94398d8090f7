/**
 * What the app says, checked against what the sources say (a review of every rule explanation and
 * preset text for claims the kernel and QEMU code do not back). Each test names the claim that was
 * wrong and pins the corrected wording's substance, so the old claim cannot come back unnoticed.
 */
import { describe, expect, test } from "vitest";
import { ruleById } from "../engine/index.ts";
import "./compile.ts";
import { PRESETS, presetById } from "./presets/index.ts";

const explain = (id: string): string => {
  const r = ruleById(id);
  if (!r) throw new Error(`no rule ${id}`);
  return `${r.title} ${r.explain} ${r.assumption ?? ""}`;
};

const allText = (): string =>
  PRESETS.map((p) => `${p.title} ${p.summary}`).join("\n") +
  ["s390_enable_skey.fa41ba0d", "s390_enable_skey.06201e00", "__s390_unshare_zeropages", "ksm_disable"]
    .map(explain)
    .join("\n");

describe("claims the sources do not back", () => {
  test("fa41ba0d forbade fault-time zeropages; it never said a guest had none (UFFDIO_ZEROPAGE and KSM place them)", () => {
    expect(allText()).not.toMatch(/never had zeropages|never allowing zeropages/);
    const b = explain("s390_enable_skey.fa41ba0d");
    expect(b).toMatch(/fault-time zeropages/);
    expect(b).toMatch(/UFFDIO_ZEROPAGE placed before 90a7592da149/);
    expect(b).toMatch(/ksmd placed with use_zero_pages/);
  });

  test("keys and PV turn off most COW sharing, not all of it: fork()'s COW stays", () => {
    expect(allText()).not.toMatch(/all COW sharing|no guest page may share a frame/);
    expect(explain("s390_enable_skey.06201e00")).toMatch(/fork\(\)'s COW is not touched/);
  });

  test("KSM unmerge unshares KSM-placed zeropages only on kernels that mark them (v6.6)", () => {
    expect(explain("ksm_disable")).not.toMatch(/and KSM-placed zeropages\) are unshared/);
    expect(explain("ksm_disable")).toMatch(/v6\.6/);
  });

  test("an empty pagemap entry, not 'not present', tells a zero page (a swapped page is not present)", () => {
    expect(presetById("pagemap-optimization")!.summary).not.toMatch(
      /Pages that are not present are known to be zero/,
    );
    expect(presetById("pagemap-optimization")!.summary).toMatch(/neither present nor swapped/);
  });

  test("the postcopy preset says it switches at once (pages sent before a switch load as in precopy)", () => {
    expect(presetById("commit-06201e00-postcopy")!.summary).toMatch(/switches to postcopy at once/);
  });

  test("the 2017 hang: dated 2017, and told per QEMU version", () => {
    const p = presetById("postcopy-hang-2017")!;
    expect(p.title).toMatch(/2017/);
    expect(p.summary).toMatch(/QEMU 5\.2 and later would not even ask/);
    expect(PRESETS.map((x) => x.title).join()).not.toMatch(/2018 postcopy hang/);
  });

  test("UFFDIO_ZEROPAGE costs no page, but may cost a page table", () => {
    expect(explain("mfill_atomic_pte_zeropage")).toMatch(/page table may be/);
  });

  test("a deflated balloon page allocates on read where the zeropage is forbidden", () => {
    expect(explain("qemu.balloon_deflate_page")).not.toMatch(/nothing is allocated until the guest writes/);
    expect(explain("qemu.balloon_deflate_page")).toMatch(/a read allocates too/);
  });

  test("a discarded 4 KiB of a split THP: the model's early free is a stated modelling choice", () => {
    expect(ruleById("__split_huge_pmd")!.assumption).toMatch(/deferred split shrinker/);
  });
});
