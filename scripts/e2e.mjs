#!/usr/bin/env node
// Runs the Playwright e2e suite against a fresh production build, in real Chromium.
// Browser, in this order:
//   1. Playwright's own (if installed for this Playwright version);
//   2. $CHROMIUM_PATH;
//   3. the usual system paths (/usr/bin/chromium, /usr/bin/chromium-browser, /snap/bin/chromium,
//      /usr/bin/google-chrome, /usr/bin/google-chrome-stable);
//   4. one try of `npx playwright install chromium`;
//   5. as root with apt-get: Debian's `chromium` package (one line says so first);
// and otherwise one line saying how to get a browser, and a non-zero exit.
//
//   node scripts/e2e.mjs [playwright test arguments]
//   node scripts/e2e.mjs --check-browser   exit 0 and name the browser if one can be used, else 1
//                                          (no install attempt)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { chromium } from "@playwright/test";

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: "inherit", env, shell: process.platform === "win32" });
  return r.status ?? 1;
}

/**
 * Playwright's own Chromium, checked by launching it as the tests do (headless, no channel). A
 * headless launch runs chromium-headless-shell, not the full Chromium that
 * chromium.executablePath() names, and only the revision this Playwright version pins: either can
 * be missing while the other is installed, so an existsSync() on a path would answer for the wrong
 * binary. Returns a label, or null with the reason Playwright gave.
 */
async function playwrightOwn() {
  let browser;
  try {
    browser = await chromium.launch({ timeout: 60_000 });
    return { label: `Playwright's Chromium ${browser.version()}` };
  } catch (e) {
    const first = String(e instanceof Error ? e.message : e).split("\n")[0];
    return { label: null, why: first };
  } finally {
    await browser?.close();
  }
}

/** Where distributions put Chromium (or Chrome, which Playwright drives the same way). */
const SYSTEM_BROWSERS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/snap/bin/chromium",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

async function findBrowser() {
  const own = await playwrightOwn();
  if (own.label) return { path: "", label: own.label };
  // A binary given by path is launched at exactly that path (playwright.config.ts executablePath).
  const env = process.env.CHROMIUM_PATH;
  if (env && existsSync(env)) return { path: env, label: `$CHROMIUM_PATH (${env})` };
  const system = SYSTEM_BROWSERS.find((p) => existsSync(p));
  if (system) return { path: system, label: system };
  console.log(`e2e: Playwright's own Chromium cannot be used: ${own.why}`);
  return null;
}

/** Root on a machine with apt-get (Debian, Ubuntu): the one case where we may install a package. */
function canAptInstall() {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  return spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Debian's chromium, quietly; its own output only if it fails. */
function aptInstallChromium() {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const r = spawnSync("apt-get", args, { env, encoding: "utf8" });
    if (r.status !== 0) {
      process.stderr.write(r.stdout + r.stderr);
      return false;
    }
  }
  return true;
}

if (process.argv[2] === "--check-browser") {
  const found = await findBrowser();
  console.log(found ? `e2e: browser: ${found.label}` : "e2e: no usable Chromium");
  process.exit(found ? 0 : 1);
}

let browser = await findBrowser();
if (!browser) {
  console.log("e2e: no Chromium found; trying `npx playwright install chromium` once");
  run("npx", ["playwright", "install", "chromium"]);
  browser = await findBrowser();
}
if (!browser && canAptInstall()) {
  console.log(
    "e2e: no Chromium found and Playwright cannot download one; installing Debian's chromium with apt-get",
  );
  if (aptInstallChromium()) browser = await findBrowser();
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

const TMP = "node_modules/.tmp";
const PREFIX = "e2e-run-";

/** true if a process with this id exists (EPERM: it exists, but is someone else's). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/**
 * Build folders of runs that died before deleting their own (killed with SIGKILL, or a crash).
 * Folders are named after their run's process id, so a running run's folder is never touched.
 */
function sweepDeadRuns() {
  let names = [];
  try {
    names = readdirSync(TMP);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(PREFIX.length));
    if (!name.startsWith(PREFIX) || !Number.isSafeInteger(pid) || pid <= 0) continue;
    if (pid !== process.pid && !alive(pid)) rmSync(path.join(TMP, name), { recursive: true, force: true });
  }
}

console.log(`e2e: using ${browser.label}`);
sweepDeadRuns();
const port = process.env.E2E_PORT || String(await freePort());
// Each run builds into its own folder, so parallel runs never serve each other's half-built
// files, and deletes it when Playwright exits.
const outDir = `${TMP}/${PREFIX}${process.pid}`;
// A signal must not kill this script before the folder is removed. spawnSync blocks the event
// loop, and Ctrl-C reaches the whole process group: the child stops, run() returns its status,
// and the lines below still run. The handlers only replace the default action (exit at once).
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => {});
let code = run("npx", ["vite", "build", "--logLevel", "warn", "--outDir", outDir, "--emptyOutDir"]);
if (code === 0) {
  const env = { ...process.env, PW_CHROMIUM_PATH: browser.path, E2E_PORT: port, E2E_OUT_DIR: outDir };
  code = run("npx", ["playwright", "test", ...process.argv.slice(2)], env);
}
rmSync(outDir, { recursive: true, force: true });
process.exit(code);
