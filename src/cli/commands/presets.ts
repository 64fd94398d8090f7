/**
 * `zeropage-lab presets [--json]`: the shipped presets, with their titles and the kernel variants
 * each is meant to be run under (the first is the one `run` uses by default).
 */
import type { Command } from "commander";
import { PRESETS } from "../../scenario/presets/index.ts";
import { writeOut } from "../io.ts";

export function register(program: Command): void {
  program
    .command("presets")
    .description("list the preset scenarios: ids, titles and the kernel variants each names")
    .option("--json", "print a JSON array of { id, title, variants }")
    .action((opts: { json?: boolean }, cmd: Command) => {
      if (opts.json) {
        const list = PRESETS.map((p) => ({ id: p.id, title: p.title, variants: p.variants }));
        writeOut(cmd, `${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      const width = Math.max(...PRESETS.map((p) => p.id.length));
      const lines: string[] = [];
      for (const p of PRESETS) {
        lines.push(`${p.id.padEnd(width)}  ${p.title}`);
        lines.push(`${" ".repeat(width)}  variants: ${p.variants.join(", ")}`);
      }
      writeOut(cmd, `${lines.join("\n")}\n`);
    });
}
