/**
 * `zeropage-lab diff <scenario> [other-scenario] --kernel A --kernel B [--json]`: runs a scenario
 * under two kernel variants (or two scenarios, each under its own kernel or the one given), aligns
 * the two runs in lockstep (compare/align.ts) and prints the first step where their states differ,
 * with the reason in plain language, then the delta table: final and peak counters per mm on both
 * sides and the difference, right minus left.
 *
 * Where it names the rules that fired, it also prints the modelling choice a rule stands on when
 * the rule is an assumption rather than a confirmed kernel fact (engine/rules.ts `assumption`), so a
 * reviewer sees which part of a divergence is inferred.
 *
 * The left side is the first --kernel (or the first scenario). --json prints exactly one object
 * (DiffReport) and nothing else on stdout. Bad arguments and scenarios that cannot run are usage
 * errors: exit code 2, the message on stderr.
 */
import { type Command, InvalidArgumentError } from "commander";
import { formatCount } from "../../base/units.ts";
import {
  type CompareSide,
  type CompareSummary,
  compareRuns,
  type DeltaRow,
  type Divergence,
  describeAt,
  formatDiff,
  formatPct,
  formatValue,
  type PolicyNote,
  selectRows,
  summarize,
} from "../../compare/index.ts";
import { isVariantId, ruleById, VARIANT_IDS, VARIANTS, type VariantId } from "../../engine/index.ts";
import { type RunResult, runParsed } from "../../scenario/compile.ts";
import { parseScenario } from "../../scenario/schema.ts";
import { UsageError } from "../errors.ts";
import { writeOut } from "../io.ts";
import { type LoadedScenario, loadScenarioArg } from "../load.ts";
import { formatTable } from "../table.ts";
import { formatIssueList } from "./run.ts";

interface DiffOptions {
  kernel: VariantId[];
  json?: boolean;
}

export interface DiffSide {
  readonly scenario: string;
  readonly title: string;
  readonly kernel: VariantId;
  readonly outcome: RunResult["outcome"];
  readonly outcomeReason: string;
}

/** `diff --json`'s output. Positions are aligned positions (compare/align.ts), per granularity. */
export interface DiffReport {
  readonly left: DiffSide;
  readonly right: DiffSide;
  readonly alignment: {
    readonly counts: CompareSummary["counts"];
    readonly pairs: number;
    readonly oneSidedPairs: number;
    readonly mergedPairs: CompareSummary["mergedPairs"];
  };
  readonly firstDivergence: Divergence | null;
  readonly divergences: readonly Divergence[];
  readonly policy: readonly PolicyNote[];
  readonly delta: readonly DeltaRow[];
  /**
   * The modelling choice behind each rule the divergences name that rests on one (rule id →
   * engine/rules.ts `assumption`); rules that model confirmed kernel code are not listed.
   */
  readonly assumptions: Readonly<Record<string, string>>;
}

/** Rule id → assumption, for the rules in `ids` that have one, in first-seen order. */
export function assumptionsOf(ids: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const a = ruleById(id)?.assumption;
    if (a !== undefined && !(id in out)) out[id] = a;
  }
  return out;
}

function collectKernel(value: string, previous: VariantId[]): VariantId[] {
  if (!isVariantId(value)) throw new InvalidArgumentError(`Allowed choices are ${VARIANT_IDS.join(", ")}.`);
  return [...previous, value];
}

function runSide(loaded: LoadedScenario, kernel: VariantId | undefined): RunResult {
  const parsed = parseScenario(loaded.input);
  if (!parsed.ok)
    throw new UsageError(`${loaded.name} is not a valid scenario:\n${formatIssueList(parsed.issues)}`);
  const k = kernel ?? parsed.scenario.machine.kernel;
  const attempt = runParsed(parsed.scenario, { kernel: k });
  if (!attempt.ok)
    throw new UsageError(`${loaded.name} cannot run under ${k}:\n${formatIssueList(attempt.issues)}`);
  return attempt.run;
}

/** Which scenario runs under which kernel on each side; a UsageError when that is not two runs. */
export function planSides(
  args: readonly string[],
  kernels: readonly VariantId[],
): [[string, VariantId | undefined], [string, VariantId | undefined]] {
  if (kernels.length > 2) throw new UsageError(`give at most two --kernel options (got ${kernels.length})`);
  const [a, b] = args;
  if (a === undefined) throw new UsageError("give a preset id or a scenario file");
  if (b === undefined) {
    if (kernels.length !== 2)
      throw new UsageError(
        `to compare one scenario, give two kernels: --kernel A --kernel B (variants: ${VARIANT_IDS.join(", ")})`,
      );
    return [
      [a, kernels[0]],
      [a, kernels[1]],
    ];
  }
  // Two scenarios: no kernel runs each under its own, one kernel runs both under it.
  return [
    [a, kernels[0]],
    [b, kernels[1] ?? kernels[0]],
  ];
}

