/**
 * `zeropage-lab exercise <preset-id | scenario.json> [--seed N | --seeds 1-30] [--kernel id] [--json]`:
 * the answer key of a scenario's exercise. For each seed, the problem it draws from the exercise's
 * ranges and every question's answer, derived from that problem's run (src/exercise/key.ts, the
 * rows the app's answer key shows). Without a seed, the scenario as written.
 *
 * As OSTEP's simulators print a problem per seed and its answers with -c, a teacher can hand out
 * `…&seed=<student number>` links and keep this table.
 */
import type { Command } from "commander";
import { isVariantId, VARIANT_IDS } from "../../engine/index.ts";
import { hasCheckpoints } from "../../exercise/draw.ts";
import { answerWords } from "../../exercise/format.ts";
import { answerKeyRow } from "../../exercise/key.ts";
import { parseSeeds } from "../../exercise/seeds.ts";
import { PARAMETERS } from "../../scenario/parameters.ts";
import { parseScenario } from "../../scenario/schema.ts";
import { UsageError } from "../errors.ts";
import { writeOut } from "../io.ts";
import { loadScenarioArg } from "../load.ts";
import { formatIssueList } from "./run.ts";

interface ExerciseOptions {
  seed?: string;
  seeds?: string;
  kernel?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("exercise")
    .description("print the answer key of a scenario's exercise, per student seed")
    .argument("<scenario>", "a preset id (see `zeropage-lab presets`) or a scenario .json file")
    .option("--seed <n>", "one student's seed (a link's seed=)")
    .option("--seeds <list>", 'seeds as a class lists them: "1-30", "17,42,1001"')
    .option("--kernel <variant-id>", "run under this kernel instead of the problem's")
    .option("--json", "print one JSON object: every row with its answers")
    .action((arg: string, opts: ExerciseOptions, cmd: Command) => {
      const loaded = loadScenarioArg(arg);
      const parsed = parseScenario(loaded.input);
      if (!parsed.ok)
        throw new UsageError(`${loaded.name} is not a valid scenario:\n${formatIssueList(parsed.issues)}`);
      if (!hasCheckpoints(loaded.input))
        throw new UsageError(`${loaded.name} asks no questions (no exercise)`);
      if (opts.seed !== undefined && opts.seeds !== undefined)
        throw new UsageError("choose one of --seed and --seeds");
      const kernel = opts.kernel;
      if (kernel !== undefined && !isVariantId(kernel))
        throw new UsageError(`unknown kernel "${opts.kernel}"; expected ${VARIANT_IDS.join(", ")}`);
      let seeds: (number | null)[] = [null];
      const text = opts.seeds ?? opts.seed;
      if (text !== undefined) {
        const r = parseSeeds(text);
        if (!r.ok) throw new UsageError(`--seed${opts.seeds !== undefined ? "s" : ""}: ${r.error}`);
        if (opts.seed !== undefined && r.seeds.length !== 1)
          throw new UsageError("--seed takes one seed; use --seeds");
        seeds = r.seeds;
      }
      const rows = seeds.map((s) => answerKeyRow(loaded.input, s, kernel));
      if (opts.json) {
        writeOut(cmd, `${JSON.stringify({ scenario: loaded.name, rows }, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const row of rows) {
        const drawn = row.values.map((v) => `${PARAMETERS[v.id].label} ${v.text}`).join(", ");
        lines.push(
          `${loaded.name}${row.seed === null ? " as written" : `, seed ${row.seed}`}${drawn ? `: ${drawn}` : ""}` +
            (row.kernel ? ` (${row.kernel}, ${row.outcome})` : ""),
        );
        if (row.problem) {
          lines.push(`  cannot run: ${row.problem}`, "");
          continue;
        }
        row.checkpoints.forEach((c, i) => {
          const action = row.actions[c.at];
          const before = action ? ` (${action})` : "";
          lines.push(`  ${i + 1}. before action ${c.at}${before}: ${c.question}`);
          const rule = c.reveal.rule ? ` · rule ${c.reveal.rule}` : "";
          lines.push(`     answer: ${answerWords(c)}${rule}`);
        });
        lines.push("");
      }
      writeOut(cmd, `${lines.join("\n")}`);
    });
}
