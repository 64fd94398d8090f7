/**
 * UFFDIO_MOVE (v6.8, adef440691ba): fs/userfaultfd.c userfaultfd_move() → mm/userfaultfd.c
 * move_pages(). A thread of the process moves the pages mapped at [src, src+len) to [dst, dst+len)
 * in the same mm, by moving PTEs: no page is allocated, copied or freed.
 *
 * What the model follows, per page, in move_pages()' order:
 * - the whole call first: both ranges inside one VMA each, private anonymous and writable, the
 *   destination registered with the userfaultfd (validate_move_areas()), else -EINVAL;
 * - no page table at the source → -ENOENT (the model passes mode 0, without
 *   UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES); a huge PMD at the destination → -EEXIST;
 * - a huge PMD at the source that the call covers whole, 2 MiB aligned at both ends, with nothing
 *   at the destination's PMD → move_pages_huge_pmd() moves it as one;
 * - otherwise a destination page table (pte_alloc(), memory-limited like any table), then
 *   move_pages_ptes(): destination PTE not none → -EEXIST; source none → -ENOENT; a zeropage PTE →
 *   move_zeropage_pte() since eb1521dad8f3 (v6.9), -EBUSY before; an exclusive anonymous page →
 *   move_present_ptes(); a KSM page (not PageAnonExclusive) → -EBUSY.
 *
 * Progress is reported as for UFFDIO_COPY: a call that moved some pages returns -EAGAIN with the
 * bytes moved in .move (ok, errno EAGAIN, here); a call that moved none fails with the error and
 * changes nothing. The footprint is the destination pages, in order.
 *
 * No mm_forbids_zeropage() anywhere: a move relocates a zeropage PTE that already exists; it never
 * maps a new one, so the number of zeropage PTEs does not change.
 *
 * Modelling choices (stated in the rules): pages are taken in blocks no longer than the distance
 * between the ranges, so an overlapping move sees what earlier pages left, as the kernel's page by
 * page walk does. The page where a call stops leaves nothing behind (the kernel may have allocated
 * the destination's tables for it). A source huge PMD the call does not move whole, or a
 * PTE-mapped THP, would be split (split_huge_pmd(), split_folio()); the model refuses such a call.
 */
import type { Errno, Recorder } from "./apply.ts";
import type { Mm } from "./mm.ts";
import { VmFlag } from "./mm.ts";
import { isAnon, isZeropage, Pte } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";

const UFFD = "mm/userfaultfd.c";
const FS = "fs/userfaultfd.c";
const HUGE = "mm/huge_memory.c";

const ENTRY = [fr(FS, "userfaultfd_move"), fr(UFFD, "move_pages")];
const PTES = [...ENTRY, fr(UFFD, "move_pages_ptes")];

export const R_NO_MOVE = defineRule({
  id: "userfaultfd_ioctl.no_move",
  title: "no UFFDIO_MOVE in this kernel (it came in v6.8): -EINVAL",
  path: [fr(FS, "userfaultfd_ioctl"), step("unknown command", "-EINVAL")],
  explain:
    'UFFDIO_MOVE arrived in v6.8 (adef440691ba "userfaultfd: UFFDIO_MOVE uABI"). An older kernel\'s userfaultfd_ioctl() does not know the command and returns -EINVAL; nothing moves.',
});

export const R_MOVE_EINVAL = defineRule({
  id: "move_pages.einval",
  title: "UFFDIO_MOVE between areas it cannot move between: -EINVAL",
  path: [...ENTRY, fr(UFFD, "validate_move_areas", "-EINVAL")],
  explain:
    "Each range must lie inside one VMA, both private anonymous memory with write permission, and the destination must be registered with this userfaultfd; a zero-length call is refused by validate_range(). Otherwise the whole call fails before anything moves.",
});

export const R_MOVE_PAGE = defineRule({
  id: "move_present_ptes",
  title: "UFFDIO_MOVE moves an exclusive anonymous page",
  path: [...PTES, fr(UFFD, "move_present_ptes"), step("folio_move_anon_rmap"), step("pte_mkwrite")],
  explain:
    "The page's PTE is cleared at the source and set at the destination, writable; the page itself stays where it is in memory (its reverse map is pointed at the new address). Nothing is allocated or freed and RssAnon does not change: it is the same mm. Only an exclusive anonymous page can move, one this process alone maps.",
});

