#!/usr/bin/env node
// The zeropage-lab CLI (src/cli/main.ts). Runs from a fresh clone after `npm ci`, without a build:
// tsx's ESM loader compiles the TypeScript sources on the fly.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import(new URL("../src/cli/main.ts", import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2));
