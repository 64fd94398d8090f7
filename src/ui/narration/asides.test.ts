/**
 * The explanations beside the narration, on the commit's story and the storage-key story under
 * each kernel: each appears where its rule or call path is at work, with the run's own numbers,
 * and nowhere else. Also "Who called": no call path that moved pages is folded away.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { presetById } from "../../scenario/presets/index.ts";
import type { RunInfo } from "../../worker/api.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import { type Aside, actionAsides, eventAsides } from "./asides.ts";
import { causeLines, causesShown } from "./causes.ts";
import { counterMeaning, countersRelation } from "./counter-legend.ts";
import { actionSummary, eventCause } from "./summarize.ts";

const host = new EngineHost("main");
const runs = new Map<string, RunInfo>();

async function load(id: string, kernel: string): Promise<RunInfo> {
  const r = await host.load({ scenario: presetById(id)!.scenario, kernel: kernel as never });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

const CAVEAT = presetById("commit-06201e00")!.patch!.caveat;

function asidesAt(run: RunInfo, action: number): Map<Aside["id"], string> {
  return new Map(
    actionAsides(run, actionSummary(run, action), CAVEAT).map((a) => [a.id, `${a.title}. ${a.text}`]),
  );
}

/** The action marked `marker`. */
function actionOf(run: RunInfo, marker: string): number {
  return run.trace.actions.findIndex((a) => a.marker === marker);
}

beforeAll(async () => {
  for (const k of ["s390-fa41ba0d", "s390-06201e00", "x86_64"])
    runs.set(`story ${k}`, await load("commit-06201e00", k));
  for (const k of ["s390-06201e00", "s390-2faee8ff", "s390-fa41ba0d"])
    runs.set(`skeys ${k}`, await load("skeys-after-migration", k));
}, 120_000);

describe("the commit's story", () => {
  it("06201e00: the migration says why zeropage reads cost page tables, and why the source's VmPTE stays put", () => {
    const run = runs.get("story s390-06201e00")!;
    const a = asidesAt(run, actionOf(run, "migration-start"));
    const tables = a.get("zeropage-tables")!;
    expect(tables).toMatch(/pte_alloc/);
    expect(tables).toMatch(/one page table maps 1 MiB \(256 pages\) and takes 4 KiB/);
    expect(tables).toMatch(/4 KiB per 1 MiB; on x86_64, 4 KiB per 2 MiB/);
    expect(tables).toMatch(/VmPTE shows 2 KiB per table/);
    // The source kept its tables from the balloon's discards; the destination's grow.
    expect(tables).toMatch(
      /On the source, 10,485,760 pages \(40 GiB\) went to the zeropage without a single new page table \(VmPTE stays [\d.]+ MiB\): the tables were there already, because the balloon's 4 KiB discards emptied the pages but left their tables/,
    );
    expect(tables).toMatch(
      /On the destination, 10,485,760 pages \(40 GiB\) went to the zeropage, and the page tables grew by 102,400/,
    );
  });

  it("x86_64: 2 MiB per table, VmPTE as large as the tables", () => {
    const run = runs.get("story x86_64")!;
    const tables = asidesAt(run, actionOf(run, "migration-start")).get("zeropage-tables")!;
    expect(tables).toMatch(/one PTE table maps 2 MiB \(512 pages\) and takes 4 KiB/);
    expect(tables).not.toMatch(/VmPTE shows/);
  });

  it("fa41ba0d: no zeropage is mapped, so no zeropage aside; the zero check's read costs 40 GiB on the destination", () => {
    const run = runs.get("story s390-fa41ba0d")!;
    const a = asidesAt(run, actionOf(run, "migration-start"));
    expect(a.has("zeropage-tables")).toBe(false);
    const check = a.get("zero-check")!;
    expect(check).toMatch(
      /ram_handle_zero\(\) on the destination first checks the page with buffer_is_zero\(\)/,
    );
    expect(check).toMatch(/writes zeros only if the page is not zero already/);
    expect(check).toMatch(
      /on the destination, 10,485,760 pages \(40 GiB\): read fault allocates a zeroed anonymous page \(zeropage forbidden\): 40 GiB of new memory/,
    );
    const source = a.get("source-read")!;
    expect(source).toMatch(/save_zero_page\(\)/);
    expect(source).toMatch(/on the source, 10,485,760 pages \(40 GiB\).*40 GiB of new memory/);
  });

  it("06201e00: the same zero check costs no page for the page itself", () => {
    const run = runs.get("story s390-06201e00")!;
    const check = asidesAt(run, actionOf(run, "migration-start")).get("zero-check")!;
    expect(check).toMatch(/read fault maps the shared zeropage: no new memory for the pages themselves/);
  });

  it("the commit message's numbers are said at the migration, not at the other steps", () => {
    const run = runs.get("story s390-06201e00")!;
    const mig = actionOf(run, "migration-start");
    expect(asidesAt(run, mig).get("message-numbers")).toMatch(/50 GiB/);
    for (let i = 0; i < run.trace.actions.length; i++)
      if (i !== mig) expect(asidesAt(run, i).has("message-numbers"), `action ${i}`).toBe(false);
    // Without a caveat (a story that names no patch) nothing is said.
    expect(actionAsides(run, actionSummary(run, mig), "").some((a) => a.id === "message-numbers")).toBe(
      false,
    );
  });

  it("the balloon and the guest's writes get no aside (nothing of the kind happens there)", () => {
    const run = runs.get("story s390-06201e00")!;
    for (const marker of ["inflate", "start"])
      expect(asidesAt(run, actionOf(run, marker)).size, marker).toBe(0);
  });

  it("a single event of the destination's zero check carries the zero-check aside at page-table granularity", () => {
    const run = runs.get("story s390-fa41ba0d")!;
    let e = 0;
    while (e < run.trace.events && !eventCause(run, e).includes("ram_handle_zero")) e++;
    expect(e).toBeLessThan(run.trace.events);
    const ids = eventAsides(run, e, CAVEAT).map((a) => a.id);
    expect(ids).toContain("zero-check");
    expect(ids).not.toContain("message-numbers");
  });

  it("Who called: the destination's zero check is shown with what it did, never folded under 'more'", () => {
    for (const k of ["s390-fa41ba0d", "s390-06201e00"]) {
      const run = runs.get(`story ${k}`)!;
      const lines = causeLines(run, actionSummary(run, actionOf(run, "migration-start")));
      const shown = causesShown(lines);
      const i = lines.findIndex((l) => l.cause.includes("ram_handle_zero"));
      expect(i, k).toBeGreaterThanOrEqual(0);
      expect(i, k).toBeLessThan(shown);
      expect(lines[i]!.did.join(" "), k).toMatch(/10,485,760 pages \(40 GiB\): none → .* on the destination/);
      // Everything folded changed no PTE.
      for (const l of lines.slice(shown)) expect(l.changed, l.cause).toBe(0);
    }
  });
});

