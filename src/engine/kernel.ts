/**
 * applyEvent(): the one entry point that routes a kernel event to the room that models it and
 * returns what happened. Every event is a transaction: the rooms check errors and memory before
 * they change anything, so a result with ok = false means the world is exactly as before.
 *
 * `limit` replays only the first `limit` pages of the event's footprint: the trace's page-table
 * and PTE steps are such prefixes.
 */
import { Recorder } from "./apply.ts";
import { createVm, enablePv, enableSkeys } from "./arch/s390.ts";
import { eventRanges, type KernelEvent } from "./events.ts";
import { fault, R_GUP_READ, R_NO_POPULATE, R_POPULATE_READ } from "./fault.ts";
import { fork } from "./fork.ts";
import { ksmDisable, ksmScan } from "./ksm.ts";
import { madviseDontneed, madviseFlags, R_GMAP_DISCARD, R_MADV_DONTNEED, R_NO_GMAP } from "./madvise.ts";
import { countVmEvents } from "./proc/vmstat.ts";
import { defineRule, ruleById, step } from "./rules.ts";
import { punchHole } from "./shmem.ts";
import { uffdMove } from "./uffd-move.ts";
import { uffdFill, uffdRegister } from "./userfaultfd.ts";
import type { EventResult, World } from "./world.ts";

export const R_PAGESET = defineRule({
  id: "pageset",
  title: "bookkeeping outside the kernel",
  path: [step("user-space state")],
  explain:
    "A flag kept by the guest or QEMU (such as which guest pages the balloon holds) changes; the kernel is not involved.",
});

function done(
  ok: boolean,
  rec: Recorder,
  errno: EventResult["errno"] = null,
  message: string | null = null,
  failedAt = -1,
): EventResult {
  return { ok, errno, message, failedAt, rec };
}

/** Every range is whole pages inside guest RAM: anything else is a caller bug reported as -EINVAL. */
function badRanges(e: KernelEvent, pages: number): string | null {
  const r = eventRanges(e);
  if (r.length % 2 !== 0) return "ranges must be [first, count] pairs";
  for (let i = 0; i < r.length; i += 2) {
    const first = r[i]!;
    const count = r[i + 1]!;
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) {
      return `range [${first}, +${count}] is not a whole, non-negative page range`;
    }
    if (first + count > pages) return `range [${first}, +${count}] ends past guest RAM (${pages} pages)`;
  }
  return null;
}

export function applyEvent(w: World, e: KernelEvent, limit = Number.POSITIVE_INFINITY): EventResult {
  const r = route(w, e, limit);
  // A failed event changed nothing (every room is a transaction), so it counted nothing either.
  const mm = w.mms[e.mm];
  if (r.ok && mm) countVmEvents(mm, r.rec);
  return r;
}

function route(w: World, e: KernelEvent, limit: number): EventResult {
  const rec = new Recorder();
  const mm = w.mms[e.mm];
  if (!mm) return done(false, rec, "EINVAL", `no mm with index ${e.mm}`);
  const bad = badRanges(e, mm.pages);
  if (bad) return done(false, rec, "EINVAL", bad);
  switch (e.kind) {
    case "fault": {
      if (e.access === "read" && e.via === "populate_read" && !mm.has("populateRead")) {
        rec.step(R_NO_POPULATE.index);
        return done(
          false,
          rec,
          "EINVAL",
          `no MADV_POPULATE_READ before v5.14 (this kernel: ${mm.kernelVersion})`,
        );
      }
      if (e.access === "read" && e.via)
        rec.step(e.via === "populate_read" ? R_POPULATE_READ.index : R_GUP_READ.index);
      const content = e.access === "write" ? e.content : "zero";
      const pin = e.access === "read" && e.via === "gup";
      const r = fault(mm, e.access, e.ranges, content, rec, limit, w.budgetBytes(mm), pin);
      return done(r.ok, rec, r.errno, r.message, r.failedAt);
    }
    case "madvise": {
      if (e.advice === "dontneed") rec.step(R_MADV_DONTNEED.index);
      const r =
        e.advice === "dontneed"
          ? madviseDontneed(mm, e.ranges, e.callPages, rec, limit)
          : madviseFlags(mm, e.advice, e.ranges, rec, limit, w.budgetBytes(mm));
      return done(r.ok, rec, r.errno, r.message);
    }
    case "gmap_discard": {
      if (mm.variant.arch !== "s390x") {
        rec.step(R_NO_GMAP.index);
        return done(false, rec, "EINVAL", "DIAGNOSE 0x10 and gmap_discard() exist only on s390");
      }
      rec.step(R_GMAP_DISCARD.index);
      const r = madviseDontneed(mm, e.ranges, undefined, rec, limit, false);
      return done(r.ok, rec, r.errno, r.message);
    }
    case "punch_hole": {
      const r = punchHole(mm, e.ranges, rec, limit);
      return done(r.ok, rec, r.errno, r.message);
    }
    case "uffd_register":
    case "uffd_unregister": {
      const r = uffdRegister(mm, e.ranges, e.kind === "uffd_register", rec);
      return done(r.ok, rec, r.errno, r.message, r.failedAt);
    }
    case "uffd_zeropage":
    case "uffd_copy": {
      const content = e.kind === "uffd_copy" ? e.content : null;
      const r = uffdFill(mm, e.first, e.count, content, rec, limit, w.budgetBytes(mm));
      return done(r.ok, rec, r.errno, r.message, r.failedAt);
    }
    case "uffd_move": {
      const r = uffdMove(mm, e.src, e.dst, e.count, rec, limit, w.budgetBytes(mm));
      return done(r.ok, rec, r.errno, r.message, r.failedAt);
    }
    case "fork": {
      const r = fork(mm, rec);
      return done(r.ok, rec, r.errno, r.message);
    }
    case "ksm_scan":
      ksmScan(mm, rec, limit);
      return done(true, rec);
    case "ksm_disable": {
      const r = ksmDisable(mm, rec, limit, w.budgetBytes(mm));
      return done(r.ok, rec, r.errno, r.message);
    }
    case "kvm_create_vm": {
      const r = createVm(mm, rec, limit);
      return done(r.ok, rec, r.errno, r.message);
    }
    case "enable_skeys": {
      const r = enableSkeys(mm, rec, limit, w.budgetBytes(mm));
      return done(r.ok, rec, r.errno, r.message);
    }
    case "enable_pv": {
      const r = enablePv(mm, rec, limit, w.budgetBytes(mm));
      return done(r.ok, rec, r.errno, r.message);
    }
    case "pageset": {
      const set = w.pageset(e.mm, e.set);
      let processed = 0;
      for (let i = 0; i < e.ranges.length && processed < limit; i += 2) {
        const n = Math.min(e.ranges[i + 1]!, limit - processed);
        set.fill(e.ranges[i]!, n, e.value);
        rec.addFootprint(e.ranges[i]!, n);
        processed += n;
      }
      rec.step(R_PAGESET.index);
      return done(true, rec);
    }
    case "note": {
      const rule = e.rule === undefined ? R_PAGESET : ruleById(e.rule);
      if (!rule) return done(false, rec, "EINVAL", `no rule ${e.rule} is registered`);
      rec.step(rule.index);
      return done(true, rec);
    }
  }
}
