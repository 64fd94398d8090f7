/**
 * Compare-mode UI benchmark in real Chromium, run by `npm run bench:ui` after the single-view
 * benchmark (or alone: `tsx bench/compare.bench.ts [--no-build] [--seeks N] [--seconds N]`).
 * The commit's story (100 GiB) under fa41ba0d and 06201e00, side by side with the diff map on.
 * Absolute targets, as for the single view (ui.bench.ts):
 *
 *   load → both sides on screen (performance mark "zeropage-compare-interactive")        ≤ 3 s
 *   seek latency until both sides show the step, at every granularity               p95 ≤ 50 ms
 *   the same until the diff map (fetched after the views) shows too                  p95 ≤ 50 ms
 *   frame interval while scrubbing (a seek every frame), at every granularity       p95 ≤ 16.7 ms
 *
 * The compare view has no playback (its timeline steps and scrubs), so 8× playback is measured in
 * the single view only. Times are taken inside the page (performance.now()).
 */
import type { Page } from "@playwright/test";
import {
  buildUnlessAsked,
  idle,
  inPage,
  launch,
  ms,
  option,
  percentile,
  preview,
  printTable,
  type Row,
  targets,
} from "./ui-support.ts";

const args = process.argv.slice(2);
const SEEKS = Number(option(args, "--seeks", "30"));
const SCRUB_SECONDS = Number(option(args, "--seconds", "4"));
const COMPARE = "#v=1&preset=commit-06201e00&kernel=s390-fa41ba0d&g=table&compare=s390-06201e00";
const GRANULARITIES = [
  ["table", "page table"],
  ["pte", "PTE"],
  ["action", "action"],
] as const;

/** setTarget(el, v): sets a React-controlled input or select the way a user's drag or choice does. */
const SET_TARGET = `(el, v) => {
  const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, "value").set.call(el, String(v));
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }));
}`;

/**
 * Seeks through the compare view's slider and times the commit that shows the step: mode
 * "compare" waits for both sides, "compare-diff" also for the diff map.
 */
const TIMED_SEEK = `([mode, target]) => new Promise((resolve) => {
  const root = document.querySelector("[data-testid=compare-view]");
  const attr = mode === "compare" ? "data-compare-view-position" : "data-compare-diff-position";
  const t0 = performance.now();
  const done = () => {
    if (root.getAttribute(attr) !== String(target)) return;
    obs.disconnect();
    resolve(performance.now() - t0);
  };
  const obs = new MutationObserver(done);
  obs.observe(root, { attributes: true, attributeFilter: [attr] });
  (${SET_TARGET})(document.querySelector("[data-testid=compare-slider]"), target);
  done();
})`;

/** A seek every animation frame for `ms`, moving forward; resolves with the frame intervals. */
const SCRUB = `([ms, count]) => new Promise((resolve) => {
  const slider = document.querySelector("[data-testid=compare-slider]");
  const ts = [];
  const t0 = performance.now();
  let p = 0;
  const tick = (t) => {
    ts.push(t);
    p = (p + Math.max(1, Math.floor(count / 300))) % count;
    (${SET_TARGET})(slider, p);
    if (t - t0 < ms) requestAnimationFrame(tick);
    else resolve(ts.slice(1).map((x, i) => x - ts[i]));
  };
  requestAnimationFrame(tick);
})`;

/** Both sides and the diff map show the target step, with nothing in flight. */
async function settle(page: Page): Promise<void> {
  await idle(page, 180_000);
}

async function seekRun(
  page: Page,
  mode: "compare" | "compare-diff",
  steps: number,
  n: number,
  skip = 0,
): Promise<number[]> {
  const out: number[] = [];
  for (const p of targets(n + skip, steps).slice(skip)) {
    out.push((await page.evaluate(inPage(TIMED_SEEK, [mode, p]))) as number);
    await settle(page);
  }
  return out;
}

/** Chooses the compare view's granularity; resolves with its step count. */
async function granularity(page: Page, g: string): Promise<number> {
  await page.evaluate(
    `(${SET_TARGET})(document.querySelector('select[aria-label="Step granularity"]'), ${JSON.stringify(g)})`,
  );
  await settle(page);
  return Number(await page.getByTestId("compare-slider").getAttribute("max"));
}

async function main(): Promise<void> {
  buildUnlessAsked(args);
  const { url, stop } = await preview();
  try {
    const browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const rows: Row[] = [];
    console.log("bench:compare: loading the comparison…");
    const cmp = await context.newPage();
    await cmp.goto(`${url}${COMPARE}`);
    await cmp.waitForFunction(
      'performance.getEntriesByName("zeropage-compare-interactive").length > 0',
      null,
      {
        timeout: 180_000,
      },
    );
    const ready = (await cmp.evaluate(
      'performance.getEntriesByName("zeropage-compare-interactive")[0].startTime',
    )) as number;
    await settle(cmp);
    rows.push(["load → both sides on screen", ms(ready), "≤ 3000 ms", ready <= 3000]);
    for (const [g, name] of GRANULARITIES) {
      console.log(`bench:compare: ${name}: seeks and scrubbing…`);
      const steps = await granularity(cmp, g);
      const n = g === "action" ? Math.min(SEEKS, 20) : SEEKS;
      const seekCompare = await seekRun(cmp, "compare", steps, n);
      // Other targets (the same ones would be cached): until the diff map shows too.
      const seekDiff = await seekRun(cmp, "compare-diff", steps, n, n);
      const scrub = (await cmp.evaluate(inPage(SCRUB, [SCRUB_SECONDS * 1000, steps]))) as number[];
      await settle(cmp);
      const c95 = percentile(seekCompare, 95);
      const d95 = percentile(seekDiff, 95);
      const f95 = percentile(scrub, 95);
      rows.push([
        `${name}: seek until both sides show it, p50 / p95 (${seekCompare.length} seeks)`,
        `${ms(percentile(seekCompare, 50))} / ${ms(c95)}`,
        "p95 ≤ 50 ms",
        c95 <= 50,
      ]);
      rows.push([
        `${name}: seek until the diff map shows it too, p50 / p95 (${seekDiff.length} seeks)`,
        `${ms(percentile(seekDiff, 50))} / ${ms(d95)}`,
        "p95 ≤ 50 ms",
        d95 <= 50,
      ]);
      rows.push([
        `${name}: scrub frame interval p50 / p95 (${scrub.length} frames)`,
        `${ms(percentile(scrub, 50))} / ${ms(f95)}`,
        "p95 ≤ 16.7 ms",
        f95 <= 16.7,
      ]);
    }
    await cmp.close();
    const version = browser.version();
    await browser.close();
    printTable(
      `Zeropage Lab compare benchmark: commit-06201e00 (100 GiB), fa41ba0d vs 06201e00, Chromium ${version}`,
      rows,
    );
  } finally {
    stop();
  }
}

await main();