export const R_MOVE_ZEROPAGE = defineRule({
  id: "move_zeropage_pte",
  title: "UFFDIO_MOVE moves a zeropage PTE",
  path: [...PTES, fr(UFFD, "move_zeropage_pte"), step("no mm_forbids_zeropage() check")],
  explain:
    "Since eb1521dad8f3 (v6.9) a zeropage PTE moves too: the source PTE is cleared and the destination gets a new special PTE for the zero pfn. No page is involved. The move relocates a zeropage mapping that already exists, so it does not ask mm_forbids_zeropage(): the number of zeropage PTEs stays the same.",
});

export const R_MOVE_ZEROPAGE_FORBIDDEN = defineRule({
  id: "move_zeropage_pte.forbidden_mm",
  title: "UFFDIO_MOVE moves a zeropage inside an mm that forbids the zeropage",
  path: [...PTES, fr(UFFD, "move_zeropage_pte"), step("no mm_forbids_zeropage() check")],
  explain:
    "This mm forbids the shared zeropage, yet a zeropage PTE is here: placed before the ban, by UFFDIO_ZEROPAGE before 90a7592da149, or by KSM. UFFDIO_MOVE relocates it all the same: move_zeropage_pte() has no mm_forbids_zeropage() check. It adds no zeropage, it only moves one.",
});

export const R_MOVE_KSM_ZEROPAGE = defineRule({
  id: "move_zeropage_pte.ksm",
  title: "UFFDIO_MOVE moves a KSM-placed zeropage: it arrives as a plain zeropage",
  path: [...PTES, fr(UFFD, "move_zeropage_pte"), step("ptep_clear_flush(src)"), step("set_pte_at(dst)")],
  explain:
    "ksmd had put the zeropage here (use_zero_pages, a PTE marked dirty). The move clears the source PTE and writes a fresh, clean zero-pfn PTE at the destination, so the page is an ordinary zeropage afterwards: KSM's unmerge no longer sees it as its own. The move does not ask mm_forbids_zeropage().",
  assumption:
    "Read from move_zeropage_pte() (v6.9 to v6.18): the source PTE is cleared with ptep_clear_flush(), not through ksm_might_unmap_zero_page(), so the model keeps counting the page in ksm_zero_pages, as it does after fa41ba0d's __zap_zero_pages(). Measured on 6.18 (the kernel check's uffd-move-ksm script: ksm_zero_pages keeps the moved page); the versions between are read, not run.",
});

export const R_MOVE_PMD = defineRule({
  id: "move_pages_huge_pmd",
  title: "UFFDIO_MOVE moves a whole huge PMD",
  path: [...ENTRY, fr(HUGE, "move_pages_huge_pmd"), step("pgtable_trans_huge_withdraw / deposit")],
  explain:
    "The call covers the whole 2 MiB, aligned at both ends, and nothing is mapped at the destination's PMD, so the huge PMD moves as one with its deposited page table: a transparent huge page, or (since eb1521dad8f3, v6.9) the huge zero page. Nothing is allocated or freed but upper-level tables at the destination.",
});

export const R_MOVE_THP = defineRule({
  id: "move_pages.thp_not_modelled",
  title: "UFFDIO_MOVE that would split a transparent huge page: not modelled, refused",
  path: [...ENTRY, step("split_huge_pmd() / split_folio()", "not modelled")],
  explain:
    "The source range holds a transparent huge page this call would have to split (a huge PMD it does not move whole, or a THP already mapped by PTEs), or the destination lies in the page table of a THP mapped by PTEs. The kernel splits and moves 4 KiB pages there; the model does not model those splits for UFFDIO_MOVE, so it refuses the whole call (-EINVAL) and nothing changes.",
  assumption:
    "Splitting for a move (split_huge_pmd(), then split_folio(), which since b1f202060afe may also remap zero-filled subpages to the zeropage) is not modelled. The model checks the ranges as they are before the call and refuses it, even where the kernel would have stopped earlier for another reason, and any overlapping move of a range holding a huge PMD.",
});

