/**
 * What the page-table view shows, derived from the run and the step: pure, no DOM, no React.
 *
 * The worker says what every PTE state means (run.pteStates: content class and frame); this module
 * turns the selected table's states into frame kinds, finds the states one step earlier (to ring
 * what the step changed), the slots the step touched, and the sentences the view prints. The
 * geometry is fan-in.ts and paths.ts; the drawing is the components in this folder.
 */
import { runsEnd } from "../../../base/runs.ts";
import { PAGE_SIZE } from "../../../base/units.ts";
import type { PteStateInfo, TableDetail, TableGeometry, ViewState } from "../../../worker/api.ts";
import { formatBytesShort, formatInt } from "../../format.ts";
import type { FrameKind } from "./fan-in.ts";

/** The frame each slot's PTE maps, from the run's meaning of each state. */
export function framesOf(states: ArrayLike<number>, pteStates: readonly PteStateInfo[]): FrameKind[] {
  return Array.from(states, (s) => pteStates[s]?.frame ?? "none");
}

/** The table holding the last page the current step touched (where a walk has got to), or null. */
export function lastTouchedTable(view: ViewState): { mm: number; table: number } | null {
  for (let a = view.active.length - 1; a >= 0; a--) {
    const { mm, runs } = view.active[a]!;
    if (runs.length < 2) continue;
    const m = view.mms[mm];
    if (!m) continue;
    const last = runsEnd(runs) - 1;
    return { mm, table: Math.floor((last + m.pageOffset) / m.ptesPerTable) };
  }
  return null;
}

/** Calls `visit` with every slot of `detail` that the step's page runs on its mm cover. */
function forEachActiveSlot(
  detail: TableDetail,
  active: ViewState["active"],
  visit: (slot: number) => void,
): void {
  const n = detail.states.length;
  for (const a of active) {
    if (a.mm !== detail.mm) continue;
    for (let i = 0; i + 1 < a.runs.length; i += 2) {
      const lo = Math.max(a.runs[i]!, detail.firstPage);
      const hi = Math.min(a.runs[i]! + a.runs[i + 1]!, detail.firstPage + n);
      for (let p = lo; p < hi; p++) visit(p - detail.firstPage);
    }
  }
}

/** 1 for each slot the current step touched (ViewState.active runs within this table), else 0. */
export function activeSlotsOf(detail: TableDetail, active: ViewState["active"]): Uint8Array {
  const out = new Uint8Array(detail.states.length);
  forEachActiveSlot(detail, active, (slot) => {
    out[slot] = 1;
  });
  return out;
}

/**
 * The table's states before this step, from the worker's record of what the step did
 * (ViewState.changes: every page it covered, by before and after state), when the view did not
 * see the table one step earlier itself: a table step that follows the walk lands on a table for
 * the first time. A covered slot's state before is known when every covered page now in its state
 * came from the same one; otherwise, or outside the step, the slot counts as unchanged. Null when
 * the step left no record (action granularity) or changed nothing here.
 */
export function beforeFromChanges(
  detail: TableDetail,
  active: ViewState["active"],
  changes: ViewState["changes"],
): Uint8Array | null {
  if (!changes || changes.length === 0) return null;
  const fromOf = new Map<number, number>();
  for (const c of changes) {
    const seen = fromOf.get(c.to);
    fromOf.set(c.to, seen === undefined || seen === c.from ? c.from : -1);
  }
  let out: Uint8Array | null = null;
  forEachActiveSlot(detail, active, (slot) => {
    const from = fromOf.get(detail.states[slot]!);
    if (from === undefined || from < 0 || from === detail.states[slot]) return;
    out ??= Uint8Array.from(detail.states);
    out[slot] = from;
  });
  return out;
}

/** The states of one table the view saw last, and where it saw them. */
export interface SeenTable {
  /** Run, mm and table. */
  readonly key: string;
  readonly states: Uint8Array;
  /** The granularity and position of the view that showed `states`. */
  readonly at: string;
  /** The states one step earlier at the same granularity, or null when the view did not come from there. */
  readonly prev: Uint8Array | null;
}

/**
 * What the view has seen after showing `detail` at this step. Only a step forward from the
 * position just before counts as "before": after a jump, or going back, the states seen last are
 * not this step's before, and `prev` is null. The same object when nothing is new (the same table
 * at the same step), so that a caller keeping it as state settles.
 */
export function seeTable(
  seen: SeenTable | null,
  runId: number,
  detail: TableDetail,
  granularity: string,
  position: number,
): SeenTable {
  const key = `${runId}:${detail.mm}:${detail.table}`;
  const at = `${granularity}:${position}`;
  if (!seen || seen.key !== key) return { key, states: detail.states, at, prev: null };
  if (seen.at === at) return seen;
  const cameFromPrevious = seen.at === `${granularity}:${position - 1}`;
  return { key, states: detail.states, at, prev: cameFromPrevious ? seen.states : null };
}

