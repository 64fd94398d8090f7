/**
 * The run-level ledger: hosts appear once their QEMU has run an event, QEMU's counters follow the
 * trace row the caller names, and the transcript is the CLI's.
 */
import { describe, expect, test } from "vitest";
import { runScenario } from "./compile.ts";
import { finalLedgerText, runLedger } from "./ledger.ts";
import { presetById } from "./presets/index.ts";

function run(kernel: "s390-fa41ba0d" | "s390-06201e00") {
  const r = runScenario(presetById("teaching-small")!.scenario, { kernel });
  if (!r.ok) throw new Error("teaching-small does not run");
  return r.run;
}

function value(hosts: ReturnType<typeof runLedger>, host: string, name: string): number {
  const h = hosts.find((x) => x.host === host);
  if (!h) throw new Error(`no ${host} host`);
  return h.sections.flatMap((s) => s.lines).find((l) => l.name === name)!.value;
}

describe("runLedger", () => {
  test("the destination appears with its QEMU's first event, not before", () => {
    const r = run("s390-06201e00");
    const t = r.trace;
    const firstDst = Array.from(t.mm).indexOf(1);
    expect(firstDst).toBeGreaterThan(0);
    const world = r.simulation.world;
    expect(runLedger(r, world, firstDst, firstDst - 1).map((h) => h.host)).toEqual(["source"]);
    expect(runLedger(r, world, firstDst + 1, firstDst).map((h) => h.host)).toEqual(["source", "destination"]);
  });

  test("QEMU's counters come from the row named: query-migrate appears once the migration started", () => {
    const r = run("s390-fa41ba0d");
    const t = r.trace;
    const world = r.simulation.world;
    const atStart = runLedger(r, world, 0, -1)[0]!;
    expect(atStart.sections.some((s) => s.source.includes("query-migrate"))).toBe(false);
    const atEnd = runLedger(r, world, t.events, t.events - 1);
    const dup = value(atEnd, "source", "ram.duplicate");
    const k = t.extraKeys.indexOf("migDuplicate");
    expect(dup).toBe(t.extra[(t.events - 1) * t.extraKeys.length + k]);
    expect(dup).toBeGreaterThan(0);
  });

  test("the transcript: a heading, each host, each command with its lines", () => {
    const text = finalLedgerText(run("s390-06201e00"));
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^# What a real machine would print after the run \(s390-06201e00, Linux /);
    expect(lines).toContain("## source host");
    expect(lines).toContain("## destination host");
    const cmd = lines.indexOf("$ grep -E '^(Shmem|PageTables):' /proc/meminfo");
    expect(lines[cmd + 1]).toMatch(/^Shmem:\s+0 kB$/);
    expect(lines[cmd + 2]).toMatch(/^PageTables:\s+\d+ kB$/);
  });
});