const STOP_ASSUMPTION =
  "The kernel allocates the destination's page tables for a page (mm_alloc_pmd(), pte_alloc()) before it finds that the page cannot move, and keeps them; the model allocates nothing for the page where the call stops.";

export const R_MOVE_EEXIST = defineRule({
  id: "move_pages_ptes.eexist",
  title: "UFFDIO_MOVE: the destination is populated: -EEXIST",
  path: [...PTES, step("!pte_none(dst)", "-EEXIST")],
  explain:
    "UFFDIO_MOVE only moves into empty PTEs (or an empty PMD), so that a page already there is never overwritten. The call stops at the first populated one.",
  assumption: STOP_ASSUMPTION,
});

export const R_MOVE_ENOENT = defineRule({
  id: "move_pages_ptes.enoent",
  title: "UFFDIO_MOVE: nothing mapped at the source: -ENOENT",
  path: [...PTES, step("pte_none(src)", "-ENOENT")],
  explain:
    "Without UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES a hole in the source range (no PTE, or no page table) is an error: the call stops there.",
  assumption: STOP_ASSUMPTION,
});

export const R_MOVE_EBUSY = defineRule({
  id: "move_pages_ptes.ebusy",
  title: "UFFDIO_MOVE meets a page this process does not own alone (KSM): -EBUSY",
  path: [...PTES, fr("mm/memory.c", "vm_normal_folio"), step("!PageAnonExclusive", "-EBUSY")],
  explain:
    "Only a page this process alone maps can change address: a KSM page is shared (not PageAnonExclusive), so the call stops there with -EBUSY.",
});

export const R_MOVE_ZEROPAGE_EBUSY = defineRule({
  id: "move_pages_ptes.zeropage_ebusy",
  title: "UFFDIO_MOVE meets the zeropage before eb1521dad8f3 (v6.8): -EBUSY",
  path: [...PTES, fr("mm/memory.c", "vm_normal_folio", "= NULL (zero pfn)"), step("-EBUSY")],
  explain:
    "In v6.8 UFFDIO_MOVE moved only pages: a zeropage PTE has no page (vm_normal_folio() returns NULL), and the huge zero page is refused up front, so the call stops there with -EBUSY. eb1521dad8f3 (v6.9) taught it to move both.",
});

/** What a caller gets back: ok with progress (errno EAGAIN when partial), or an error and no change. */
export interface MoveOutcome {
  ok: boolean;
  errno: Errno | null;
  message: string | null;
  /** The page where a failed call stopped (destination for -EEXIST/-ENOMEM, else source), or -1. */
  failedAt: number;
  /** Pages moved. */
  progress: number;
}

type Stop = "ENOENT" | "EEXIST" | "EBUSY" | "ENOMEM";

/** The mm forbids the zeropage, or would if 06201e00 v2's generic macro did not hide it. */
function forbidden(mm: Mm): boolean {
  return mm.forbidsZeropage() || (mm.variant.forbidsShadowed === true && !mm.ctx.allowCowSharing);
}

/** What the destination PTE maps after a move of a page in state `s`. */
function movedState(s: number): number {
  switch (s) {
    case Pte.ZERO_KSM:
      return Pte.ZERO; // a fresh zero-pfn PTE, not marked dirty
    case Pte.ANON_RO_ZERO:
      return Pte.ANON_RW_ZERO; // pte_mkwrite(): both VMAs have VM_WRITE
    case Pte.ANON_RO_DATA:
      return Pte.ANON_RW_DATA;
    default:
      return s;
  }
}

/** Why a source page in state `s` cannot move, or null if it can. */
function refusal(mm: Mm, s: number): Stop | null {
  if (s === Pte.NONE) return "ENOENT";
  if (isZeropage(s)) return mm.has("uffdMoveZeropage") ? null : "EBUSY";
  return isAnon(s) ? null : "EBUSY";
}

function moveRule(mm: Mm, s: number): number {
  if (isAnon(s)) return R_MOVE_PAGE.index;
  if (s === Pte.ZERO_KSM) return R_MOVE_KSM_ZEROPAGE.index;
  return forbidden(mm) ? R_MOVE_ZEROPAGE_FORBIDDEN.index : R_MOVE_ZEROPAGE.index;
}

