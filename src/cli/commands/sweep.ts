/**
 * `zeropage-lab sweep <preset-id | scenario.json> --param balloon --from 0 --to 100% --points 11
 *  --kernel s390-fa41ba0d,s390-06201e00 [--json | --csv]`: runs the scenario once per point and
 * kernel (src/sweep, the same points and numbers as the app's Sweep) and prints final and peak
 * RssAnon and host memory on the source and the destination per point.
 *
 * A size parameter (balloon, written, guestRam) takes --from, --to (a size, or a share of guest
 * RAM such as 100% for balloon and written) and --points; a choice (zeroPageDetection, migration,
 * skeys, qemuVersion) takes --values (default: all of them). --kernel defaults to the preset's
 * first two variants (a file's own kernel). A point that cannot run is reported with why; the
 * sweep goes on. A sweep that is not valid is a usage error (exit 2).
 */
import type { Command } from "commander";
import { formatBytes } from "../../base/units.ts";
import { formatParameterValue, PARAMETERS } from "../../scenario/parameters.ts";
import { parseScenario } from "../../scenario/schema.ts";
import { sweepCsv } from "../../sweep/csv.ts";
import { MEASURES, runSweep, SIDES } from "../../sweep/run.ts";
import { describeSpec, formatSpec, makeSpec, SWEEP_PARAMETERS } from "../../sweep/spec.ts";
import { UsageError } from "../errors.ts";
import { writeOut } from "../io.ts";
import { loadScenarioArg } from "../load.ts";
import { formatTable } from "../table.ts";
import { formatIssueList } from "./run.ts";

interface SweepOptions {
  param: string;
  from?: string;
  to?: string;
  points?: string;
  values?: string;
  kernel?: string[];
  json?: boolean;
  csv?: boolean;
}

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];

export function register(program: Command): void {
  program
    .command("sweep")
    .description("run a scenario over one parameter's range, for one or more kernels")
    .argument("<scenario>", "a preset id (see `zeropage-lab presets`) or a scenario .json file")
    .requiredOption("--param <name>", `the parameter to sweep: ${SWEEP_PARAMETERS.join(", ")}`)
    .option("--from <size>", 'a size parameter\'s first value ("0", "16GiB", or "10%" of guest RAM)')
    .option("--to <size>", 'a size parameter\'s last value ("40GiB", "100%")')
    .option("--points <n>", "how many values from --from to --to, ends included")
    .option("--values <list>", "a choice parameter's values, comma-separated (default: all)")
    .option(
      "--kernel <ids>",
      "kernel variants, comma-separated or repeated (default: the preset's first two)",
      list,
    )
    .option("--json", "print one JSON object: the sweep and every point")
    .option("--csv", "print the points as CSV")
    .action((arg: string, opts: SweepOptions, cmd: Command) => {
      if (opts.json && opts.csv) throw new UsageError("choose one of --json and --csv");
      const loaded = loadScenarioArg(arg);
      const parsed = parseScenario(loaded.input);
      if (!parsed.ok)
        throw new UsageError(`${loaded.name} is not a valid scenario:\n${formatIssueList(parsed.issues)}`);
      const kernels =
        opts.kernel ??
        (loaded.preset ? loaded.preset.variants.slice(0, 2) : [parsed.scenario.machine.kernel]);
      const points =
        opts.points === undefined ? undefined : /^\d+$/.test(opts.points) ? Number(opts.points) : Number.NaN;
      const made = makeSpec({
        param: opts.param,
        ...(opts.from !== undefined ? { from: opts.from } : {}),
        ...(opts.to !== undefined ? { to: opts.to } : {}),
        ...(points !== undefined ? { points } : {}),
        ...(opts.values !== undefined ? { values: list(opts.values) } : {}),
        kernels,
      });
      if (!made.ok) throw new UsageError(`the sweep is not valid: ${made.error}`);
      const spec = made.spec;
      const results = [...runSweep(spec, loaded.input)];
      if (opts.csv) {
        writeOut(cmd, sweepCsv(results));
        return;
      }
      if (opts.json) {
        const doc = {
          scenario: loaded.name,
          sweep: formatSpec(spec),
          description: describeSpec(spec),
          points: results,
        };
        writeOut(cmd, `${JSON.stringify(doc, null, 2)}\n`);
        return;
      }
      const header = [
        PARAMETERS[spec.param].label,
        "kernel",
        "outcome",
        ...MEASURES.flatMap((m) => SIDES.map((s) => `${s === "source" ? "src" : "dst"} ${m.label}`)),
      ];
      const rows = results.map((p) => [
        formatParameterValue(p.param, p.value),
        p.kernel,
        p.problem ? "cannot run" : (p.outcome ?? ""),
        ...MEASURES.flatMap((m) =>
          SIDES.map((s) => {
            const v = p.values[m.id][s];
            return v === null ? "-" : formatBytes(v);
          }),
        ),
      ]);
      const problems = results
        .filter((p) => p.problem)
        .map((p) => `${formatParameterValue(p.param, p.value)} under ${p.kernel}: ${p.problem}`);
      writeOut(
        cmd,
        `${[
          `${loaded.name}: ${describeSpec(spec)}, kernels ${spec.kernels.join(", ")}`,
          "",
          formatTable(header, rows),
          ...(problems.length ? ["", "points that cannot run:", ...problems.map((x) => `  ${x}`)] : []),
        ].join("\n")}\n`,
      );
    });
}
