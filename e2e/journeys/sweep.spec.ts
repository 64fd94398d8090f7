/**
 * The sweep: on the commit's story (100 GiB), the header's Sweep opens its dialog on the defaults
 * (the balloon from 0 to 100 % of guest RAM in 11 points, under the preset's first two kernels). A
 * first run is cancelled part way; the next runs to its end with the progress bar moving one point
 * at a time. The small multiples draw one line per kernel in each of the eight panels (final and
 * peak RssAnon and host memory, on the source and the destination) with the values the sweep
 * library gives in Node; the CSV and the SVG download; the link carries the sweep. A click on a
 * point opens that run (its balloon, its kernel) on the page table where ballooned memory is first
 * allocated, and Back returns to the sweep.
 */
import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { presetById } from "../../src/scenario/presets/index.ts";
import { sweepCsv } from "../../src/sweep/csv.ts";
import { runSweep } from "../../src/sweep/run.ts";
import { formatSpec, parseSpec } from "../../src/sweep/spec.ts";
import { formatBytesShort } from "../../src/ui/format.ts";
import { CONFIGS, GiB, Journey } from "../support.ts";

const PRESET = "commit-06201e00";
const KERNELS = ["s390-fa41ba0d", "s390-06201e00"] as const;
const SPEC_TEXT = `balloon~0%~100%~11~${KERNELS.join(".")}`;
const parsed = parseSpec(SPEC_TEXT);
if (!parsed.ok) throw new Error(parsed.error);
const SPEC = parsed.spec;
/** The 22 runs as the library makes them (what the page's second worker must give). */
const POINTS = [...runSweep(SPEC, presetById(PRESET)!.scenario)];
/** The point the journey opens: a balloon of 60 % under fa41ba0d. */
const OPEN = { valueIndex: 6, kernel: KERNELS[0] };

function dialog(page: Page) {
  return page.getByRole("dialog", { name: "Parameter sweep" });
}

/** Records every value the progress bar shows, in the page (a MutationObserver). */
async function recordProgress(page: Page): Promise<void> {
  await page.getByTestId("sweep-progress").evaluate((bar) => {
    const w = window as unknown as { __progress: number[] };
    w.__progress = [];
    new MutationObserver(() => w.__progress.push(Number(bar.getAttribute("value")))).observe(bar, {
      attributes: true,
      attributeFilter: ["value"],
    });
  });
}

async function progressSeen(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
}

async function shot(page: Page, name: string, slug: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: test.info().outputPath(`sweep-${name}-${slug}.png`) });
}