describe("storage keys after migration", () => {
  it("06201e00: why keys and a shared zeropage do not mix, and what the +40 GiB is", () => {
    const run = runs.get("skeys s390-06201e00")!;
    const a = asidesAt(run, actionOf(run, "skeys"));
    expect(a.get("storage-keys")).toMatch(/belongs to a 4 KiB physical frame, not to a guest page/);
    expect(a.get("storage-keys")).toMatch(/2faee8ff's example/);
    expect(a.get("storage-keys")).toMatch(/whose key overwrites X's on that one frame/);
    const cost = a.get("unshare-cost")!;
    expect(cost).toMatch(/RssAnon on the destination grows by 40 GiB/);
    expect(cost).toMatch(/That is exactly what the guest's balloon still holds \(40 GiB\)/);
    expect(cost).toMatch(/pages the guest gave back and does not use/);
    expect(cost).toMatch(/06201e00 accepts this cost/);
  });

  it("2faee8ff zaps and fa41ba0d has nothing to unshare: the keys aside without a cost aside", () => {
    for (const k of ["s390-2faee8ff", "s390-fa41ba0d"]) {
      const run = runs.get(`skeys ${k}`)!;
      const a = asidesAt(run, actionOf(run, "skeys"));
      expect(a.has("storage-keys"), k).toBe(true);
      expect(a.has("unshare-cost"), k).toBe(false);
    }
  });
});

describe("the counters' legend", () => {
  it("s390: VmPTE counts 2 KiB of each 4 KiB table; host memory counts the 4 KiB", () => {
    const g = runs.get("story s390-06201e00")!.geometry;
    expect(counterMeaning("vmPteBytes", g)).toMatch(/mm_pgtables_bytes\(\)\), 2 KiB per page table/);
    expect(counterMeaning("vmPteBytes", g)).toMatch(/occupies 4 KiB, its PTEs plus their PGSTEs/);
    expect(counterMeaning("pageTableBytes", g)).toMatch(/4 KiB per page table/);
    expect(counterMeaning("hostMemBytes", g)).toMatch(/page-table memory \(not VmPTE/);
    expect(countersRelation(g)).toMatch(/2 KiB of each 4 KiB table/);
  });

  it("x86_64: VmPTE is the tables' memory", () => {
    const g = runs.get("story x86_64")!.geometry;
    expect(counterMeaning("vmPteBytes", g)).toMatch(/4 KiB per PTE table .* the same as they occupy/);
    expect(counterMeaning("pageTableBytes", g)).toMatch(/equals VmPTE/);
  });

  it("every counter the engine reports has a meaning", () => {
    const run = runs.get("story s390-06201e00")!;
    for (const c of run.counters) expect(counterMeaning(c.key, run.geometry), c.key).not.toBe("");
  });
});
