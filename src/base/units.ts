/**
 * Sizes and their text form. Guest memory is counted in 4 KiB pages everywhere in the model;
 * bytes appear only at the edges (scenario input, counters shown to people).
 *
 * Worked numbers: 100 GiB / 4 KiB = 26,214,400 pages; 1 TiB / 4 KiB = 2^28 = 268,435,456 pages.
 * Both fit a double exactly (and a Uint32), so page counts are plain numbers.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

/** The base page size on both modelled architectures (s390x _PAGE_SHIFT 12, x86_64 PAGE_SHIFT 12). */
export const PAGE_SIZE = 4 * KiB;
export const PAGE_SHIFT = 12;

const UNITS: Record<string, number> = {
  B: 1,
  K: KiB,
  KB: KiB,
  KIB: KiB,
  M: MiB,
  MB: MiB,
  MIB: MiB,
  G: GiB,
  GB: GiB,
  GIB: GiB,
  T: TiB,
  TB: TiB,
  TIB: TiB,
  P: PAGE_SIZE,
  PAGE: PAGE_SIZE,
  PAGES: PAGE_SIZE,
};

export type SizeParse = { ok: true; bytes: number } | { ok: false; error: string };

/**
 * Parses "100GiB", "40 GiB", "64MiB", "4096", "256 pages" into bytes.
 * Binary units throughout: "GB" means GiB, as in QEMU's `-m 100G`.
 */
export function parseSize(input: string | number): SizeParse {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0 || !Number.isInteger(input)) {
      return { ok: false, error: `expected a non-negative whole number of bytes, got ${input}` };
    }
    return { ok: true, bytes: input };
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(input);
  if (!m)
    return { ok: false, error: `expected a size such as "100GiB" or "4096", got ${JSON.stringify(input)}` };
  const unit = (m[2] ?? "").toUpperCase() || "B";
  const factor = UNITS[unit];
  if (factor === undefined) {
    return { ok: false, error: `unknown size unit "${m[2]}" (use B, KiB, MiB, GiB, TiB or pages)` };
  }
  const bytes = Number(m[1]) * factor;
  if (!Number.isSafeInteger(bytes)) return { ok: false, error: `size ${JSON.stringify(input)} is too large` };
  if (!Number.isInteger(bytes))
    return { ok: false, error: `size ${JSON.stringify(input)} is not a whole number of bytes` };
  return { ok: true, bytes };
}

/** 42949672960 → "40 GiB"; 167772160 → "160 MiB"; 6144 → "6 KiB". Exact when possible, else two decimals. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? "-" : "";
  let v = Math.abs(bytes);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(2);
  return `${sign}${text} ${units[i]}`;
}

/** 10485760 → "10,485,760". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
