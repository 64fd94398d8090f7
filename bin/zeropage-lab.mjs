#!/usr/bin/env node
// The zeropage-lab CLI (src/cli/main.ts), run from its compiled JavaScript: dist-cli/main.js, one
// ES module that `npm run build:cli` (vite.cli.config.ts) writes. `npm ci` and `npm install` build
// it (the `prepare` script), so nothing is compiled when the CLI starts. After changing the
// sources, `npm run build:cli` again.
import { existsSync } from "node:fs";

const built = new URL("../dist-cli/main.js", import.meta.url);
if (!existsSync(built)) {
  const error =
    "the CLI is not built: dist-cli/main.js is missing. Run `npm run build:cli` in the repository (npm ci and npm install run it), then try again.";
  // With --json (before any `--`), the error is JSON too, as every other CLI error is.
  const args = process.argv.slice(2);
  const json = args.slice(0, args.includes("--") ? args.indexOf("--") : undefined).includes("--json");
  process.stderr.write(json ? `${JSON.stringify({ error })}\n` : `zeropage-lab: ${error}\n`);
  process.exit(1);
}
const { runCli } = await import(built.href);
process.exitCode = await runCli(process.argv.slice(2));