/** How many slots differ from the states before (0 without them). */
export function changedCount(states: Uint8Array, prev: Uint8Array | null): number {
  if (!prev) return 0;
  let n = 0;
  for (let i = 0; i < states.length; i++) if (states[i] !== prev[i]) n++;
  return n;
}

/** Whether the slot maps guest RAM (the first and last table of an mm may reach past it). */
export function slotInRam(detail: TableDetail, mmPages: number, slot: number): boolean {
  const page = detail.firstPage + slot;
  return page >= 0 && page < mmPages;
}

/**
 * The slot a key moves the PTE grid's selection to: arrows by one cell or one row of `columns`,
 * Home and End to the ends, clamped to the table. With nothing selected, a moving key selects the
 * first slot. "escape" for Escape (back to the map); null for a key the grid does not handle.
 */
export function pteKeyTarget(
  key: string,
  selected: number | null,
  ptes: number,
  columns: number,
): number | "escape" | null {
  const cur = selected ?? 0;
  let next: number;
  if (key === "ArrowLeft") next = cur - 1;
  else if (key === "ArrowRight") next = cur + 1;
  else if (key === "ArrowUp") next = cur - columns;
  else if (key === "ArrowDown") next = cur + columns;
  else if (key === "Home") next = 0;
  else if (key === "End") next = ptes - 1;
  else if (key === "Escape") return "escape";
  else return null;
  return Math.max(0, Math.min(ptes - 1, selected === null ? cur : next));
}

/** One sentence: how many PTEs point where. */
export function fanInSummary(counts: Readonly<Record<FrameKind, number>>): string {
  const ksm = counts.ksm ? `, ${formatInt(counts.ksm)} to a KSM page` : "";
  return `${formatInt(counts.zeropage)} PTEs point to the one shared zeropage frame, ${formatInt(counts.own)} to frames of their own${ksm}, ${formatInt(counts.none)} map nothing.`;
}

/** Whether a page table costs more than VmPTE counts: s390's PGSTEs live in the same page. */
export function hasPgste(geometry: TableGeometry): boolean {
  return geometry.pteTableMemBytes > geometry.pteTableVmPteBytes;
}

/** The status line under the heading: no table, a huge PMD, or what the table costs and maps. */
export function tableStatus(detail: TableDetail, geometry: TableGeometry, summary: string): string {
  const n = detail.states.length;
  if (!detail.present)
    return "No page table here: the PMD entry is empty, so nothing at all is allocated. The first fault in this range allocates one.";
  if (detail.huge) return `Mapped by a huge PMD: one PMD entry maps all ${n} pages at once.`;
  const parts = hasPgste(geometry)
    ? ` (${n} PTEs × 8 B + ${n} PGSTEs × 8 B); VmPTE counts ${formatBytesShort(geometry.pteTableVmPteBytes)} of it`
    : ` (${n} PTEs × 8 B)`;
  return `The page table costs ${formatBytesShort(geometry.pteTableMemBytes)} of host memory${parts}. ${summary}`;
}

/** What the step did to this table, or null when it changed none of its PTEs. */
export function changedSentence(changed: number, departed: number): string | null {
  if (changed <= 0) return null;
  const left =
    departed > 0
      ? `; ${formatInt(departed)} left a shared frame for a frame of their own (unshare or copy-on-write).`
      : ".";
  return `This step changed ${formatInt(changed)} PTE${changed === 1 ? "" : "s"} of this table (ringed)${left}`;
}

/** The guest RAM a table maps, as "from – to" (a partial first table starts at 0). */
export function tableRange(detail: TableDetail): string {
  const from = formatBytesShort(Math.max(0, detail.firstPage) * PAGE_SIZE);
  const to = formatBytesShort((detail.firstPage + detail.states.length) * PAGE_SIZE);
  return `${from} – ${to}`;
}

/** The selected PTE, in words: its state, what it points at, and whether it is in the balloon. */
export function selectedPteText(
  detail: TableDetail,
  slot: number,
  info: PteStateInfo,
): { readonly where: string; readonly what: string } {
  const page = detail.firstPage + slot;
  const frame =
    info.frame === "zeropage"
      ? ", pointing at the shared zeropage"
      : info.frame === "own"
        ? ", its own 4 KiB frame"
        : info.frame === "ksm"
          ? ", a shared KSM page"
          : "";
  const balloon = detail.balloon[slot] ? "; the guest gave this page to the balloon" : "";
  return {
    where: `PTE ${slot} (guest page ${formatInt(page)}, at ${formatBytesShort(page * PAGE_SIZE)}):`,
    what: `${info.name}${frame}${balloon}.`,
  };
}