/** Memory the upper-level tables above `table` would take if allocated now. */
function upperCost(mm: Mm, table: number): number {
  const missing: number[] = [];
  mm.pt.missingUpperFor(table, missing);
  let cost = 0;
  mm.geometry.upper.forEach((u, i) => {
    cost += missing[i]! * u.memBytes;
  });
  return cost;
}

/** mm_find_pmd(): the PMD table (the lowest upper level) above `table` exists. */
function hasPmdTable(mm: Mm, table: number): boolean {
  const missing: number[] = [];
  mm.pt.missingUpperFor(table, missing);
  return missing[0] === 0;
}

/** move_pages() and validate_move_areas(): why the whole call is refused, or null. */
function badAreas(mm: Mm, src: number, dst: number, count: number): string | null {
  const sv = mm.vmaAt(src);
  const dv = mm.vmaAt(dst);
  if (!sv || src + count > sv.first + sv.count)
    return `the source range [${src}, +${count}) does not lie inside one VMA`;
  if (!dv || dst + count > dv.first + dv.count)
    return `the destination range [${dst}, +${count}) does not lie inside one VMA`;
  for (const [name, v] of [
    ["source", sv],
    ["destination", dv],
  ] as const) {
    if (!(v.flags & VmFlag.COW)) return `the ${name} is not private anonymous memory (vma_is_anonymous())`;
    if (!(v.flags & VmFlag.WRITE))
      return `the ${name} is not writable (validate_move_areas(): VM_WRITE only)`;
  }
  if (!(dv.flags & VmFlag.UFFD_MISSING)) return "the destination is not registered with this userfaultfd";
  return null;
}

/**
 * Whether source table `t` (a huge PMD) is one move_pages_huge_pmd() moves whole: the call covers
 * all of it, the destination is a whole 2 MiB aligned the same way, and nothing is mapped there.
 */
function movesWhole(mm: Mm, t: number, src: number, dst: number, count: number): boolean {
  const pt = mm.pt;
  const n = mm.geometry.ptesPerTable;
  const s0 = pt.ptes.chunkStart(t);
  if (pt.ptes.chunkEnd(t) - s0 !== n || s0 < src || s0 + n > src + count) return false;
  const q = s0 + (dst - src);
  const td = pt.tableOf(q);
  return pt.ptes.chunkStart(td) === q && pt.ptes.chunkEnd(td) - q === n && !pt.hasTable(td);
}

/** A transparent huge page the call would have to split (not modelled), described; or null. */
function thpInTheWay(mm: Mm, src: number, dst: number, count: number): string | null {
  const pt = mm.pt;
  const overlap = src < dst + count && dst < src + count;
  const end = src + count;
  for (let t = pt.tableOf(src); t <= pt.tableOf(end - 1); t++) {
    if (!pt.hasTable(t) || (!pt.huge[t] && !pt.folio[t])) continue;
    const first = Math.max(src, pt.ptes.chunkStart(t));
    const last = Math.min(end, pt.ptes.chunkEnd(t));
    if (pt.huge[t]) {
      // The destination's huge PMD (-EEXIST) or the huge zero page before v6.9 (-EBUSY) stop the
      // call before any split.
      if (pt.huge[pt.tableOf(first + dst - src)]) continue;
      if (pt.tableTag(t) === Pte.ZERO && !mm.has("uffdMoveZeropage")) continue;
      if (!overlap && movesWhole(mm, t, src, dst, count)) continue;
      return `source page ${first} lies in a huge PMD this call would split (split_huge_pmd()): not modelled`;
    }
    if (pt.ptes.chunkHolds(t, Pte.ANON_RO_ZERO, Pte.ANON_RW_DATA)) {
      let anon = -1;
      pt.ptes.forEachRun(first, last - first, (v, start) => {
        if (anon < 0 && isAnon(v)) anon = start;
      });
      if (anon >= 0)
        return `source page ${anon} belongs to a THP mapped by PTEs that this call would split (split_folio()): not modelled`;
    }
  }
  for (let t = pt.tableOf(dst); t <= pt.tableOf(dst + count - 1); t++) {
    if (pt.folio[t] && !pt.huge[t])
      return `destination page ${Math.max(dst, pt.ptes.chunkStart(t))} lies in the page table of a THP mapped by PTEs: not modelled`;
  }
  return null;
}

