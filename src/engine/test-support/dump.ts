/**
 * Text fixtures for engine tests (after Firefox Profiler's text fixtures): build page tables from a
 * short string and assert state as readable text. Tests only; the engine never imports this.
 *
 * One character per PTE state:
 *
 *   .  none           z  zeropage (fault)   u  zeropage (UFFDIO_ZEROPAGE)   k  zeropage (KSM)
 *   r  anon r/o zero  R  anon r/o data      w  anon r/w zero                W  anon r/w data
 *   K  KSM page       -  no page table (the PMD entry is none; the page reads as none)
 *   s  memfd page, zero   S  memfd page, data   c  cached only, zero   C  cached only, data
 *
 * `dumpMm()` is the canonical full-state dump the property tests compare between the compact
 * engine and the per-page oracle (oracle.ts prints the same format from its own arrays).
 */
import { ABSENT } from "../../base/chunked.ts";
import { Hasher } from "../../base/hash.ts";
import type { Mm } from "../mm.ts";
import { snapshotCounters } from "../proc/status.ts";
import { PTE_STATES, Pte } from "../pte.ts";
import type { World } from "../world.ts";

export const STATE_CHARS = ".zukrRwWKsScC";

export function stateChar(s: number): string {
  const c = STATE_CHARS[s];
  if (c === undefined) throw new RangeError(`no PTE state ${s}`);
  return c;
}

export function charState(c: string): number {
  const s = STATE_CHARS.indexOf(c);
  if (s < 0 || c.length !== 1) throw new RangeError(`no PTE state for ${JSON.stringify(c)}`);
  return s;
}

/** Pages [first, first+count) of `mm` as state characters, '-' where the table is absent. */
export function ptesText(mm: Mm, first = 0, count = mm.pages - first): string {
  const pt = mm.pt;
  let out = "";
  for (let p = first; p < first + count; p++) {
    out += pt.hasTable(pt.tableOf(p)) ? stateChar(pt.ptes.get(p)) : "-";
  }
  return out;
}

/**
 * One token per PTE table, space separated: "-" absent, a state character if uniform, "*" mixed;
 * prefixed "^" when a huge PMD maps the table. E.g. "^z W * -".
 */
export function tablesText(mm: Mm): string {
  const pt = mm.pt;
  const out: string[] = [];
  for (let t = 0; t < pt.tables; t++) {
    const tag = pt.tableTag(t);
    const body = tag === ABSENT ? "-" : pt.isMixed(t) ? "*" : stateChar(tag);
    out.push((pt.huge[t] ? "^" : "") + body);
  }
  return out.join(" ");
}

/**
 * Sets pages from `first` on to the states in `text` (test fixture builder). A '-' leaves the page
 * alone. Tables are allocated as a fault would (upper levels too) and the running state counts kept
 * consistent, so counters read right afterwards. Spaces are ignored, for readability.
 */
export function setPtes(mm: Mm, first: number, text: string): void {
  const pt = mm.pt;
  const chars = text.replace(/ /g, "");
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "-") continue;
    const p = first + i;
    const v = charState(c);
    pt.allocTable(pt.tableOf(p));
    const old = pt.ptes.get(p);
    pt.ptes.fill(p, 1, v);
    pt.stateCounts[old]! -= 1;
    pt.stateCounts[v]! += 1;
  }
}

/** VMA flag letters: W write, C cow, M mergeable, U uffd-missing, H hugepage, N nohugepage. */
export function flagsText(flags: number): string {
  const letters = "WCMUHND";
  let out = "";
  for (let i = 0; i < letters.length; i++) if (flags & (1 << i)) out += letters[i];
  return out || "0";
}

/** Absolute indices (virtual address / level span) of the present upper-level tables. */
function upperText(mm: Mm): string {
  const g = mm.geometry;
  return g.upper
    .map((l, i) => {
      const base = Math.floor(mm.pt.baseVpn / 2 ** l.spanShift);
      const idx: number[] = [];
      mm.pt.upper[i]!.forEach((v, k) => {
        if (v) idx.push(base + k);
      });
      return `${l.name}: [${idx.join(",")}] x${mm.pt.upperTables[i]}`;
    })
    .join("; ");
}

/**
 * The whole state of one mm as text: context flags, VMAs, upper tables, every PTE table (one line
 * each, slots outside guest RAM as spaces) and the /proc counters. Equal dumps = equal state.
 */
export function dumpMm(mm: Mm): string {
  const pt = mm.pt;
  const lines: string[] = [];
  const c = mm.ctx;
  lines.push(
    `ctx has_pgste=${+c.hasPgste} uses_skeys=${+c.usesSkeys} allow_cow_sharing=${+c.allowCowSharing} pv=${+c.pv}`,
  );
  lines.push(`vmas ${mm.vmas.map((v) => `[${v.first},+${v.count}):${flagsText(v.flags)}`).join(" ")}`);
  lines.push(`upper ${upperText(mm)}`);
  for (let t = 0; t < pt.tables; t++) {
    const lo = t * pt.ptes.chunkSize - pt.ptes.pageOffset;
    let row = "";
    for (let i = 0; i < pt.ptes.chunkSize; i++) {
      const p = lo + i;
      if (p < 0 || p >= mm.pages) row += " ";
      else row += pt.hasTable(t) ? stateChar(pt.ptes.get(p)) : "-";
    }
    lines.push(`t${t} ${pt.hasTable(t) ? (pt.huge[t] ? "H" : "P") : "-"} |${row}|`);
  }
  const k = snapshotCounters(mm);
  lines.push(
    Object.entries(k)
      .map(([name, v]) => `${name}=${v}`)
      .join(" "),
  );
  return lines.join("\n");
}

