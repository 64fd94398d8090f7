/**
 * The columnar trace (trace.ts): what one row records, how actions group events, and the trace
 * hash's determinism.
 */
import { describe, expect, test } from "vitest";
import type { KernelEvent } from "./events.ts";
import { COUNTERS } from "./proc/status.ts";
import { ruleAt } from "./rules.ts";
import { Simulation } from "./simulation.ts";
import { guestConfig } from "./test-support/guest.ts";
import {
  counterAt,
  countTablePieces,
  ERRNOS,
  effectsOf,
  extraAt,
  FLAG_ALLOW_COW_SHARING,
  FLAG_HAS_PGSTE,
  FLAG_USES_SKEYS,
  flagsAt,
  footprintOf,
  stepsOf,
  traceBuffers,
  traceColumns,
  traceHash,
} from "./trace.ts";

const C = guestConfig("s390-06201e00", 1024);
const col = (key: string) => COUNTERS.findIndex((c) => c.key === key);

function story(): KernelEvent[] {
  return [
    { kind: "kvm_create_vm", mm: 0 },
    { kind: "fault", mm: 0, access: "read", ranges: [0, 600] },
    { kind: "madvise", mm: 0, advice: "dontneed", ranges: [100, 50], callPages: 1 },
    { kind: "fault", mm: 0, access: "write", ranges: [0, 1], content: "data" },
    { kind: "enable_skeys", mm: 0, via: "instruction" },
    { kind: "fault", mm: 0, access: "read", ranges: [2000, 1] },
  ];
}

function record(events: KernelEvent[], extra: readonly string[] = []): Simulation {
  const sim = new Simulation([C], extra);
  sim.beginAction("boot", "kvm", "");
  sim.apply(events[0]!);
  sim.beginAction("migration reads guest RAM", "qemu-src", "migration-start");
  for (const e of events.slice(1, 4))
    sim.apply(e, { cause: "ram_save_target_page → save_zero_page → buffer_is_zero" });
  sim.beginAction("guest enables storage keys", "guest", "skeys");
  for (const e of events.slice(4)) sim.apply(e);
  return sim;
}

describe("TraceBuilder.record: one row per kernel event", () => {
  test("rows carry the event, footprint (run-length), effects by kind and rule, and the counters after it", () => {
    const t = record(story()).finish();
    expect(t.events).toBe(6);
    expect(footprintOf(t, 1)).toEqual([0, 600]);
    expect(t.footprintPages[1]).toBe(600);
    expect(t.footprintTables[1]).toBe(3);
    const eff = effectsOf(t, 1).map((e) => ({ ...e, rule: ruleAt(e.rule).id }));
    expect(eff).toEqual([{ from: 0, to: 1, rule: "do_anonymous_page.zeropage", count: 600 }]);
    expect(counterAt(t, 1, 0, col("zeropagePtes"))).toBe(600);
    expect(counterAt(t, 1, 0, col("pteTables"))).toBe(3);
    expect(counterAt(t, -1, 0, col("pteTables"))).toBe(0);
    // The balloon-style discard: 50 calls of one page, one footprint run.
    expect(footprintOf(t, 2)).toEqual([100, 50]);
    expect(counterAt(t, 2, 0, col("zeropagePtes"))).toBe(550);
    // Storage keys: 549 zeropages unshared, RssAnon jumps; the event-level steps name the path.
    expect(stepsOf(t, 4).map((s) => ruleAt(s).id)).toEqual(["s390_enable_skey.06201e00", "ksm_disable"]);
    expect(counterAt(t, 4, 0, col("rssAnonBytes"))).toBe((1 + 549) * 4096);
    expect(t.strings[t.label[4]!]).toBe("first storage-key instruction");
    expect(t.strings[t.cause[2]!]).toBe("ram_save_target_page → save_zero_page → buffer_is_zero");
  });

  test("context flags after each event (has_pgste, uses_skeys, allow_cow_sharing)", () => {
    const t = record(story()).finish();
    expect(flagsAt(t, -1, 0)).toBe(FLAG_ALLOW_COW_SHARING);
    expect(flagsAt(t, 0, 0)).toBe(FLAG_HAS_PGSTE | FLAG_ALLOW_COW_SHARING);
    expect(flagsAt(t, 4, 0)).toBe(FLAG_HAS_PGSTE | FLAG_USES_SKEYS);
  });

  test("actions group events with label, actor and marker", () => {
    const t = record(story()).finish();
    expect(t.actions.map((a) => [a.label, a.actor, a.marker, a.firstEvent, a.endEvent])).toEqual([
      ["boot", "kvm", "", 0, 1],
      ["migration reads guest RAM", "qemu-src", "migration-start", 1, 4],
      ["guest enables storage keys", "guest", "skeys", 4, 6],
    ]);
    expect(Array.from(t.action)).toEqual([0, 1, 1, 1, 2, 2]);
  });

  test("a failed event is recorded with its errno and message and an empty footprint", () => {
    const sim = new Simulation([C]);
    sim.apply({ kind: "fault", mm: 0, access: "read", ranges: [1000, 100] });
    sim.apply({ kind: "fault", mm: 3, access: "read", ranges: [0, 1] });
    const t = sim.finish();
    expect(Array.from(t.ok)).toEqual([0, 0]);
    expect(ERRNOS[t.errno[0]!]).toBe("EINVAL");
    expect(t.strings[t.message[0]!]).toContain("ends past guest RAM");
    expect(t.footprintPages[0]).toBe(0);
    expect(t.footprintTables[1]).toBe(0);
  });

  test("hypervisor counters (extra) are recorded with the next event", () => {
    const sim = new Simulation([C], ["balloon pages"]);
    sim.setExtra("balloon pages", 7);
    sim.apply({ kind: "fault", mm: 0, access: "read", ranges: [0, 1] });
    sim.setExtra("balloon pages", 9);
    sim.apply({ kind: "fault", mm: 0, access: "read", ranges: [1, 1] });
    const t = sim.finish();
    expect(extraAt(t, -1, 0)).toBe(7);
    expect([extraAt(t, 0, 0), extraAt(t, 1, 0)]).toEqual([7, 9]);
    expect(() => sim.setExtra("nope", 1)).toThrow();
  });
});

describe("traceHash", () => {
  test("traceHash: the same input gives the same hash; any change gives another", () => {
    const a = traceHash(record(story()).finish());
    expect(traceHash(record(story()).finish())).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    const changed = story();
    changed[2] = { kind: "madvise", mm: 0, advice: "dontneed", ranges: [100, 51], callPages: 1 };
    expect(traceHash(record(changed).finish())).not.toBe(a);
  });

  test("traceBuffers: the typed columns can be transferred", () => {
    const t = record(story()).finish();
    const bufs = traceBuffers(t);
    expect(bufs.length).toBe(traceColumns(t).length);
    expect(bufs.length).toBe(24);
    expect(bufs.every((b) => b instanceof ArrayBuffer)).toBe(true);
  });
});

test("countTablePieces: table-granularity steps of a footprint, with a first table partly outside guest RAM", () => {
  expect(countTablePieces([0, 256], 8, 0)).toBe(1);
  expect(countTablePieces([0, 257], 8, 0)).toBe(2);
  expect(countTablePieces([0, 156, 156, 1], 8, 100)).toBe(2);
  expect(countTablePieces([10, 1, 20, 1], 8, 0)).toBe(2);
});
