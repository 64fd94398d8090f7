/** RunInfo's view-facing fields: PTE state info, the migration setup and the table geometry. */
import { describe, expect, it } from "vitest";
import { PTE_STATES } from "../engine/pte.ts";
import { Pte, STATE_CLASS } from "../engine/snapshot.ts";
import { PRESETS } from "../scenario/presets/index.ts";
import type { RunInfo } from "./api.ts";
import { EngineHost } from "./engine-host.ts";

async function load(id: string, kernel?: "x86_64"): Promise<RunInfo> {
  const preset = PRESETS.find((p) => p.id === id)!;
  const r = await new EngineHost("main").load(
    kernel ? { scenario: preset.scenario, kernel } : { scenario: preset.scenario },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

describe("RunInfo for the views", () => {
  it("describes every PTE state: its class and the frame it maps", async () => {
    const run = await load("teaching-small");
    expect(run.pteStates).toHaveLength(PTE_STATES);
    expect(run.pteStates.map((s) => s.contentClass)).toEqual(STATE_CLASS);
    const frame = (s: number) => run.pteStates[s]!.frame;
    expect([Pte.ZERO, Pte.ZERO_UFFD, Pte.ZERO_KSM].map(frame)).toEqual(["zeropage", "zeropage", "zeropage"]);
    expect([Pte.ANON_RO_ZERO, Pte.ANON_RW_DATA].map(frame)).toEqual(["own", "own"]);
    expect(frame(Pte.KSM)).toBe("ksm");
    expect(frame(Pte.NONE)).toBe("none");
    // A memfd page is a frame of the guest's own; one only the page cache holds has no PTE.
    expect([Pte.SHMEM_ZERO, Pte.SHMEM_DATA].map(frame)).toEqual(["own", "own"]);
    expect([Pte.CACHED_ZERO, Pte.CACHED_DATA].map(frame)).toEqual(["none", "none"]);
  });

  it("gives the s390 table geometry: 256 PTEs, 4 KiB of memory, 2 KiB in VmPTE", async () => {
    const run = await load("teaching-small");
    expect(run.geometry).toMatchObject({
      ptesPerTable: 256,
      tableSpanBytes: 1 << 20,
      pteTableMemBytes: 4096,
      pteTableVmPteBytes: 2048,
    });
    const x86 = await load("teaching-small", "x86_64");
    expect(x86.geometry).toMatchObject({
      ptesPerTable: 512,
      tableSpanBytes: 2 << 20,
      pteTableVmPteBytes: 4096,
    });
  });

  it("names the migration mode and QEMU's zero-page detection", async () => {
    const story = await load("commit-06201e00");
    expect(story.migration).toEqual({
      mode: "precopy",
      multifd: false,
      zeroPageDetection: "legacy",
      postcopyRam: false,
    });
    const hang = await load("postcopy-hang-2017");
    expect(hang.migration.mode).toBe("postcopy");
    expect(hang.migration.postcopyRam).toBe(true);
  });

  it("names the content classes after the pages the run holds: anon, or the memfd's shmem pages", async () => {
    const labels = (r: RunInfo) => r.contentClasses.map((c) => c.label);
    const anon = await load("commit-06201e00");
    expect(labels(anon)).toEqual([
      "table, PTEs empty",
      "shared zeropage",
      "anon page, zero-filled",
      "anon page, data",
      "KSM page",
    ]);
    // memory-backend-memfd: the guest's RAM is shmem, on the source and the destination alike.
    const memfd = await load("commit-06201e00-memfd");
    expect(labels(memfd).slice(2, 4)).toEqual(["shmem/memfd page, zero-filled", "shmem/memfd page, data"]);
    expect(memfd.contentClasses[3]!.note).toMatch(/memfd \(shmem page cache\).*never maps the zeropage/);
    expect(memfd.contentClasses.map((c) => c.label).join()).not.toMatch(/anon/);
  });
});
