#!/usr/bin/env node
// Runs the Playwright e2e suite against a fresh production build, in real Chromium.
// Browser, in this order: Playwright's own (if installed), $CHROMIUM_PATH, /usr/bin/chromium.
// If none exists, try `npx playwright install chromium` once; if that fails too, say how to get
// a browser in one line and exit non-zero.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { chromium } from "@playwright/test";

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: "inherit", env, shell: process.platform === "win32" });
  return r.status ?? 1;
}

function findBrowser() {
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return { path: "", label: `Playwright's Chromium (${own})` };
  } catch {
    // not installed
  }
  const env = process.env.CHROMIUM_PATH;
  if (env && existsSync(env)) return { path: env, label: `$CHROMIUM_PATH (${env})` };
  if (existsSync("/usr/bin/chromium")) return { path: "/usr/bin/chromium", label: "/usr/bin/chromium" };
  return null;
}

let browser = findBrowser();
if (!browser) {
  console.log("e2e: no Chromium found; trying `npx playwright install chromium` once");
  run("npx", ["playwright", "install", "chromium"]);
  browser = findBrowser();
}
if (!browser) {
  console.error(
    "e2e: no browser: run `npx playwright install chromium`, or install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.",
  );
  process.exit(1);
}
/** A free TCP port on 127.0.0.1, so that several e2e runs can share a machine. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

console.log(`e2e: using ${browser.label}`);
const port = process.env.E2E_PORT || String(await freePort());
// Each run builds into its own directory, so parallel runs never serve each other's half-built files.
const outDir = `node_modules/.tmp/e2e-dist-${port}`;
if (run("npx", ["vite", "build", "--logLevel", "warn", "--outDir", outDir, "--emptyOutDir"]) !== 0)
  process.exit(1);
const env = { ...process.env, PW_CHROMIUM_PATH: browser.path, E2E_PORT: port, E2E_OUT_DIR: outDir };
process.exit(run("npx", ["playwright", "test", ...process.argv.slice(2)], env));
