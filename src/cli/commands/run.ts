/**
 * `zeropage-lab run <preset-id | scenario.json> [--kernel <variant-id>] [--json] [--ledger]`: runs
 * a scenario through the same engine as the app (scenario/compile.ts) and reports, per mm, the
 * counters at the end and their peaks, plus the outcome (completed, hung, failed). --ledger adds
 * what a real machine would print at the end (scenario/ledger.ts): each host's files and QEMU's
 * monitor output, with the commands that print them, as in the app's ledger panel.
 *
 * --json prints exactly one object (summary.ts's RunSummary) and nothing else on stdout. Without
 * it, a fixed-width table. A scenario that is not valid, or that cannot run under the chosen
 * kernel (checkScenario), is a usage error: each issue is printed with its path, exit code 2.
 */
import { type Command, Option } from "commander";
import { COUNTERS, VARIANT_IDS, VARIANTS, type VariantId } from "../../engine/index.ts";
import { runParsed } from "../../scenario/compile.ts";
import { finalLedgerText, runLedger } from "../../scenario/ledger.ts";
import { parseScenario, type ScenarioIssue } from "../../scenario/schema.ts";
import { UsageError } from "../errors.ts";
import { writeOut } from "../io.ts";
import { loadScenarioArg } from "../load.ts";
import { type RunSummary, summarizeRun } from "../summary.ts";
import { formatCounter, formatTable } from "../table.ts";

interface RunOptions {
  kernel?: VariantId;
  json?: boolean;
  ledger?: boolean;
}

/** "  actions[2].size: expected whole 4 KiB pages, got 100 bytes", one line per issue. */
export function formatIssueList(issues: readonly ScenarioIssue[]): string {
  return issues.map((i) => `  ${i.path || "(scenario)"}: ${i.message}`).join("\n");
}

export function register(program: Command): void {
  program
    .command("run")
    .description("run a preset or a scenario file and print final and peak counters per mm")
    .argument("<scenario>", "a preset id (see `zeropage-lab presets`) or a scenario .json file")
    .addOption(
      new Option("--kernel <variant-id>", "run under this kernel variant instead of the scenario's").choices(
        VARIANT_IDS,
      ),
    )
    .option("--json", "print one JSON object instead of a table")
    .option("--ledger", "also print what a real machine would print at the end, with the commands")
    .action((arg: string, opts: RunOptions, cmd: Command) => {
      const loaded = loadScenarioArg(arg);
      const parsed = parseScenario(loaded.input);
      if (!parsed.ok) {
        throw new UsageError(`${loaded.name} is not a valid scenario:\n${formatIssueList(parsed.issues)}`);
      }
      const kernel = opts.kernel ?? parsed.scenario.machine.kernel;
      // The report reads the trace only: no checkpoints for seeking.
      const attempt = runParsed(parsed.scenario, { kernel, checkpoints: false });
      if (!attempt.ok) {
        throw new UsageError(
          `${loaded.name} cannot run under ${kernel}:\n${formatIssueList(attempt.issues)}`,
        );
      }
      const run = attempt.run;
      const summary = summarizeRun(loaded.name, run);
      if (opts.json) {
        const out = opts.ledger
          ? {
              ...summary,
              ledger: runLedger(run, run.simulation.world, run.trace.events, run.trace.events - 1),
            }
          : summary;
        writeOut(cmd, `${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const ledger = opts.ledger ? `\n${finalLedgerText(run)}` : "";
      writeOut(cmd, `${formatSummary(summary)}\n${ledger}`);
    });
}

/** The readable report: a header, one table of final and peak values per mm, the outcome. */
export function formatSummary(s: RunSummary): string {
  const v = VARIANTS[s.kernel as VariantId];
  const dst = s.final.destination && s.peak.destination ? [s.final.destination, s.peak.destination] : null;
  const header = ["counter", "source final", "source peak"];
  if (dst) header.push("destination final", "destination peak");
  const rows = COUNTERS.map((info) => {
    // A counter this kernel does not have (ksm_zero_pages before v6.6) is "n/a", not 0.
    const cell = (v: number) => (s.absent.includes(info.key) ? "n/a" : formatCounter(info, v));
    const row = [info.label, cell(s.final.source[info.key]), cell(s.peak.source[info.key])];
    if (dst) row.push(cell(dst[0]![info.key]), cell(dst[1]![info.key]));
    return row;
  });
  return [
    `${s.scenario} under ${s.kernel}`,
    ...(v ? [`kernel ${v.letter}: ${v.title}`] : []),
    ...(s.hostZeropage ? [`host zeropage policy: ${s.hostZeropage}`] : []),
    `${s.steps.toLocaleString("en-US")} steps, trace ${s.traceHash}, kernel version ${s.kernelVersion}`,
    "",
    formatTable(header, rows),
    ...(dst ? [] : ["(no destination: nothing was migrated)"]),
    "",
    `outcome: ${s.outcome}${s.outcomeReason ? `: ${s.outcomeReason}` : ""}`,
  ].join("\n");
}
