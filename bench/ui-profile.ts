/**
 * Where the UI's time goes (`tsx bench/ui-profile.ts <what> [--seconds N] [--dist DIR] [--top N]`):
 * opens the commit story (100 GiB) in Chromium, records one interaction with the DevTools
 * protocol's sampling profiler and Chromium's tracing, and prints the renderer main thread's time
 * by trace event (self time: script, style, layout, paint, GC…) and the JavaScript functions with
 * the most self time. The bench (ui.bench.ts, compare.bench.ts) says whether a target is met; this
 * says why one is not.
 *
 *   play-table | play-pte | play-action   8× playback at that granularity
 *   seek-table | seek-pte                 40 seeks to pseudo-random steps
 *   scrub | scrub-compare                 a seek every frame (single view, compare view)
 *   seek-compare                          compare view's seeks, until the diff map shows
 *   kernel                                switching the kernel (each variant once)
 *   load                                  the page's load until the main map is drawn
 *
 * Builds nothing: it serves --dist (default dist/, as `vite build` leaves it). A build without
 * minification names the functions: `npx vite build --minify false --outDir DIR --emptyOutDir`.
 * --save FILE keeps the trace (chrome://tracing, Perfetto), --cpuprofile FILE the main thread's
 * JavaScript profile (DevTools' Performance panel loads it).
 */
import { existsSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { CDPSession, Page } from "@playwright/test";
import { launch, option, preview, ROOT, targets, idle as waitIdle } from "./ui-support.ts";

const args = process.argv.slice(2);
const what = args[0] ?? "play-table";
const SECONDS = Number(option(args, "--seconds", "4"));
const TOP = Number(option(args, "--top", "30"));
const DIST = option(args, "--dist", join(ROOT, "dist"));
const SAVE = option(args, "--save", "");
const CPUPROFILE = option(args, "--cpuprofile", "");

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

/** Self time (wall and thread) per event name on one thread, from nested complete events. */
function selfTimes(events: TraceEvent[]): Map<string, { wall: number; cpu: number; n: number }> {
  const xs = events
    .filter((e) => e.ph === "X" && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const out = new Map<string, { wall: number; cpu: number; n: number }>();
  const stack: { e: TraceEvent; childWall: number; childCpu: number }[] = [];
  const close = (s: { e: TraceEvent; childWall: number; childCpu: number }) => {
    const r = out.get(s.e.name) ?? { wall: 0, cpu: 0, n: 0 };
    r.wall += s.e.dur! - s.childWall;
    r.cpu += (s.e.tdur ?? s.e.dur!) - s.childCpu;
    r.n++;
    out.set(s.e.name, r);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.childWall += s.e.dur!;
      parent.childCpu += s.e.tdur ?? s.e.dur!;
    }
  };
  for (const e of xs) {
    while (stack.length > 0 && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= e.ts)
      close(stack.pop()!);
    stack.push({ e, childWall: 0, childCpu: 0 });
  }
  while (stack.length > 0) close(stack.pop()!);
  return out;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** Inclusive time per function (each function once per sample, however deep it recurses). */
function profileTotal(profile: {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}): { name: string; ms: number }[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      const file = f.url.split("/").pop() ?? "";
      const key = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + dt);
    }
  }
  return [...total].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

function profileSelf(profile: {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}): { name: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]!)!;
    const f = n.callFrame;
    const file = f.url.split("/").pop() ?? "";
    const key = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  }
  return [...self].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

const HASH = "#v=1&preset=commit-06201e00&kernel=s390-fa41ba0d";

const idle = (page: Page) => waitIdle(page, 120_000);