/** Moves pages [p, p+k) to [q, q+k): PTEs only, in runs; the destination table exists. */
function movePtes(mm: Mm, p: number, q: number, k: number, rec: Recorder): void {
  const pt = mm.pt;
  const runs: number[] = [];
  pt.ptes.forEachRun(p, k, (v, start, len) => {
    runs.push(v, start, len);
  });
  for (let i = 0; i < runs.length; i += 3) {
    const v = runs[i]!;
    const start = runs[i + 1]!;
    const len = runs[i + 2]!;
    const to = movedState(v);
    const rule = moveRule(mm, v);
    pt.ptes.fill(start - p + q, len, to);
    pt.ptes.fill(start, len, Pte.NONE);
    pt.stateCounts[v]! -= len;
    pt.stateCounts[to]! += len;
    rec.addEffect(v, Pte.NONE, rule, len);
    rec.addEffect(Pte.NONE, to, rule, len);
    if (v === Pte.ZERO_KSM) mm.ksmZeroLeaked += len;
  }
  rec.addFootprint(q, k);
}

/** move_pages_huge_pmd(): source table `ts` (a huge PMD) becomes destination table `td`. */
function movePmd(mm: Mm, ts: number, td: number, rec: Recorder): void {
  const pt = mm.pt;
  const s0 = pt.ptes.chunkStart(ts);
  const d0 = pt.ptes.chunkStart(td);
  const n = mm.geometry.ptesPerTable;
  const runs: number[] = [];
  pt.ptes.forEachRun(s0, n, (v, start, len) => {
    runs.push(v, start, len);
  });
  const folio = pt.folio[ts] === 1;
  // The deposited table moves with the PMD: one table allocated here, one freed below.
  pt.allocTables(td, 1);
  for (let i = 0; i < runs.length; i += 3) {
    const v = runs[i]!;
    const len = runs[i + 2]!;
    pt.ptes.fill(runs[i + 1]! - s0 + d0, len, v);
    rec.addEffect(v, Pte.NONE, R_MOVE_PMD.index, len);
    rec.addEffect(Pte.NONE, v, R_MOVE_PMD.index, len);
  }
  pt.setHuge(td, true);
  if (folio) pt.setFolio(td, true);
  pt.freeTable(ts);
  rec.addFootprint(d0, n);
}

/**
 * One UFFDIO_MOVE of `count` pages from `src` to `dst` (mode 0). `limit` applies only the first
 * `limit` pages of the footprint (the destination pages; a whole-PMD move counts at once).
 */
