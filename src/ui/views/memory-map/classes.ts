/**
 * The table class byte (engine/snapshot.ts) as the views read it, and the palette keys it maps to.
 * The worker classifies and names the content classes per run (RunInfo.contentClasses: a
 * memfd-backed guest's pages are shmem/memfd pages, not anon pages); this file decodes the byte's
 * layout, maps each class to a palette slot and carries the names a run gives them to the legend
 * lines. classes.test.ts checks that the constants match the engine's.
 *
 *   0xFF          no page table (the PMD entry is none)
 *   low 3 bits    majority content: 0 none, 1 zeropage, 2 anon zero-filled, 3 anon data, 4 KSM
 *   0x08          mixed: more than one content class in the table
 *   0x10          mapped by a huge PMD
 */

export const CLASS_NONE = 0;
export const CLASS_ZERO = 1;
export const CLASS_ANON_ZERO = 2;
export const CLASS_ANON_DATA = 3;
export const CLASS_KSM = 4;
export const CLASS_MIXED = 0x08;
export const CLASS_HUGE = 0x10;
export const CLASS_ABSENT = 0xff;
const CONTENT_MASK = 0x07;

/**
 * Palette slots, in legend order. Slot 0 is "no page table"; slots 1..5 are content classes + 1.
 * The same index space is used for per-class counts (`ClassCounts`).
 */
export const SLOT_ABSENT = 0;
/** The shared zeropage's slot (content class CLASS_ZERO). */
export const SLOT_ZERO = 2;
export const SLOT_COUNT = 6;

export const SLOT_KEYS = ["absent", "none", "zero", "anon-zero", "anon-data", "ksm"] as const;
export type SlotKey = (typeof SLOT_KEYS)[number];

import type { ContentClassName, RunInfo } from "../../../worker/api.ts";

/** The names before a run says otherwise (an anonymous guest's); slotNames() gives a run's. */
export const SLOT_LABELS: Readonly<Record<SlotKey, string>> = {
  absent: "no page table",
  none: "table, PTEs empty",
  zero: "shared zeropage",
  "anon-zero": "anon page, zero-filled",
  "anon-data": "anon page, data",
  ksm: "KSM page",
};

/** What one slot means, for the legend's second line. */
export const SLOT_NOTES: Readonly<Record<SlotKey, string>> = {
  absent: "nothing allocated: no memory at all",
  none: "the page table exists (it costs memory) but maps nothing",
  zero: "PTEs point at the one shared zero page: costs only the page table",
  "anon-zero": "a private 4 KiB frame per page that holds only zeros",
  "anon-data": "a private 4 KiB frame per page with the guest's data",
  ksm: "merged into a shared KSM page",
};

/** A slot's name for the key and its note. */
export type SlotNames = Readonly<Record<SlotKey, ContentClassName>>;

export const DEFAULT_SLOT_NAMES: SlotNames = Object.fromEntries(
  SLOT_KEYS.map((k) => [k, { label: SLOT_LABELS[k], note: SLOT_NOTES[k] }]),
) as Record<SlotKey, ContentClassName>;

/**
 * The slots' names as the worker gives them for `runs` (one run, or the columns of a before/after
 * or compare view): where the runs name a class differently, both names, joined.
 */
export function slotNames(
  runs: readonly (Partial<Pick<RunInfo, "contentClasses">> | null | undefined)[],
): SlotNames {
  const out: Record<string, ContentClassName> = { absent: DEFAULT_SLOT_NAMES.absent };
  SLOT_KEYS.forEach((key, slot) => {
    if (slot === SLOT_ABSENT) return;
    const named = runs.flatMap((r) => {
      const n = r?.contentClasses?.[slot - 1];
      return n ? [n] : [];
    });
    if (named.length === 0) {
      out[key] = DEFAULT_SLOT_NAMES[key];
      return;
    }
    const labels = [...new Set(named.map((n) => n.label))];
    const notes = [...new Set(named.map((n) => n.note))];
    out[key] = { label: labels.join(" / "), note: notes.join("; or ") };
  });
  return out as Record<SlotKey, ContentClassName>;
}

/** Palette slot of a class byte. */
export function slotOf(classByte: number): number {
  if (classByte === CLASS_ABSENT) return SLOT_ABSENT;
  return (classByte & CONTENT_MASK) + 1;
}

export function isMixed(classByte: number): boolean {
  return classByte !== CLASS_ABSENT && (classByte & CLASS_MIXED) !== 0;
}

export function isHuge(classByte: number): boolean {
  return classByte !== CLASS_ABSENT && (classByte & CLASS_HUGE) !== 0;
}

/** Tile index of a class byte: slot × 4 + mixed × 1 + huge × 2 (24 tiles in all). */
export function tileOf(classByte: number): number {
  if (classByte === CLASS_ABSENT) return 0;
  return (
    ((classByte & CONTENT_MASK) + 1) * 4 +
    ((classByte & CLASS_MIXED) !== 0 ? 1 : 0) +
    ((classByte & CLASS_HUGE) !== 0 ? 2 : 0)
  );
}
export const TILE_COUNT = SLOT_COUNT * 4;

/** Text for one class byte: "anon page, data (mixed, huge PMD)", in the run's names. */
export function describeClass(classByte: number, names: SlotNames = DEFAULT_SLOT_NAMES): string {
  const base = names[SLOT_KEYS[slotOf(classByte)]!].label;
  const flags: string[] = [];
  if (isMixed(classByte)) flags.push("mixed: more than one kind of PTE, this is the most common");
  if (isHuge(classByte)) flags.push("huge PMD");
  return flags.length > 0 ? `${base} (${flags.join("; ")})` : base;
}
