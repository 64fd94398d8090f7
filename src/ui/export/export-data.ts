/**
 * What the export menu writes, as pure functions of a run (no DOM): the scenario JSON, the trace
 * as JSON, the counters as CSV, a fixed-width text summary for a mailing list, and an SVG summary
 * card for slides (rasterize.ts turns it into a PNG).
 *
 * Every string that came from a user (a scenario's title) is escaped for its format: XML entities
 * in SVG, quoting in CSV (plus a leading ' against spreadsheet formulas), control characters
 * flattened in the text summary.
 */
import type { DeltaTable } from "../../compare/delta.ts";
import type { CounterColumn, RunInfo, ViewState } from "../../worker/api.ts";
import { formatBytesShort } from "../format.ts";

type Counters = Pick<RunInfo, "trace" | "counters">;

/** Counter `c` (index into run.counters) of mm `m` after event `e` (-1: before any event). */
export function counterValue(run: Counters, e: number, m: number, c: number): number {
  const t = run.trace;
  const n = run.counters.length;
  if (e < 0) return t.initialCounters[m * n + c]!;
  return t.counters[(e * t.mmNames.length + m) * n + c]!;
}

/** The final and peak value of every counter, per mm: [mm][counter]. */
export function finalAndPeak(run: Counters): { final: number[][]; peak: number[][] } {
  const t = run.trace;
  const final: number[][] = [];
  const peak: number[][] = [];
  for (let m = 0; m < t.mmNames.length; m++) {
    final.push(run.counters.map((_, c) => counterValue(run, t.events - 1, m, c)));
    peak.push(
      run.counters.map((_, c) => {
        let max = counterValue(run, -1, m, c);
        for (let e = 0; e < t.events; e++) max = Math.max(max, counterValue(run, e, m, c));
        return max;
      }),
    );
  }
  return { final, peak };
}

export function formatCounter(col: Pick<CounterColumn, "unit">, v: number): string {
  return col.unit === "bytes" ? formatBytesShort(v) : Math.round(v).toLocaleString("en-US");
}

/** "zeropage-lab-100-gib-guest-40-gib-ballooned-s390-fa41ba0d" */
export function fileBaseName(run: Pick<RunInfo, "title" | "kernel">): string {
  const slug = run.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
  return ["zeropage-lab", slug, run.kernel.id].filter(Boolean).join("-");
}

/** The scenario as a file people can edit and import again. */
export function scenarioFile(scenario: unknown): string {
  return `${JSON.stringify(scenario, null, 2)}\n`;
}

/** The trace's columns as JSON arrays, with enough context to read them. */
export function traceJson(run: RunInfo, link: string): string {
  const t = run.trace;
  const columns: Record<string, number[]> = {};
  for (const [name, value] of Object.entries(t)) {
    if (ArrayBuffer.isView(value)) columns[name] = Array.from(value as unknown as ArrayLike<number>);
  }
  const doc = {
    format: "zeropage-lab-trace",
    formatVersion: 1,
    title: run.title,
    kernel: run.kernel.id,
    kernelVersion: run.kernelVersion,
    qemuVersion: run.qemuVersion,
    outcome: run.outcome,
    outcomeReason: run.outcomeReason,
    traceHash: run.traceHash,
    link,
    counters: run.counters.map((c) => ({ key: c.key, label: c.label, unit: c.unit })),
    layout:
      "counters: [event][mm][counter] flattened (counter order as above); runs: (first, count) pairs; effects: (from, to, rule, count) quads",
    mmNames: t.mmNames,
    mmPages: t.mmPages,
    extraKeys: t.extraKeys,
    strings: t.strings,
    ruleIds: t.ruleIds,
    actions: t.actions,
    events: t.events,
    columns,
  };
  return `${JSON.stringify(doc)}\n`;
}