async function interact(page: Page): Promise<void> {
  if (what.startsWith("play-")) {
    await page.keyboard.press("Home");
    await idle(page);
    await page.getByLabel("Playback speed").selectOption("8");
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("Space");
    await page.waitForTimeout(SECONDS * 1000);
    if ((await page.locator(".app").getAttribute("data-playing")) === "true")
      await page.keyboard.press("Space");
    return;
  }
  if (what.startsWith("seek-") && what !== "seek-compare") {
    const steps = Number(await page.getByRole("slider", { name: "Timeline" }).getAttribute("aria-valuemax"));
    for (const target of targets(40, steps)) {
      await page.evaluate(`window.__zeropage.seek(${target})`);
      await idle(page);
    }
    return;
  }
  if (what === "scrub") {
    const steps = Number(await page.getByRole("slider", { name: "Timeline" }).getAttribute("aria-valuemax"));
    await page.evaluate(`new Promise((resolve) => {
      const t0 = performance.now(); let p = 0;
      const tick = (t) => { p = (p + Math.max(1, Math.floor(${steps} / 300))) % ${steps};
        window.__zeropage.seek(p); if (t - t0 < ${SECONDS * 1000}) requestAnimationFrame(tick); else resolve(); };
      requestAnimationFrame(tick); })`);
    return;
  }
  if (what === "scrub-compare" || what === "seek-compare") {
    const steps = Number(await page.getByTestId("compare-slider").getAttribute("max"));
    const set = `(el, v) => { Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(el, String(v)); el.dispatchEvent(new Event("input", { bubbles: true })); }`;
    if (what === "scrub-compare") {
      await page.evaluate(`new Promise((resolve) => {
        const s = document.querySelector("[data-testid=compare-slider]");
        const t0 = performance.now(); let p = 0;
        const tick = (t) => { p = (p + Math.max(1, Math.floor(${steps} / 300))) % ${steps};
          (${set})(s, p); if (t - t0 < ${SECONDS * 1000}) requestAnimationFrame(tick); else resolve(); };
        requestAnimationFrame(tick); })`);
    } else {
      for (const target of targets(30, steps)) {
        await page.evaluate(`(${set})(document.querySelector("[data-testid=compare-slider]"), ${target})`);
        await idle(page);
      }
    }
    return;
  }
  if (what === "kernel") {
    for (const k of ["s390-06201e00", "x86_64", "s390-2faee8ff", "s390-fa41ba0d"]) {
      await page.getByLabel("Kernel", { exact: false }).first().selectOption(k);
      await idle(page);
    }
    return;
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(DIST, "index.html"))) throw new Error(`no build at ${DIST}`);
  const { url, stop } = await preview(DIST);
  try {
    const browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const granularity = what.endsWith("-pte") ? "pte" : what.endsWith("-action") ? "action" : "table";
    const hash = `${HASH}&g=${granularity}${what.includes("compare") ? "&compare=s390-06201e00" : ""}`;
    const cdp: CDPSession = await context.newCDPSession(page);
    if (what !== "load") {
      await page.goto(`${url}${hash}`);
      await idle(page);
    }
    const sample = !args.includes("--no-js");
    if (sample) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    }
    await browser.startTracing(page, {
      categories: [
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "v8",
        "blink",
        "cc",
        "gpu",
        "toplevel",
      ],
    });
    if (sample) await cdp.send("Profiler.start");
    const t0 = Date.now();
    if (what === "load") {
      await page.goto(`${url}${hash}`);
      await page.waitForFunction('performance.getEntriesByName("zeropage-interactive").length > 0');
    } else await interact(page);
    const wall = Date.now() - t0;
    const { profile } = sample
      ? ((await cdp.send("Profiler.stop")) as unknown as {
          profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
        })
      : { profile: { nodes: [], samples: [], timeDeltas: [] } };
    const buf = await browser.stopTracing();
    if (SAVE) writeFileSync(SAVE, buf);
    if (CPUPROFILE) writeFileSync(CPUPROFILE, JSON.stringify(profile));
    const trace = JSON.parse(buf.toString()) as { traceEvents: TraceEvent[] };
    const evs = trace.traceEvents;
    const threadName = new Map<string, string>();
    for (const e of evs)
      if (e.ph === "M" && e.name === "thread_name") threadName.set(`${e.pid}:${e.tid}`, e.args?.name ?? "");
    const byThread = new Map<string, TraceEvent[]>();
    for (const e of evs) {
      const k = `${e.pid}:${e.tid}`;
      if (!byThread.has(k)) byThread.set(k, []);
      byThread.get(k)!.push(e);
    }
    console.log(
      `\nui-profile ${what}: ${(wall / 1000).toFixed(1)} s recorded, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`,
    );
    for (const [k, list] of byThread) {
      const name = threadName.get(k) ?? "";
      if (!/CrRendererMain|DedicatedWorker|Compositor$|VizCompositor|CrGpuMain/.test(name)) continue;
      const st = [...selfTimes(list)].sort((a, b) => b[1].cpu - a[1].cpu);
      const tasks = list.filter((e) => e.ph === "X" && e.name === "ThreadControllerImpl::RunTask");
      const frames = list.filter((e) => e.ph === "X" && e.name === "ProxyMain::BeginMainFrame");
      if (frames.length > 0) {
        const cpu = frames.map((e) => (e.tdur ?? 0) / 1000).sort((a, b) => a - b);
        const q = (p: number) => cpu[Math.min(cpu.length - 1, Math.floor(p * cpu.length))]!.toFixed(1);
        console.log(
          `\n${name}: ${frames.length} main frames, CPU per frame p50 ${q(0.5)} / p95 ${q(0.95)} / max ${q(0.999)} ms, total ${cpu.reduce((a, b) => a + b, 0).toFixed(0)} ms`,
        );
      }
      const busyCpu = tasks.reduce((s, e) => s + (e.tdur ?? 0), 0) / 1000;
      const busyWall = tasks.reduce((s, e) => s + (e.dur ?? 0), 0) / 1000;
      if (busyWall < 1) continue;
      console.log(`\n${name} (${k}): tasks ${busyWall.toFixed(0)} ms wall, ${busyCpu.toFixed(0)} ms CPU`);
      console.log("  self time by trace event (CPU ms / wall ms / count):");
      for (const [n, r] of st.slice(0, 18))
        if (r.cpu > 0.5 || r.wall > 2)
          console.log(
            `    ${(r.cpu / 1000).toFixed(1).padStart(8)} ${(r.wall / 1000).toFixed(1).padStart(8)} ${String(r.n).padStart(6)}  ${n}`,
          );
    }
    console.log("\nJavaScript self time, main thread (sampling profiler, ms):");
    const fs = profileSelf(profile);
    const total = fs.reduce((s, f) => s + f.ms, 0);
    console.log(`  total sampled ${total.toFixed(0)} ms`);
    for (const f of fs.slice(0, TOP)) console.log(`  ${f.ms.toFixed(1).padStart(8)}  ${f.name}`);
    console.log("\nReact components and app functions, inclusive time (ms):");
    const app = profileTotal(profile).filter(
      (f) =>
        /^[A-Z]\w* /.test(f.name) ||
        /^(paint|aggregate|draw|mark|outline|snapshot|handleMessage|write|encode)/.test(f.name),
    );
    for (const f of app.slice(0, TOP)) console.log(`  ${f.ms.toFixed(1).padStart(8)}  ${f.name}`);
    await browser.close();
  } finally {
    stop();
  }
}

await main();
