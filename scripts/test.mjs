#!/usr/bin/env node
// `npm test`: typecheck, lint, layering, unit tests with the kernel check (tools/kernel-check/
// check.test.ts), the QEMU check (tools/qemu-check: real QEMUs, a minute of TCG, so a stage of its
// own and not a vitest file; where it cannot run it prints why and passes, unless
// QEMU_CHECK_REQUIRED=1), then end-to-end tests in Chromium. Stops at the first failing stage and
// exits non-zero; each runner prints its own summary.
import { spawnSync } from "node:child_process";

const stages = [
  ["typecheck (tsc -b)", "npx", ["tsc", "-b"]],
  ["lint (biome)", "npx", ["biome", "check", "."]],
  ["layering (tools/check-imports.mjs)", "node", ["tools/check-imports.mjs"]],
  ["unit tests and the kernel check (vitest)", "npx", ["vitest", "run"]],
  ["the QEMU check (tools/qemu-check)", "npx", ["tsx", "tools/qemu-check/check.ts"]],
  ["e2e tests (playwright, chromium)", "node", ["scripts/e2e.mjs"]],
];

for (const [name, cmd, args] of stages) {
  console.log(`\n▶ ${name}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`✗ ${name} failed after ${secs}s`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${name} (${secs}s)`);
}
console.log("\nAll test stages passed.");