/** One CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
export function csvField(value: string | number): string {
  if (typeof value === "number") return String(value);
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per event and mm (and the initial state), every counter in its raw unit. */
export function countersCsv(run: RunInfo): string {
  const t = run.trace;
  const header = ["event", "action", "action_label", "mm", ...run.counters.map((c) => c.key)];
  const lines = [header.join(",")];
  for (let e = -1; e < t.events; e++) {
    const a = e < 0 ? -1 : t.action[e]!;
    const label = a >= 0 ? (t.actions[a]?.label ?? "") : "initial state";
    for (let m = 0; m < t.mmNames.length; m++) {
      const values = run.counters.map((_, c) => counterValue(run, e, m, c));
      lines.push([e < 0 ? "initial" : e, a, csvField(label), csvField(t.mmNames[m]!), ...values].join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

/** C0 and C1 controls and the Unicode line separators. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/** Text on one line, without control characters (a title can hold anything). */
export function plainLine(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += isControl(s.charCodeAt(i)) ? " " : s[i];
  return out.replace(/ {2,}/g, " ").trim();
}

/**
 * A plain-text summary for a mailing list: what ran, the link, and a fixed-width table of every
 * counter's final and peak value for each mm. Lines stay within 78 columns (the link aside).
 */
export function summaryText(run: RunInfo, link: string): string {
  const t = run.trace;
  const { final, peak } = finalAndPeak(run);
  const LABEL = 20;
  const COL = 12;
  const pad = (s: string, n: number) =>
    s.length >= n ? `${s.slice(0, n - 1)} ` : s + " ".repeat(n - s.length);
  const right = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
  const out: string[] = [];
  out.push(`Zeropage Lab: ${plainLine(run.title) || "untitled scenario"}`);
  out.push(`Kernel:  ${run.kernel.letter} ${run.kernel.id} (${plainLine(run.kernel.title)})`);
  out.push(`         host kernel ${run.kernelVersion}, QEMU ${run.qemuVersion}`);
  out.push(`Outcome: ${run.outcome}${run.outcomeReason ? `: ${plainLine(run.outcomeReason)}` : ""}`);
  out.push(`Trace:   ${t.actions.length} actions, ${t.events} events, hash ${run.traceHash}`);
  out.push(`Link:    ${link}`);
  out.push("");
  // The table: two value columns (final, peak) per mm, two mms per block.
  for (let first = 0; first < t.mmNames.length; first += 2) {
    const mms = t.mmNames.slice(first, first + 2).map((_, i) => first + i);
    out.push(pad("", LABEL) + mms.map((m) => right(t.mmNames[m]!, 2 * COL)).join(""));
    out.push(pad("counter", LABEL) + mms.map(() => right("final", COL) + right("peak", COL)).join(""));
    out.push("-".repeat(LABEL + mms.length * 2 * COL));
    run.counters.forEach((c, ci) => {
      const cells = mms.map(
        (m) => right(formatCounter(c, final[m]![ci]!), COL) + right(formatCounter(c, peak[m]![ci]!), COL),
      );
      out.push(pad(c.label, LABEL) + cells.join(""));
    });
    out.push("");
  }
  out.push("Counters as in /proc/<pid>/status and /sys/kernel/mm/ksm; peak: the highest value at any step.");
  return `${out.join("\n")}\n`;
}

/** Characters XML 1.0 forbids: C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF. */
function xmlAllowed(code: number): boolean {
  return code >= 0x20 ? code !== 0xfffe && code !== 0xffff : code === 0x9 || code === 0xa || code === 0xd;
}

/** Text for SVG/XML: entities escaped, characters XML forbids removed, lone surrogates replaced. */
export function xmlText(s: string): string {
  let kept = "";
  for (let i = 0; i < s.length; i++) if (xmlAllowed(s.charCodeAt(i))) kept += s[i];
  return kept
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export interface CardOptions {
  readonly link: string;
  /** Where we are: the view's event (-1: the start) and a human label for the step. */
  readonly view: Pick<ViewState, "event" | "mms"> | null;
  readonly stepLabel: string;
  /** Colours (the app's theme); light defaults. */
  readonly theme?: { bg: string; panel: string; text: string; muted: string; border: string; accent: string };
}

const SERIES = ["#1d4ed8", "#b42318", "#067647", "#b54708"];

/**
 * A 1280×720 summary card: title, kernel and step; the current counters per mm; and a chart of
 * RssAnon and host memory over the whole run with the current step marked. Valid standalone SVG.
 */
export function summarySvg(run: RunInfo, o: CardOptions): string {
  const W = 1280;
  const H = 720;
  const th = o.theme ?? {
    bg: "#f7f7f5",
    panel: "#ffffff",
    text: "#1b1d21",
    muted: "#5d6470",
    border: "#d9dce1",
    accent: "#1d4ed8",
  };
  const t = run.trace;
  const mmCount = t.mmNames.length;
  const parts: string[] = [];
  const text = (x: number, y: number, s: string, attrs = "") =>
    parts.push(`<text x="${x}" y="${y}" ${attrs}>${xmlText(s)}</text>`);
  parts.push(`<rect width="${W}" height="${H}" fill="${th.bg}"/>`);
  parts.push(
    `<rect x="24" y="24" width="${W - 48}" height="${H - 48}" rx="16" fill="${th.panel}" stroke="${th.border}"/>`,
  );
  text(
    56,
    80,
    clip(plainLine(run.title) || "untitled scenario", 70),
    `font-size="30" font-weight="700" fill="${th.text}"`,
  );
  text(
    56,
    116,
    clip(`${run.kernel.letter} · ${run.kernel.id} — ${plainLine(run.kernel.title)}`, 110),
    `font-size="18" fill="${th.muted}"`,
  );
  text(56, 146, clip(`${o.stepLabel} · outcome: ${run.outcome}`, 110), `font-size="18" fill="${th.muted}"`);

  // Counters table (left).
  const keyCols = run.counters
    .map((c, i) => ({ c, i }))
    .filter(({ c }) =>
      ["rssAnonBytes", "vmPteBytes", "pageTableBytes", "zeropagePtes", "anonPages", "hostMemBytes"].includes(
        c.key,
      ),
    );
  const tx = 56;
  let ty = 200;
  text(tx, ty, "counter", `font-size="16" font-weight="600" fill="${th.muted}"`);
  t.mmNames.forEach((name, m) => {
    text(
      tx + 330 + m * 150,
      ty,
      name,
      `font-size="16" font-weight="600" fill="${th.muted}" text-anchor="end"`,
    );
  });
  ty += 12;
  parts.push(
    `<line x1="${tx}" y1="${ty}" x2="${tx + 330 + (mmCount - 1) * 150}" y2="${ty}" stroke="${th.border}"/>`,
  );
  for (const { c, i } of keyCols) {
    ty += 34;
    text(tx, ty, c.label, `font-size="18" fill="${th.text}"`);
    t.mmNames.forEach((_, m) => {
      const v = o.view?.mms[m]?.counters[c.key] ?? counterValue(run, t.events - 1, m, i);
      text(
        tx + 330 + m * 150,
        ty,
        formatCounter(c, v),
        `font-size="18" fill="${th.text}" text-anchor="end" font-family="ui-monospace, Menlo, Consolas, monospace"`,
      );
    });
  }

  // Chart (right): RssAnon and host memory per mm over the events.
  const cx = 640;
  const cy = 180;
  const cw = 580;
  const ch = 380;
  parts.push(`<rect x="${cx}" y="${cy}" width="${cw}" height="${ch}" fill="none" stroke="${th.border}"/>`);
  const rss = run.counters.findIndex((c) => c.key === "rssAnonBytes");
  const host = run.counters.findIndex((c) => c.key === "hostMemBytes");
  const series: { label: string; m: number; c: number; dash: string }[] = [];
  for (let m = 0; m < mmCount; m++) {
    if (rss >= 0) series.push({ label: `RssAnon (${t.mmNames[m]})`, m, c: rss, dash: "" });
    if (host >= 0)
      series.push({ label: `host memory (${t.mmNames[m]})`, m, c: host, dash: ' stroke-dasharray="8 5"' });
  }
  let max = 1;
  for (const s of series)
    for (let e = -1; e < t.events; e++) max = Math.max(max, counterValue(run, e, s.m, s.c));
  const n = Math.max(1, t.events);
  const px = (e: number) => cx + ((e + 1) / n) * cw;
  const py = (v: number) => cy + ch - (v / max) * (ch - 10);
  series.forEach((s, k) => {
    const pts: string[] = [];
    for (let e = -1; e < t.events; e++)
      pts.push(`${px(e).toFixed(1)},${py(counterValue(run, e, s.m, s.c)).toFixed(1)}`);
    const color = SERIES[(s.m * 2 + (s.c === host ? 1 : 0)) % SERIES.length]!;
    parts.push(
      `<polyline points="${pts.join(" ")}" fill="none" stroke="${color}" stroke-width="3"${s.dash}/>`,
    );
    const ly = cy + ch + 30 + Math.floor(k / 2) * 26;
    const lx = cx + (k % 2) * 290;
    parts.push(
      `<line x1="${lx}" y1="${ly - 6}" x2="${lx + 28}" y2="${ly - 6}" stroke="${color}" stroke-width="3"${s.dash}/>`,
    );
    text(lx + 36, ly, s.label, `font-size="15" fill="${th.text}"`);
  });
  text(cx, cy - 10, `peak ${formatBytesShort(max)}`, `font-size="14" fill="${th.muted}"`);
  if (o.view) {
    const x = px(Math.min(o.view.event, t.events - 1));
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${cy}" x2="${x.toFixed(1)}" y2="${cy + ch}" stroke="${th.accent}" stroke-width="2"/>`,
    );
  }
  text(
    56,
    H - 48,
    clip(o.link, 150),
    `font-size="13" fill="${th.muted}" font-family="ui-monospace, Menlo, Consolas, monospace"`,
  );
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`,
    `<title>${xmlText(`Zeropage Lab: ${plainLine(run.title)}`)}</title>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

/**
 * The compare view's delta table as CSV: one row per mm and counter, both sides' final and peak
 * values in the counter's raw unit, the differences (right − left) and the same in bytes.
 */
export function deltaCsv(delta: DeltaTable, link: string): string {
  const header = [
    "mm",
    "counter",
    "unit",
    "left_final",
    "right_final",
    "final_diff",
    "final_diff_bytes",
    "final_pct",
    "left_peak",
    "right_peak",
    "peak_diff",
    "peak_diff_bytes",
    "peak_pct",
  ];
  const v = (x: number | null) => (x === null ? "" : String(x));
  const lines = [
    `# ${csvField(`left: ${delta.labels[0]}`)}`,
    `# ${csvField(`right: ${delta.labels[1]}`)}`,
    `# ${csvField(link)}`,
    header.join(","),
  ];
  for (const r of delta.rows)
    lines.push(
      [
        csvField(r.mm),
        r.counter,
        r.unit,
        v(r.final[0]),
        v(r.final[1]),
        r.finalDiff,
        v(r.finalDiffBytes),
        v(r.finalPct),
        v(r.peak[0]),
        v(r.peak[1]),
        r.peakDiff,
        v(r.peakDiffBytes),
        v(r.peakPct),
      ].join(","),
    );
  return `${lines.join("\n")}\n`;
}
