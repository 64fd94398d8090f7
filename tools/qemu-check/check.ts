/**
 * npm run qemu-check [-- --json] [--out <file>] [--publish] [--from <file>] [--model-policy <p>]
 *
 * The model against real QEMU: boots a small guest under QEMU (TCG) four times (balloon and
 * control, precopy and postcopy), migrates each to a second QEMU on this host, measures both
 * QEMUs' RssAnon and VmPTE at every phase and query-migrate's counters (measure.ts), runs the same
 * four runs through the engine under this host's measured zeropage policy (model.ts, host.ts), and
 * compares the balloon run minus the control run, row by row (compare.ts). Prints the table:
 * measured, model, tolerance, and the model's rules behind each difference. Exit 1 if a row is
 * outside its tolerance or anything fails.
 *
 *   --json               write the measured runs (src/scenario/measured.ts) to qemu-check.json in
 *                        the current directory: the app imports it (Counters → Measured)
 *   --out <file>         the same, to <file>
 *   --publish            after a passing check, write public/qemu-check/{measured.json,index.html}
 *                        and src/ui/narration/qemu-check.json (publish.ts)
 *   --from <file>        run no QEMU: check a recorded document against the current model, under
 *                        the host policy each run's scenario records
 *   --model-policy <p>   run the model under another policy, e.g. readFault=false: a deliberately
 *                        wrong model, to see what a failure looks like
 *
 * Where it cannot run (not Linux x86_64, no QEMU and not root to install it, no C compiler, no
 * network for the guest kernel), it prints one line `qemu-check: skipped: <why>` and exits 0, or
 * 1 with QEMU_CHECK_REQUIRED=1 (.ci/run sets it).
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { HostZeropagePolicy } from "../../src/engine/index.ts";
import { prepareAssets } from "./assets.ts";
import {
  compareRuns,
  formatCell,
  formatTolerance,
  type MeasuredRun,
  type Row,
  ruleNotes,
} from "./compare.ts";
import { buildDocument, modelsForDocument, readDocument } from "./document.ts";
import { measureHost } from "./host.ts";
import { DEFAULT_SETUP, measureScenario, SCENARIOS, type ScenarioMeasurement } from "./measure.ts";
import { type ModelRun, runModel } from "./model.ts";
import { publish } from "./publish.ts";

const POLICY_KEYS = ["readFault", "hugeZeroPage", "uffdZeropage", "ksm"] as const;

export function parsePolicy(s: string): Partial<HostZeropagePolicy> {
  const out: Partial<Record<(typeof POLICY_KEYS)[number], boolean>> = {};
  for (const part of s.split(",").filter(Boolean)) {
    const m = /^(\w+)=(true|false)$/.exec(part.trim());
    const key = m?.[1] as (typeof POLICY_KEYS)[number] | undefined;
    if (!m || !key || !POLICY_KEYS.includes(key))
      throw new Error(
        `--model-policy: expected ${POLICY_KEYS.map((k) => `${k}=true|false`).join(",")}, got '${part}'`,
      );
    out[key] = m[2] === "true";
  }
  return out;
}

/** The table: one line per row, text left-aligned, numbers right-aligned. */
export function formatRows(rows: readonly Row[]): string {
  const header = [
    "mode",
    "balloon run − control run",
    "measured",
    "model",
    "tolerance",
    "",
    "model rules (balloon − control)",
  ];
  const cells = rows.map((r) => [
    r.mode,
    r.label,
    formatCell(r.measured, r.unit),
    formatCell(r.model, r.unit),
    formatTolerance(r.tolerance, r.unit),
    r.ok ? "✓" : "✗",
    r.rules,
  ]);
  const right = new Set([2, 3, 4]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((x, i) => (right.has(i) ? x.padStart(widths[i]!) : x.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** What each run measured, as the issue's feasibility table put it (process RssAnon, MiB). */
export function formatRuns(runs: readonly MeasuredRun[]): string {
  const mib = (kib: number) => `${Math.round(kib / 1024)}`;
  const at = (r: MeasuredRun, phase: string, host: "source" | "destination") =>
    r.phases.find((p) => p.phase === phase && p.host === host)?.rssAnonKiB ?? Number.NaN;
  const header = [
    "run",
    "balloon",
    "source RssAnon before → after",
    "destination RssAnon after",
    "duplicate / normal",
  ];
  const cells = runs.map((r) => [
    r.id,
    `${Math.round(r.balloonBytes / 2 ** 20)} MiB`,
    `${mib(at(r, "ballooned", "source"))} → ${mib(at(r, "migrated", "source"))} MiB`,
    `${mib(at(r, "migrated", "destination"))} MiB`,
    `${r.migration.duplicate.toLocaleString("en-US")} / ${r.migration.normal.toLocaleString("en-US")}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

function report(rows: readonly Row[], out: (s: string) => void): boolean {
  out(formatRows(rows));
  out("");
  out("rules:");
  for (const n of ruleNotes(rows)) out(`  ${n}`);
  const bad = rows.filter((r) => !r.ok);
  for (const r of bad)
    out(
      `MISMATCH ${r.mode} ${r.id}: measured ${formatCell(r.measured, r.unit)}, model ${formatCell(r.model, r.unit)} (tolerance ${formatTolerance(r.tolerance, r.unit)}); model rules: ${r.rules}`,
    );
  return bad.length === 0;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      out: { type: "string" },
      publish: { type: "boolean", default: false },
      from: { type: "string" },
      "model-policy": { type: "string" },
    },
    allowPositionals: false,
  });
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const override = values["model-policy"] ? parsePolicy(values["model-policy"]) : undefined;

  if (values.from) {
    const doc = readDocument(JSON.parse(await readFile(values.from, "utf8")), values.from);
    say(
      `qemu-check: ${values.from}: QEMU ${doc.qemu.version} on Linux ${doc.host.kernel} ${doc.host.arch}, ${doc.date}; ${doc.runs.length} runs, checked against the current model${override ? ` under --model-policy ${values["model-policy"]}` : ""}`,
    );
    say(`recorded ${doc.host.zeropageSummary}`);
    const rows = compareRuns(doc.runs, modelsForDocument(doc, override));
    say(formatRuns(doc.runs));
    say("");
    const ok = report(rows, say);
    say(`qemu-check: ${rows.length} rows compared, ${rows.filter((r) => !r.ok).length} outside tolerance`);
    return ok ? 0 : 1;
  }

  const required = process.env.QEMU_CHECK_REQUIRED === "1";
  const t0 = Date.now();
  const skip = (why: string) => {
    say(`qemu-check: skipped: ${why}`);
    if (required) say("qemu-check: QEMU_CHECK_REQUIRED=1: a check that does not run fails");
    return required ? 1 : 0;
  };
  const assets = await prepareAssets(say);
  if (!assets.ok) return skip(assets.skip);
  const host = await measureHost();
  if (!host.ok) return skip(host.skip);
  const a = assets.value;
  const setup = DEFAULT_SETUP;
  say(
    `qemu-check: QEMU ${a.qemuVersion} (TCG) on Linux ${host.value.kernel} ${host.value.arch}; guest ${a.kernelPackage}; ${setup.ramMiB} MiB guest, ${setup.dataMiB} MiB data, the rest but ${setup.leaveMiB} MiB written and freed, balloon to ${setup.balloonLeaveMiB} MiB`,
  );
  say(host.value.zeropageSummary);
  const measured: ScenarioMeasurement[] = [];
  for (const spec of SCENARIOS) measured.push(await measureScenario(a, setup, spec, say));
  const measureMs = Date.now() - t0;
  const hostFacts = {
    kernelVersion: host.value.kernelVersion,
    qemuVersion: a.qemuVersion.split(".").slice(0, 2).join("."),
    zeropage: { ...host.value.zeropage, ...override },
  };
  const models: ModelRun[] = measured.map((m) =>
    runModel(
      {
        id: m.id,
        balloon: m.balloon,
        mode: m.mode,
        ramMiB: setup.ramMiB,
        bootKiB: m.phases.find((p) => p.phase === "booted")!.guestRamRssKiB,
        dataPages: m.dataPages,
        balloonBytes: m.balloonBytes,
      },
      hostFacts,
    ),
  );
  for (const m of models)
    if (m.outcome !== "completed")
      throw new Error(`the model's run ${m.id} ended ${m.outcome}, the real one completed`);
  const rows = compareRuns(measured, models);
  say("");
  say(formatRuns(measured));
  say("");
  const ok = report(rows, say);
  const totalMs = Date.now() - t0;
  const doc = buildDocument({
    date: new Date(),
    // The host as measured; the scenarios carry the policy the model ran under (--model-policy).
    host: { ...host.value, kernelVersion: hostFacts.kernelVersion, qemuVersion: hostFacts.qemuVersion },
    qemu: { version: a.qemuVersion, accel: "tcg", guestKernel: a.kernelPackage },
    setup,
    measured,
    models,
    rows,
    totalMs,
  });
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  const out = values.out ?? (values.json ? "qemu-check.json" : null);
  if (out) {
    await writeFile(out, json);
    say(`qemu-check: wrote the measured runs to ${out}`);
  }
  if (values.publish) {
    if (!ok || override)
      say("qemu-check: --publish: nothing published (the check did not pass under the measured policy)");
    else
      say(
        `qemu-check: published ${(await publish(readDocument(doc, "the check's document"), json)).join(", ")}`,
      );
  }
  say(
    `qemu-check: ${rows.length} rows compared, ${rows.filter((r) => !r.ok).length} outside tolerance; 4 runs measured in ${(measureMs / 1000).toFixed(1)} s, ${(totalMs / 1000).toFixed(1)} s in all; model x86_64 at ${hostFacts.kernelVersion}, QEMU ${hostFacts.qemuVersion}, host policy ${override ? `overridden by --model-policy ${values["model-policy"]}` : "as measured"}`,
  );
  return ok ? 0 : 1;
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`qemu-check: error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
