/**
 * The compact engine against the naive per-page oracle (test-support/oracle.ts), over random event
 * sequences on small guests, for every kernel variant: after every event both report the same
 * outcome (ok, errno, failing page, userfault page) and print the same full state and counters.
 * A failed event must leave the engine's whole world unchanged.
 *
 * A failure prints the shrunk setup as JSON; pin it below as a named regression test.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { KernelEvent } from "./events.ts";
import { applyEvent } from "./kernel.ts";
import type { MmConfig } from "./mm.ts";
import { setupArb } from "./test-support/arbitraries.ts";
import { checkConsistency, dumpMm, dumpWorld } from "./test-support/dump.ts";
import { guestConfig } from "./test-support/guest.ts";
import { Oracle } from "./test-support/oracle.ts";
import { VARIANT_IDS } from "./variants.ts";
import { World } from "./world.ts";

/** Events whose failing page the engine reports (the walks report none). */
function reportsFailedAt(e: KernelEvent): boolean {
  return e.kind === "fault" || e.kind === "uffd_zeropage" || e.kind === "uffd_copy" || e.kind === "uffd_move";
}

/** Runs both models side by side; throws at the first difference. */
function compareWithOracle(cfg: MmConfig, events: readonly KernelEvent[]): void {
  const w = new World([cfg]);
  const o = new Oracle(cfg);
  events.forEach((e, i) => {
    const before = dumpWorld(w);
    const r = applyEvent(w, e);
    const ro = o.apply(e);
    const where = `event ${i} ${JSON.stringify(e)}`;
    expect({ ok: r.ok, errno: r.errno }, where).toEqual({ ok: ro.ok, errno: ro.errno });
    if (reportsFailedAt(e)) expect(r.failedAt, `${where}: failedAt`).toBe(ro.failedAt);
    expect(r.rec.userfaultAt, `${where}: userfaultAt`).toBe(ro.userfaultAt);
    expect(dumpMm(w.mms[0]!), where).toBe(o.dump());
    expect(checkConsistency(w.mms[0]!), where).toEqual([]);
    const sets = dumpWorld(w)
      .split("\n")
      .filter((l) => l.startsWith("set "));
    expect(sets, where).toEqual(o.setsDump());
    if (!r.ok) expect(dumpWorld(w), `${where}: a failed event changed the world`).toBe(before);
  });
}

describe("compact engine equals the per-page oracle", () => {
  for (const variant of VARIANT_IDS) {
    test(`random event sequences: ${variant}`, () => {
      fc.assert(
        fc.property(setupArb(variant), ({ cfg, events }) => compareWithOracle(cfg, events)),
        { numRuns: Number(process.env.FC_RUNS ?? 150) },
      );
    });
  }
});

/** Counterexamples fast-check found while this suite was written, pinned with what they caught. */
describe("regressions found by the oracle comparison", () => {
  const x86 = (o: Partial<MmConfig> = {}, h: Partial<MmConfig["host"]> = {}): MmConfig => ({
    ...guestConfig("x86_64", 512, {
      kernelVersion: "6.12",
      baseVpn: 402653184,
      vmaFlags: 3,
      host: { ksmRun: false, thp: "always", ...h },
    }),
    ...o,
  });

  test("validate_range: a zero-length UFFDIO_ZEROPAGE was -EEXIST, is -EINVAL", () => {
    compareWithOracle(x86(), [{ kind: "uffd_zeropage", mm: 0, first: 0, count: 0 }]);
  });

  test("vma_adjust_trans_huge: MADV_HUGEPAGE on part of a THP's range left a huge PMD straddling two VMAs", () => {
    compareWithOracle(x86(), [
      { kind: "fault", mm: 0, access: "write", ranges: [0, 1], content: "zero" },
      { kind: "madvise", mm: 0, advice: "hugepage", ranges: [0, 1] },
    ]);
  });

  test("VM_FAULT_OOM: overlapping ranges were priced twice (a spurious -ENOMEM)", () => {
    compareWithOracle(
      guestConfig("s390-2faee8ff", 377, {
        kernelVersion: "6.10",
        baseVpn: 1572743,
        vmaFlags: 3,
        host: { ksmRun: false, memLimitBytes: 487424 },
      }),
      [
        { kind: "fault", mm: 0, access: "write", ranges: [93, 8, 100, 102], content: "zero" },
        { kind: "fault", mm: 0, access: "read", ranges: [0, 1] },
      ],
    );
  });

  test("VM_FAULT_OOM: a second range unsharing what the first mapped was not priced (host memory past the limit)", () => {
    compareWithOracle(
      x86(
        { pages: 1015, baseVpn: 402652680, kernelVersion: "6.14" },
        { memLimitBytes: 1712128, thp: "madvise" },
      ),
      [
        { kind: "fault", mm: 0, access: "unshare", ranges: [242, 413, 0, 1015] },
        { kind: "fault", mm: 0, access: "read", ranges: [0, 512] },
      ],
    );
  });

  test("__do_huge_pmd_anonymous_page: a THP write ignored the host limit (now falls back to 4 KiB pages)", () => {
    compareWithOracle(x86({ pages: 1024 }, { memLimitBytes: 12288 + 8 * 4096 }), [
      { kind: "fault", mm: 0, access: "write", ranges: [0, 4], content: "data" },
      { kind: "fault", mm: 0, access: "read", ranges: [512, 1] },
      { kind: "fault", mm: 0, access: "write", ranges: [512, 1], content: "data" },
    ]);
  });
});
