/**
 * `npm run qemu-check -- --publish`: after a passing check, writes what the app shows of it. None
 * of these files is written by hand:
 *
 *   public/qemu-check/measured.json   the measured runs (the app's "measured" overlay loads it)
 *   public/qemu-check/index.html      the measured table: measured, model, tolerance, rule
 *   src/ui/narration/qemu-check.json  the narration's link: "checked against real QEMU 7.2 on
 *                                     x86_64, on <date>"
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Measured } from "../../src/scenario/measured.ts";
import { HERE } from "./assets.ts";
import { formatCell, formatTolerance, type Row, ruleNotes } from "./compare.ts";

const ROOT = path.resolve(HERE, "..", "..");
export const PUBLISH_PATHS = {
  json: path.join(ROOT, "public", "qemu-check", "measured.json"),
  html: path.join(ROOT, "public", "qemu-check", "index.html"),
  summary: path.join(ROOT, "src", "ui", "narration", "qemu-check.json"),
};

/** What the narration's link says and where it goes (src/ui/narration/qemu-check.json). */
export interface CheckSummary {
  /** Day of the check, YYYY-MM-DD (UTC). */
  readonly date: string;
  /** QEMU major.minor. */
  readonly qemu: string;
  readonly arch: string;
  readonly hostKernel: string;
  readonly passed: boolean;
  readonly rows: number;
  /** The measured table, relative to the app's page. */
  readonly href: string;
  /** The measured runs, relative to the app's page. */
  readonly measured: string;
}

export function summaryOf(doc: Measured): CheckSummary {
  const rows = doc.check?.rows ?? [];
  return {
    date: doc.date.slice(0, 10),
    qemu: doc.qemu.version.split(".").slice(0, 2).join("."),
    arch: doc.host.arch,
    hostKernel: doc.host.kernel,
    passed: doc.check?.passed ?? false,
    rows: rows.length,
    href: "qemu-check/index.html",
    measured: "qemu-check/measured.json",
  };
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const kib = (v: number) => (v >= 1024 ? `${(v / 1024).toFixed(1)} MiB` : `${v} KiB`);

export function renderHtml(doc: Measured): string {
  const s = summaryOf(doc);
  const rows = (doc.check?.rows ?? []) as Row[];
  const runRows = doc.runs.flatMap((r) =>
    r.phases.map(
      (p) =>
        `<tr><td>${esc(r.id)}</td><td>${esc(p.phase)}</td><td>${esc(p.host)}</td><td>${kib(p.rssAnonKiB)}</td><td>${kib(p.vmPteKiB)}</td><td>${kib(p.guestRamRssKiB)}</td><td>${(p.atMs / 1000).toFixed(1)} s</td></tr>`,
    ),
  );
  const migRows = doc.runs.map(
    (r) =>
      `<tr><td>${esc(r.id)}</td><td>${(r.balloonBytes / 2 ** 20).toFixed(1)} MiB</td><td>${r.migration.duplicate.toLocaleString("en-US")}</td><td>${r.migration.normal.toLocaleString("en-US")}</td><td>${r.migration.postcopyRequests}</td><td>${(r.migration.transferred / 2 ** 20).toFixed(1)} MiB</td><td>${((r.timings.total ?? 0) / 1000).toFixed(1)} s</td></tr>`,
  );
  const checkRows = rows.map(
    (r) =>
      `<tr class="${r.ok ? "ok" : "bad"}"><td>${r.mode}</td><td>${esc(r.label)}</td><td class="n">${esc(formatCell(r.measured, r.unit))}</td><td class="n">${esc(formatCell(r.model, r.unit))}</td><td class="n">${esc(formatTolerance(r.tolerance, r.unit))}</td><td>${r.ok ? "✓" : "✗"}</td><td><code>${esc(r.rules)}</code></td></tr>`,
  );
  const notes = ruleNotes(rows).map((n) => `<li><code>${esc(n)}</code></li>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Zeropage Lab: checked against real QEMU ${esc(s.qemu)} on ${esc(s.arch)}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d1d1f; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: 14px; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad td { background: #fde8e8; }
code { font-size: 13px; }
.muted { color: #555; }
</style>
</head>
<body>
<p><a href="../">← Zeropage Lab</a></p>
<h1>Checked against real QEMU ${esc(s.qemu)} on ${esc(s.arch)}, on ${esc(s.date)}</h1>
<p>${s.passed ? "<strong>Passed</strong>" : "<strong>Failed</strong>"}: ${rows.filter((r) => r.ok).length} of ${rows.length} rows within tolerance.
QEMU ${esc(doc.qemu.version)} (${esc(doc.qemu.accel)}), host Linux ${esc(doc.host.kernel)} ${esc(doc.host.arch)};
guest kernel ${esc(doc.qemu.guestKernel)}, ${doc.setup.ramMiB} MiB of RAM, ${doc.setup.dataMiB} MiB of data kept, the rest but
${doc.setup.leaveMiB} MiB written once and freed, the balloon inflated to leave ${doc.setup.balloonLeaveMiB} MiB; migrated to a second QEMU on 127.0.0.1.</p>
<p>Host zeropage policy, measured by the kernel check's probes: ${esc(doc.host.zeropageSummary.replace(/^host policy: /, ""))}. The model ran each run's scenario under this policy.</p>
<h2>Balloon run minus control run: measured and model</h2>
<table>
<thead><tr><th>mode</th><th>quantity</th><th>measured</th><th>model</th><th>tolerance</th><th></th><th>model rules behind the difference</th></tr></thead>
<tbody>
${checkRows.join("\n")}
</tbody>
</table>
<h3>Rules</h3>
<ul>
${notes.join("\n")}
</ul>
<h2>Runs</h2>
<table>
<thead><tr><th>run</th><th>balloon</th><th>duplicate</th><th>normal</th><th>postcopy requests</th><th>transferred</th><th>time</th></tr></thead>
<tbody>
${migRows.join("\n")}
</tbody>
</table>
<table>
<thead><tr><th>run</th><th>phase</th><th>QEMU</th><th>RssAnon</th><th>VmPTE</th><th>guest RAM Rss</th><th>at</th></tr></thead>
<tbody>
${runRows.join("\n")}
</tbody>
</table>
<p class="muted">Generated by <code>npm run qemu-check -- --publish</code> (tools/qemu-check); not written by hand.
The measurements: <a href="measured.json">measured.json</a>. To see them on the app's counter charts beside the model, open
<a href="../">the app</a>, then Counters → Measured → recorded check (or import this file).</p>
</body>
</html>
`;
}

export async function publish(doc: Measured, json: string): Promise<string[]> {
  await mkdir(path.dirname(PUBLISH_PATHS.json), { recursive: true });
  await writeFile(PUBLISH_PATHS.json, json);
  await writeFile(PUBLISH_PATHS.html, renderHtml(doc));
  await writeFile(PUBLISH_PATHS.summary, `${JSON.stringify(summaryOf(doc), null, 2)}\n`);
  return Object.values(PUBLISH_PATHS).map((p) => path.relative(ROOT, p));
}
