/**
 * What the browser benchmarks share (ui.bench.ts, compare.bench.ts, sweep.bench.ts, ui-profile.ts):
 * serving a build with `vite preview` on a free port, launching Chromium, waiting for the app to
 * be idle, percentiles, the seeded seek targets, the in-page frame recorder and calibration pass,
 * and the results table with each target met or missed.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "@playwright/test";

export const ROOT = join(import.meta.dirname, "..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export async function waitForServer(url: string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`vite preview did not answer at ${url}`);
}

/** The value after `name` on the command line (`--runs 3`), else `fallback`. */
export function option(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
}

/** `vite build` into `outDir` (dist/ by default), unless the command line says --no-build. */
export function buildUnlessAsked(args: readonly string[], outDir?: string): void {
  if (args.includes("--no-build")) return;
  console.log("bench: building (vite build)…");
  const extra = outDir ? ["--outDir", outDir, "--emptyOutDir"] : [];
  const r = spawnSync("npx", ["vite", "build", "--logLevel", "error", ...extra], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Serves `dist` with `vite preview` on a free port; stop() ends it (also at exit). */
export async function preview(dist?: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const server: ChildProcess = spawn(
    "npx",
    [
      "vite",
      "preview",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--strictPort",
      ...(dist ? ["--outDir", dist] : []),
    ],
    { cwd: ROOT, stdio: "ignore", detached: true },
  );
  const stop = () => {
    if (!server.pid) return;
    try {
      process.kill(-server.pid);
    } catch {
      // already gone
    }
  };
  process.on("exit", stop);
  await waitForServer(url);
  return { url, stop };
}

/** Chromium: $CHROMIUM_PATH, else /usr/bin/chromium, else Playwright's own. */
export async function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  const env = process.env.CHROMIUM_PATH;
  const exe =
    env && existsSync(env) ? env : existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined;
  return chromium.launch({
    ...(exe ? { executablePath: exe } : {}),
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-timer-throttling", ...extraArgs],
  });
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** The app's worker has answered everything asked of it (window.__zeropage.idle()). */
export async function idle(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction("window.__zeropage && window.__zeropage.idle() === true", null, { timeout });
}

/** `n` seek targets in [0, steps): a fixed pseudo-random sequence (LCG), so runs compare. */
export function targets(n: number, steps: number): number[] {
  let x = 20240611;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(Math.floor((x / 2147483648) * steps));
  }
  return out;
}

/*
 * In-page code is source text: tsx (esbuild) wraps named functions with a __name() helper that
 * does not exist in the page, so functions cannot be handed to page.evaluate() directly.
 */
export function inPage(fn: string, arg: unknown): string {
  return `(${fn})(${JSON.stringify(arg)})`;
}

/** In-page: resolves with the rAF timestamps of `ms` milliseconds. */
export const RECORD_FRAMES = `(ms) => new Promise((resolve) => {
  const ts = [];
  const t0 = performance.now();
  const tick = (t) => {
    ts.push(t);
    if (t - t0 < ms) requestAnimationFrame(tick);
    else resolve(ts);
  };
  requestAnimationFrame(tick);
})`;

/**
 * The calibration: one plain per-page pass over 100 GiB (a byte per 4 KiB page, read and written
 * once) in the page's main thread, best of three, as `npm run bench` measures it in Node. No
 * target: it says how fast this machine is at this moment, next to absolute figures.
 */
export const PAGE_PASS = `() => {
  const a = new Uint8Array(26214400);
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    let s = 0;
    for (let i = 0; i < a.length; i++) { s += a[i]; a[i] = (s + i) & 255; }
    best = Math.min(best, performance.now() - t0);
    if (s < 0) best = -1;
  }
  return best;
}`;

/** A results row: measure, value, target, and met (null: a figure without a target). */
export type Row = readonly [string, string, string, boolean | null];

export const ms = (v: number) => `${v.toFixed(1)} ms`;

export function printTable(title: string, rows: readonly Row[]): void {
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => String(r[i]).length), 7));
  console.log(`\n${title}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}\n`);
  console.log(`${"measure".padEnd(w[0]!)}  ${"value".padEnd(w[1]!)}  ${"target".padEnd(w[2]!)}  result`);
  console.log(`${"-".repeat(w[0]!)}  ${"-".repeat(w[1]!)}  ${"-".repeat(w[2]!)}  ------`);
  for (const [a, b, c, ok] of rows)
    console.log(
      `${a.padEnd(w[0]!)}  ${b.padEnd(w[1]!)}  ${c.padEnd(w[2]!)}  ${ok === null ? "" : ok ? "met" : "MISSED"}`,
    );
  const targets = rows.filter((r) => r[3] !== null);
  console.log(`\n${targets.filter((r) => r[3]).length} of ${targets.length} targets met`);
}