export function diffReport(args: readonly string[], kernels: readonly VariantId[]): DiffReport {
  const plan = planSides(args, kernels);
  const loaded = plan.map(([arg]) => loadScenarioArg(arg));
  const runs = plan.map(([, k], i) => runSide(loaded[i]!, k));
  const sideOf = (i: number): CompareSide => {
    const r = runs[i]!;
    return {
      trace: r.trace,
      kernel: r.kernel,
      label: `${r.kernel} · ${loaded[i]!.name}`,
      replay: r.simulation,
    };
  };
  const c = compareRuns(sideOf(0), sideOf(1));
  const s = summarize(c);
  const info = (i: number): DiffSide => ({
    scenario: loaded[i]!.name,
    title: runs[i]!.scenario.title,
    kernel: runs[i]!.kernel,
    outcome: runs[i]!.outcome,
    outcomeReason: runs[i]!.outcomeReason,
  });
  return {
    left: info(0),
    right: info(1),
    alignment: {
      counts: s.counts,
      pairs: s.pairCount,
      oneSidedPairs: s.oneSidedPairs,
      mergedPairs: s.mergedPairs,
    },
    firstDivergence: c.first >= 0 ? c.divergences[c.first]! : null,
    divergences: c.divergences,
    policy: c.policy,
    delta: c.delta.rows,
    assumptions: assumptionsOf(c.divergences.flatMap((d) => [...d.rules[0], ...d.rules[1]])),
  };
}

function sideLine(name: string, s: DiffSide): string {
  const v = VARIANTS[s.kernel];
  const outcome = s.outcome === "completed" ? "" : ` (${s.outcome}: ${s.outcomeReason})`;
  return `${name} ${s.kernel}, ${s.scenario}${outcome} — ${v.letter}: ${v.title}`;
}

/** The readable report: the two sides, the first divergence with what led to it, the delta table. */
export function formatReport(r: DiffReport): string {
  const n = r.alignment.counts;
  const lines = [
    sideLine("left: ", r.left),
    sideLine("right:", r.right),
    `aligned: ${n.action} actions, ${formatCount(r.alignment.pairs)} event pairs, ${formatCount(n.table)} table steps, ${formatCount(n.pte)} PTE steps`,
    "",
  ];
  const d = r.firstDivergence;
  if (!d) lines.push("The two runs never differ in memory.");
  else {
    lines.push(
      `first divergence at ${describeAt(d, "table")}`,
      `  (table step ${formatCount(d.positions.table)} of ${formatCount(n.table)}, PTE step ${formatCount(d.positions.pte)}, in action ${d.positions.action} of ${n.action}; events ${d.events[0]} | ${d.events[1]})`,
    );
    if (d.detail) lines.push(`  ${d.detail}`);
    const rules = [...new Set([...d.rules[0], ...d.rules[1]])];
    if (rules.length)
      lines.push(`  rules: ${d.rules[0].join(", ") || "none"} | ${d.rules[1].join(", ") || "none"}`);
    for (const [id, text] of Object.entries(assumptionsOf(rules)))
      lines.push(`  modelling choice behind ${id}: ${text}`);
    const before = r.policy.filter((p) => p.positions.table <= d.positions.table);
    if (before.length) {
      lines.push("", "before it (policy, not memory):");
      for (const p of before) lines.push(`  ${describeAt(p, "table")}`);
    }
    lines.push("", `${r.divergences.length} divergences in all; --json lists each with its step.`);
  }
  const rows = selectRows({ labels: ["", ""], rows: r.delta });
  lines.push(
    "",
    formatTable(
      ["mm / counter", "left final", "right final", "diff", "%", "left peak", "right peak", "diff", "%"],
      rows.map((x) => [
        `${x.mm} ${x.label}`,
        formatValue(x.unit, x.final[0]),
        formatValue(x.unit, x.final[1]),
        formatDiff(x, "final"),
        formatPct(x.finalPct),
        formatValue(x.unit, x.peak[0]),
        formatValue(x.unit, x.peak[1]),
        formatDiff(x, "peak"),
        formatPct(x.peakPct),
      ]),
    ),
    "diff = right - left, % of left; page counts as 4 KiB pages.",
  );
  return lines.join("\n");
}

export function register(program: Command): void {
  program
    .command("diff")
    .description(
      "run a scenario under two kernels (or two scenarios) in lockstep: first divergence, delta table",
    )
    .argument("<scenario>", "a preset id or a scenario .json file (the left side)")
    .argument("[other]", "a second scenario for the right side (default: the same one)")
    .option("--kernel <variant-id>", "a kernel variant; give it twice: left, then right", collectKernel, [])
    .option("--json", "print one JSON object instead of text")
    .action((scenario: string, other: string | undefined, opts: DiffOptions, cmd: Command) => {
      const args = other === undefined ? [scenario] : [scenario, other];
      const report = diffReport(args, opts.kernel);
      writeOut(cmd, opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    });
}