for (const config of [CONFIGS[0]!, CONFIGS[1]!]) {
  test.describe(config.slug, () => {
    test.use({ viewport: config.viewport, colorScheme: config.colorScheme });
    test("the sweep: balloon 0–100 % under two kernels, cancelled, run, exported, a point opened", async ({
      page,
    }) => {
      test.setTimeout(300_000);
      expect(POINTS).toHaveLength(22);
      expect(POINTS.every((p) => p.problem === "")).toBe(true);
      const j = await Journey.open(page, config, "sweep", `v=1&preset=${PRESET}`);

      await j.act(
        "Sweep: the dialog opens on the balloon, 0 to 100 % in 11 points, two kernels",
        () => page.getByRole("button", { name: "Sweep", exact: true }).click(),
        async () => {
          const d = dialog(page);
          await expect(d).toBeVisible();
          await expect(d.getByRole("combobox", { name: /^Parameter/ })).toHaveValue("balloon");
          await expect(d.getByLabel("From", { exact: true })).toHaveValue("0");
          await expect(d.getByLabel("To", { exact: true })).toHaveValue("100%");
          await expect(d.getByLabel("Points", { exact: true })).toHaveValue("11");
          const kernels = d.getByRole("group", { name: "Kernels (one line each)" });
          await expect(kernels.getByRole("checkbox", { checked: true })).toHaveCount(2);
          for (const k of KERNELS)
            await expect(kernels.getByRole("checkbox", { name: new RegExp(`· ${k}$`) })).toBeChecked();
          await expect(d.getByTestId("sweep-status")).toHaveText("Not run yet.");
        },
      );

      await j.act(
        "Run, then Cancel part way",
        async () => {
          const d = dialog(page);
          await recordProgress(page);
          await d.getByRole("button", { name: "Run the sweep" }).click();
          await expect(d.getByTestId("sweep-status")).toHaveAttribute("data-status", "running");
          await page.waitForFunction(
            () => (window as unknown as { __progress: number[] }).__progress.some((v) => v >= 2),
            null,
            { timeout: 60_000 },
          );
          await d.getByRole("button", { name: "Cancel" }).click();
        },
        async () => {
          const status = dialog(page).getByTestId("sweep-status");
          await expect(status).toHaveAttribute("data-status", "cancelled");
          await expect(status).toContainText("cancelled");
          const done = Number(await dialog(page).getByTestId("sweep-progress").getAttribute("value"));
          expect(done).toBeGreaterThanOrEqual(2);
          expect(done).toBeLessThan(22);
          await expect(dialog(page).getByRole("button", { name: "Cancel" })).toBeDisabled();
        },
      );

      await j.act(
        "Run the sweep again: the bar moves one point at a time to 22 of 22",
        async () => {
          const d = dialog(page);
          await recordProgress(page);
          await d.getByRole("button", { name: "Run the sweep" }).click();
          await page.waitForFunction(
            () => (window as unknown as { __progress: number[] }).__progress.some((v) => v >= 5),
            null,
            { timeout: 60_000 },
          );
          await shot(page, "running", config.slug);
          await expect(d.getByTestId("sweep-status")).toHaveAttribute("data-status", "done", {
            timeout: 180_000,
          });
        },
        async () => {
          const d = dialog(page);
          await expect(d.getByTestId("sweep-status")).toContainText("22 of 22 runs");
          const seen = await progressSeen(page);
          // Every point moved the bar: 0 at the start, then 1, 2, … 22.
          expect([...new Set(seen)].filter((v) => v > 0)).toEqual(
            Array.from({ length: 22 }, (_, i) => i + 1),
          );
          await expect(page).toHaveURL(new RegExp(`[#&]sweep=${encodeURIComponent(formatSpec(SPEC))}(&|$)`));
        },
      );
      await shot(page, "done", config.slug);

      await j.act(
        "the small multiples: eight panels, one line of 11 points per kernel, the library's values",
        async () => {
          await dialog(page).getByText("Every point, as a table").click();
        },
        async () => {
          const chart = dialog(page).getByTestId("sweep-multiples");
          await expect(chart.locator("[data-panel]")).toHaveCount(8);
          for (const k of KERNELS)
            await expect(chart.locator(`[data-panel] [data-kernel="${k}"] circle`)).toHaveCount(8 * 11);
          const rows = dialog(page).getByTestId("sweep-table").locator("tbody tr");
          await expect(rows).toHaveCount(22);
          for (const [i, p] of POINTS.entries()) {
            const cells = rows.nth(i).locator("td");
            await expect(cells.nth(1)).toHaveText(p.kernel);
            await expect(cells.nth(3)).toHaveText(formatBytesShort(p.values.rssAnonFinal.source!));
            await expect(cells.nth(4)).toHaveText(formatBytesShort(p.values.rssAnonFinal.destination!));
          }
        },
      );

      await j.act("Download CSV: the library's CSV of the 22 points", async () => {
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          dialog(page).getByRole("button", { name: "Download CSV" }).click(),
        ]);
        expect(download.suggestedFilename()).toMatch(/^sweep-.*-balloon\.csv$/);
        expect(readFileSync((await download.path())!, "utf8")).toBe(sweepCsv(POINTS));
      });

      await j.act("Download SVG: the chart on its own", async () => {
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          dialog(page).getByRole("button", { name: "Download SVG" }).click(),
        ]);
        const svg = readFileSync((await download.path())!, "utf8");
        expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
        expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
        expect(svg.match(/data-panel="/g)).toHaveLength(8);
        expect(svg.match(/<circle /g)).toHaveLength(8 * 22);
      });

      const point = POINTS[OPEN.valueIndex * KERNELS.length + KERNELS.indexOf(OPEN.kernel)]!;
      expect(point.value).toBe(60 * GiB);
      expect(point.relevantLabel).toBe("the first allocation of ballooned memory");
      await j.act(
        "click the 60 % point of fa41ba0d: its run opens at the first allocation of ballooned memory",
        async () => {
          await dialog(page)
            .getByTestId("sweep-multiples")
            .locator(
              `[data-panel="rssAnonFinal-destination"] circle[data-point="${OPEN.valueIndex}-${OPEN.kernel}"]`,
            )
            .click();
          await expect(dialog(page)).toHaveCount(0);
        },
        async () => {
          await expect(page.getByLabel("Kernel variant", { exact: true })).toHaveValue(OPEN.kernel);
          await expect(page.getByRole("radio", { name: "Page table" })).toBeChecked();
          await expect(page.getByTestId("narration")).toHaveAttribute(
            "data-event",
            String(point.relevantEvent),
          );
          await expect(page.getByTestId("narration")).toContainText("in action 4: precopy migration");
          // The step itself allocates: its table's empty PTEs get pages of their own.
          await expect(page.getByTestId("narration")).toContainText("none → anon r/w, zero");
          await expect(page.getByTestId("narration")).toContainText(
            "read fault allocates a zeroed anonymous page",
          );
          await expect(page).not.toHaveURL(/[#&]sweep=/);
        },
      );
      await shot(page, "point", config.slug);

      await j.act(
        "Back: the sweep again, at once",
        () => page.goBack(),
        async () => {
          await expect(dialog(page)).toBeVisible();
          await expect(dialog(page).getByTestId("sweep-status")).toHaveAttribute("data-status", "done");
          await expect(dialog(page).getByTestId("sweep-status")).toContainText("22 of 22 runs");
          await expect(page.getByLabel("Scenario preset", { exact: true })).toHaveValue(PRESET);
        },
      );
    });
  });
}