/** dumpMm for every mm plus the hypervisor page sets. */
export function dumpWorld(w: World): string {
  const parts: string[] = [];
  w.mms.forEach((mm, i) => {
    parts.push(`== mm ${i} (${mm.name}, ${mm.variant.id})`);
    parts.push(dumpMm(mm));
    const names = [...w.pagesets[i]!.keys()].sort();
    for (const name of names) {
      const s = w.pagesets[i]!.get(name)!;
      let row = "";
      for (let p = 0; p < mm.pages; p++) row += String(s.get(p));
      parts.push(`set ${name} ${row}`);
    }
  });
  return parts.join("\n");
}

/**
 * Internal consistency of the compact state: running counts equal a recount from the PTEs, table
 * counts equal the tags, and no counter is negative. Returns the problems found (empty = fine).
 */
export function checkConsistency(mm: Mm): string[] {
  const problems: string[] = [];
  const pt = mm.pt;
  const recount = new Float64Array(PTE_STATES);
  for (let p = 0; p < mm.pages; p++) recount[pt.ptes.get(p)]! += 1;
  for (let s = 0; s < PTE_STATES; s++) {
    if (recount[s] !== pt.stateCounts[s]) {
      problems.push(`state ${stateChar(s)}: running count ${pt.stateCounts[s]} but ${recount[s]} PTEs`);
    }
  }
  let tables = 0;
  let huge = 0;
  for (let t = 0; t < pt.tables; t++) {
    if (pt.hasTable(t)) tables++;
    if (pt.huge[t]) {
      huge++;
      if (!pt.hasTable(t)) problems.push(`table ${t} is huge but absent`);
      else if (pt.isMixed(t) && mm.pt.ptes.mixed.get(t)!.includes(Pte.NONE)) {
        problems.push(`huge table ${t} has none PTEs`);
      }
    }
    if (!pt.hasTable(t) && pt.ptes.mixed.has(t)) problems.push(`absent table ${t} keeps a mixed array`);
    if (pt.isMixed(t)) {
      const arr = pt.ptes.mixed.get(t)!;
      const lo = pt.ptes.chunkStart(t) - (t * pt.ptes.chunkSize - pt.ptes.pageOffset);
      const hi = lo + pt.ptes.chunkEnd(t) - pt.ptes.chunkStart(t);
      let uniform = true;
      for (let i = lo + 1; i < hi; i++) if (arr[i] !== arr[lo]) uniform = false;
      if (uniform) problems.push(`table ${t} is uniform but stored mixed`);
    }
  }
  if (tables !== pt.pteTables) problems.push(`pteTables ${pt.pteTables} but ${tables} present`);
  if (huge !== pt.hugePmds) problems.push(`hugePmds ${pt.hugePmds} but ${huge} flagged`);
  pt.upper.forEach((u, i) => {
    const n = u.reduce((a, b) => a + b, 0);
    if (n !== pt.upperTables[i])
      problems.push(`upper level ${i}: ${pt.upperTables[i]} counted, ${n} present`);
  });
  for (const [name, v] of Object.entries(snapshotCounters(mm))) {
    if (!(v >= 0)) problems.push(`counter ${name} = ${v}`);
  }
  return problems;
}

/**
 * A digest of a world's whole state (tags, mixed tables, huge flags, upper tables, VMAs, context
 * flags, page sets): equal digests = equal states. Cheap enough for large guests, unlike dumpWorld.
 */
export function worldDigest(w: World): string {
  const h = new Hasher();
  w.mms.forEach((mm, i) => {
    const pt = mm.pt;
    h.bytes(pt.ptes.tags).bytes(pt.huge).bytes(pt.stateCounts);
    for (const c of [...pt.ptes.mixed.keys()].sort((a, b) => a - b)) h.number(c).bytes(pt.ptes.mixed.get(c)!);
    for (const u of pt.upper) h.bytes(u);
    h.number(pt.pteTables).number(pt.hugePmds);
    for (const n of pt.upperTables) h.number(n);
    for (const v of mm.vmas) h.number(v.first).number(v.count).number(v.flags);
    h.text(JSON.stringify(mm.ctx));
    for (const name of [...w.pagesets[i]!.keys()].sort()) {
      const s = w.pagesets[i]!.get(name)!;
      h.text(name).bytes(s.tags);
      for (const c of [...s.mixed.keys()].sort((a, b) => a - b)) h.number(c).bytes(s.mixed.get(c)!);
    }
  });
  return h.hex();
}
