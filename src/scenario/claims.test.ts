/**
 * What the app says, checked against what the sources say (a review of every rule explanation and
 * preset text for claims the kernel and QEMU code do not back). Each test names the claim that was
 * wrong and pins the corrected wording's substance, so the old claim cannot come back unnoticed.
 */
import { describe, expect, test } from "vitest";
import { ruleById } from "../engine/index.ts";
import "./compile.ts";
import { actionAsides, messageNumbers } from "../ui/narration/asides.ts";
import { labelInWords } from "../ui/narration/bookkeeping.ts";
import { counterMeaning, countersRelation } from "../ui/narration/counter-legend.ts";
import { actionSummary } from "../ui/narration/summarize.ts";
import { chartTracks } from "../ui/views/chart-series.ts";
import { traceAxis } from "../ui/views/trace-axis.ts";
import { EngineHost } from "../worker/engine-host.ts";
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

/**
 * The explanations a student needs and did not get (found by reading every step's text as a student): the
 * narration's asides (ui/narration/asides.ts), the counters' legend (counter-legend.ts), the
 * bookkeeping codes in words (bookkeeping.ts) and the commit message's numbers. Each pins the
 * substance the sources back (mm/memory.c do_anonymous_page(), arch/s390/include/asm/pgtable.h
 * _PAGE_ENTRIES, arch/s390/mm/pgalloc.c page_table_alloc(), QEMU migration/ram.c
 * ram_handle_zero(), 2faee8ff's message, 06201e00's message).
 */
describe("explanations a student needs", () => {
  const host = new EngineHost("main");
  const run = async (id: string, kernel: string) => {
    const r = await host.load({ scenario: presetById(id)!.scenario, kernel: kernel as never });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.run;
  };
  const asides = async (id: string, kernel: string, marker: string) => {
    const r = await run(id, kernel);
    const i = r.trace.actions.findIndex((a) => a.marker === marker);
    const caveat = presetById(id)!.patch?.caveat ?? "";
    return new Map(actionAsides(r, actionSummary(r, i), caveat).map((a) => [a.id, a.text]));
  };

  test("zeropage reads still cost page tables: the table comes first, 4 KiB per 1 MiB on s390 and per 2 MiB on x86_64", async () => {
    const t = (await asides("commit-06201e00", "s390-06201e00", "migration-start")).get("zeropage-tables")!;
    expect(t).toMatch(/do_anonymous_page\(\) allocates that table \(pte_alloc\) before it decides/);
    expect(t).toMatch(/On s390 KVM that is 4 KiB per 1 MiB; on x86_64, 4 KiB per 2 MiB/);
  });

  test("the source's VmPTE does not grow in the story: the balloon's 4 KiB discards left the tables", async () => {
    const t = (await asides("commit-06201e00", "s390-06201e00", "migration-start")).get("zeropage-tables")!;
    expect(t).toMatch(/On the source, .* without a single new page table/);
    expect(t).toMatch(/the balloon's 4 KiB discards emptied the pages but left their tables/);
  });

  test("VmPTE is not page-table memory on s390: 2 KiB per table counted, 4 KiB per KVM table occupied", async () => {
    const g = (await run("commit-06201e00", "s390-06201e00")).geometry;
    expect(counterMeaning("vmPteBytes", g)).toMatch(/2 KiB per page table/);
    expect(counterMeaning("vmPteBytes", g)).toMatch(/occupies 4 KiB, its PTEs plus their PGSTEs/);
    expect(countersRelation(g)).toMatch(/Host memory = anonymous pages \+ KSM pages .*\+ page-table memory/);
  });

  test("the charts say what VmPTE is in the run's own geometry: half the table on s390 KVM, all of it on x86_64", async () => {
    const described = async (kernel: string) => {
      const r = await run("commit-06201e00", kernel);
      const tracks = chartTracks(r, traceAxis(r.trace));
      return (key: string) => tracks.find((t) => t.id === key)!.description;
    };
    const s390 = await described("s390-06201e00");
    expect(s390("vmPteBytes")).toMatch(/VmPTE shows half of what these tables cost/);
    const x86 = await described("x86_64");
    expect(x86("vmPteBytes")).toMatch(/the same as they occupy/);
    expect(x86("vmPteBytes")).not.toMatch(/s390|PGSTE/);
    // Host memory names everything it counts, the page cache of a memfd behind guest RAM too.
    expect(x86("hostMemBytes")).toMatch(/page cache of a memfd/);
  });

  test("the destination reads before it writes: ram_handle_zero → buffer_is_zero writes zeros only where the page is not zero", async () => {
    const t = (await asides("commit-06201e00", "s390-fa41ba0d", "migration-start")).get("zero-check")!;
    expect(t).toMatch(/RAM_SAVE_FLAG_ZERO/);
    expect(t).toMatch(
      /ram_handle_zero\(\) on the destination first checks the page with buffer_is_zero\(\): it writes zeros only if the page is not zero already/,
    );
    expect(t).toMatch(/40 GiB of new memory/);
  });

  test("a storage key belongs to the frame, and the zero frame is shared: 2faee8ff's X and Y", async () => {
    const t = (await asides("skeys-after-migration", "s390-06201e00", "skeys")).get("storage-keys")!;
    expect(t).toMatch(/belongs to a 4 KiB physical frame, not to a guest page/);
    expect(t).toMatch(/page Y, whose key overwrites X's on that one frame/);
  });

  test("skeys after migration under 06201e00: the +40 GiB is memory for pages still in the balloon, a cost the commit accepts", async () => {
    const t = (await asides("skeys-after-migration", "s390-06201e00", "skeys")).get("unshare-cost")!;
    expect(t).toMatch(/grows by 40 GiB/);
    expect(t).toMatch(/exactly what the guest's balloon still holds \(40 GiB\)/);
    expect(t).toMatch(/06201e00 accepts this cost/);
  });

  test("internal codes are said in words", () => {
    expect(labelInWords("guest = 2")).toBe("the guest puts the pages in its balloon");
    expect(labelInWords("mig.dirty = 1")).toBe("QEMU marks the pages dirty: still to send");
  });

  test("the commit message's numbers do not add up (40 GiB balloon, '50 GiB' allocated): said in the narration where the story quotes it", async () => {
    for (const id of ["commit-06201e00", "commit-06201e00-postcopy", "skeys-after-migration"])
      expect(presetById(id)!.patch!.caveat, id).toMatch(/40 GiB balloon .* 50 GiB/);
    const t = (await asides("commit-06201e00", "s390-06201e00", "migration-start")).get("message-numbers")!;
    expect(t).toMatch(/50 GiB/);
    expect(messageNumbers(presetById("commit-06201e00")!.patch!.caveat)!.text).toMatch(
      /uses the balloon's size/,
    );
  });
});