export function uffdMove(
  mm: Mm,
  src: number,
  dst: number,
  count: number,
  rec: Recorder,
  limit: number,
  budgetBytes: number,
): MoveOutcome {
  const refuse = (rule: number, message: string): MoveOutcome => {
    rec.step(rule);
    return { ok: false, errno: "EINVAL", message, failedAt: -1, progress: 0 };
  };
  if (!mm.has("uffdMove"))
    return refuse(R_NO_MOVE.index, `no UFFDIO_MOVE before v6.8 (this kernel: ${mm.kernelVersion})`);
  if (count === 0) return refuse(R_MOVE_EINVAL.index, "UFFDIO_MOVE of zero bytes (validate_range())");
  const bad = badAreas(mm, src, dst, count);
  if (bad) return refuse(R_MOVE_EINVAL.index, bad);
  const thp = thpInTheWay(mm, src, dst, count);
  if (thp) return refuse(R_MOVE_THP.index, thp);

  const pt = mm.pt;
  const g = mm.geometry;
  const delta = dst - src;
  // Pages within a block never both move and receive: the blocks see what earlier ones left.
  const block = delta === 0 ? count : Math.min(count, Math.abs(delta));
  let left = budgetBytes;
  let done = 0;
  let applied = 0;
  let stop: Stop | null = null;
  let stopAt = -1;
  let stopZero = false;
  while (done < count && applied < limit) {
    const p = src + done;
    const q = dst + done;
    const ts = pt.tableOf(p);
    const td = pt.tableOf(q);
    // mm_find_pmd() finds no PMD table for the source: -ENOENT before anything else. With one but
    // no PTE table under it, the destination's huge PMD (-EEXIST) is found first.
    if (!pt.hasTable(ts) && !hasPmdTable(mm, ts)) {
      [stop, stopAt] = ["ENOENT", p];
      break;
    }
    if (pt.huge[td]) {
      [stop, stopAt] = ["EEXIST", q];
      break;
    }
    if (!pt.hasTable(ts)) {
      [stop, stopAt] = ["ENOENT", p];
      break;
    }
    if (pt.huge[ts]) {
      // thpInTheWay() let it through: a whole move, or the huge zero page before v6.9.
      if (pt.tableTag(ts) === Pte.ZERO && !mm.has("uffdMoveZeropage")) {
        [stop, stopAt, stopZero] = ["EBUSY", p, true];
        break;
      }
      const cost = upperCost(mm, td);
      if (cost > left) {
        [stop, stopAt] = ["ENOMEM", q];
        break;
      }
      left -= cost;
      movePmd(mm, ts, td, rec);
      done += g.ptesPerTable;
      applied += g.ptesPerTable;
      continue;
    }
    const end = Math.min(
      count,
      block * Math.floor(done / block) + block,
      pt.ptes.chunkEnd(ts) - src,
      pt.ptes.chunkEnd(td) - dst,
    );
    const len = end - done;
    const newTable = !pt.hasTable(td);
    const tableBytes = newTable ? g.pteTableMemBytes + upperCost(mm, td) : 0;
    if (tableBytes > left) {
      [stop, stopAt] = ["ENOMEM", q];
      break;
    }
    // Destination PTEs are checked first, then the source's (move_pages_ptes()).
    let free = len;
    if (!newTable) {
      let seen = 0;
      pt.ptes.forEachRun(q, len, (v, _start, n) => {
        if (seen < 0) return;
        if (v !== Pte.NONE) {
          free = seen;
          seen = -1;
          return;
        }
        seen += n;
      });
    }
    let k = free;
    let reason: Stop | null = free < len ? "EEXIST" : null;
    let at = q + free;
    let seen = 0;
    pt.ptes.forEachRun(p, free, (v, _start, n) => {
      if (seen < 0) return;
      const r = refusal(mm, v);
      if (r) {
        k = seen;
        reason = r;
        at = p + seen;
        stopZero = r === "EBUSY" && isZeropage(v);
        seen = -1;
        return;
      }
      seen += n;
    });
    const take = Math.min(k, limit - applied);
    if (take > 0) {
      if (newTable) {
        left -= tableBytes;
        pt.allocTables(td, 1);
        rec.tablesAllocated += 1;
      }
      movePtes(mm, p, q, take, rec);
    }
    done += k;
    applied += take;
    if (reason) {
      [stop, stopAt] = [reason, at];
      break;
    }
  }
  const stopRule = (s: Stop): number | null =>
    s === "EEXIST"
      ? R_MOVE_EEXIST.index
      : s === "ENOENT"
        ? R_MOVE_ENOENT.index
        : s === "EBUSY"
          ? stopZero
            ? R_MOVE_ZEROPAGE_EBUSY.index
            : R_MOVE_EBUSY.index
          : null;
  const why = (s: Stop): string =>
    s === "EEXIST"
      ? `destination page ${stopAt} is already populated`
      : s === "ENOENT"
        ? `nothing is mapped at source page ${stopAt}`
        : s === "EBUSY"
          ? stopZero
            ? `source page ${stopAt} maps the zeropage, which UFFDIO_MOVE moves only from v6.9 (this kernel: ${mm.kernelVersion})`
            : `source page ${stopAt} is a KSM page, not exclusive to this process`
          : `host "${mm.host.name}" has no memory left for the page table of destination page ${stopAt}`;
  if (stop !== null) {
    const rule = stopRule(stop);
    if (rule !== null) rec.step(rule);
  }
  if (done === 0 && stop !== null) {
    return { ok: false, errno: stop, message: why(stop), failedAt: stopAt, progress: 0 };
  }
  const partial = done < count && stop !== null;
  return {
    ok: true,
    errno: partial ? "EAGAIN" : null,
    message: partial
      ? `moved ${done} of ${count} pages (${why(stop!)}); the ioctl returns -EAGAIN with the bytes moved in .move`
      : null,
    failedAt: -1,
    progress: done,
  };
}
