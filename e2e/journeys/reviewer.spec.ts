/**
 * The reviewer: compares fa41ba0d with 06201e00 on the commit's story, walks the divergences at
 * each granularity, looks at the balloon step, copies the delta table and exports the view (SVG,
 * PNG) and the summary; then, back in the single view, follows one page's PTE history, and
 * changes the balloon in the editor and runs it.
 *
 * The bugs this journey holds (each step fails without its fix):
 *   3  "First divergence" at action granularity puts the cursor, the maps and the LEFT/RIGHT lines
 *      on the step where the runs part
 *   5  the delta table: zeropage PTEs as a count, coloured as a gain (UI and copied text)
 *   6  compare at the balloon step: no ink over the maps' cells (dashes around 40,000 cells)
 *   9  following a page moves the Page table view to its table; the history shows several events
 *  10  the editor names problems in the form's words; the derived title follows the balloon
 *
 * It also holds what compare.spec.ts's first two tests checked before it: the first divergence's
 * text and deciding check, 40 GiB less RssAnon on both hosts, the diff map at the first
 * divergence, and the divergence buttons moving the shared cursor.
 */
import { readFileSync } from "node:fs";
import { expect, type Page } from "@playwright/test";
import { canvasColours, chooseWithMouse, counter, GiB, type Journey, journey } from "../support.ts";

const FIRST_LEFT = "read fault allocates a zeroed anonymous page (zeropage forbidden)";
const FIRST_TEXT =
  "the source's read fault (precopy migration) allocates a zeroed anonymous page (zeropage forbidden) on the left but maps the shared zeropage on the right (mm_forbids_zeropage)";
const FIRST_RIGHT = "read fault maps the shared zeropage";
const DIVERGENCES = 96;

function count(page: Page) {
  return page.getByTestId("divergence-count");
}

function granularity(page: Page) {
  return page.getByLabel("Step granularity");
}

async function comparePosition(page: Page): Promise<number> {
  return Number(await page.getByTestId("compare-view").getAttribute("data-compare-position"));
}

/**
 * Next divergence `n` times from divergence `from` (1-based), the first with the mouse and the
 * rest with Enter on the focused button: after each press, the counter names
 * the next one, the shared cursor moved forward, and nothing failed. One wait per press, in the
 * page: a walk of 95 divergences is 95 round trips, not 500.
 */
async function walkNext(j: Journey, from: number, n: number): Promise<void> {
  const page = j.page;
  const next = page.getByRole("button", { name: "Next divergence ▶" });
  let last = await comparePosition(page);
  for (let k = from + 1; k <= from + n; k++) {
    // The first press with the mouse; then Enter on the button, which keeps the focus.
    if (k === from + 1) await next.click();
    else await page.keyboard.press("Enter");
    const p = await page.waitForFunction(
      ([text, before]) => {
        const cmp = document.querySelector("[data-testid=compare-view]");
        if (!cmp || document.querySelector("[data-testid=divergence-count]")?.textContent !== text)
          return false;
        const a = (n: string) => cmp.getAttribute(n);
        const at = a("data-compare-position");
        const settled =
          a("data-compare-status") === "ready" &&
          at === a("data-compare-view-position") &&
          at === a("data-compare-diff-position");
        return settled && Number(at) > before ? Number(at) : false;
      },
      [`divergence ${k} of ${DIVERGENCES}`, last] as const,
      { timeout: 60_000, polling: "raf" },
    );
    last = (await p.jsonValue()) as number;
    await j.check(`next divergence (${k})`);
  }
}

/** Dark ink (the step marks' colour) over the cells of a compare map: the share of the cell area. */
async function inkOverCells(page: Page, testId: string, dark: boolean): Promise<number> {
  const canvas = page.getByTestId(testId).locator("canvas");
  const box = (await canvas.boundingBox())!;
  const gutter = 52;
  const colours = await canvasColours(canvas, {
    x: gutter,
    y: 0,
    width: box.width - gutter,
    height: box.height,
  });
  const total = [...colours.values()].reduce((a, b) => a + b, 0);
  const ink = colours.get(dark ? "#ffffff" : "#111111") ?? 0;
  return ink / total;
}

journey(
  "reviewer: compare fa41ba0d with 06201e00, divergences, delta, exports, a PTE's history, the editor",
  async (open) => {
    const j = await open();
    const page = j.page;
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    const dark = j.config.colorScheme === "dark";
    // The story opens at step 0 (the guided story): the reviewer starts from its end.
    await j.act(
      "press End",
      () => page.keyboard.press("End"),
      async () => expect(await j.position).toBe(4),
    );

    await j.act(
      "choose 'Compare with' s390-06201e00 with the mouse",
      async () => {
        await chooseWithMouse(page.getByLabel("Compare this run with"), "s390-06201e00");
      },
      async () => {
        await expect(page.getByTestId("side-label-left")).toContainText("s390-fa41ba0d");
        await expect(page.getByTestId("side-label-right")).toContainText("s390-06201e00");
        await expect(granularity(page)).toHaveValue("action");
        await expect(count(page)).toHaveText(
          `${DIVERGENCES} of ${DIVERGENCES} divergences before this point`,
        );
        await expect(page.getByTestId("first-divergence")).toContainText(FIRST_TEXT);
        await expect(page.getByTestId("first-divergence")).toContainText(
          "mm_forbids_zeropage() is true on the left",
        );
        for (const mm of ["source", "destination"]) {
          const row = page.locator(
            `[data-testid=delta-table] tr[data-mm="${mm}"][data-counter="rssAnonBytes"]`,
          );
          await expect(row).toHaveAttribute("data-final-diff", String(-40 * GiB));
        }
      },
    );

    // Action granularity: the first divergence is a step inside action 4. Going there steps by page
    // table and puts everything on it (before the fix nothing moved: the run's end stayed).
    await j.act(
      "First divergence, stepping by scenario action",
      () => page.getByRole("button", { name: "First divergence" }).click(),
      async () => {
        await expect(granularity(page)).toHaveValue("table");
        await expect(count(page)).toHaveText(`divergence 1 of ${DIVERGENCES}`);
        const step = Number(await page.getByTestId("first-divergence").getAttribute("data-step"));
        expect(await comparePosition(page)).toBe(step);
        await expect(page.getByTestId("side-step-left")).toContainText(FIRST_LEFT);
        await expect(page.getByTestId("side-step-right")).toContainText(FIRST_RIGHT);
        await expect(page.getByRole("button", { name: "◀ Previous divergence" })).toBeDisabled();
        // Only the source differs, in the table the read just reached; that table is selected.
        const summary = page.getByTestId("diff-summary");
        await expect(summary.locator("[data-mm=source]")).not.toHaveAttribute("data-differing", "0");
        await expect(summary.locator("[data-mm=destination]")).toHaveAttribute("data-differing", "0");
        await expect(page.getByTestId("compare-selected-table")).toContainText(
          /source page table [\d,]+ · [1-9]\d* of 256 PTEs differ/,
        );
      },
    );
    await j.frame("first-divergence");

    // Page-table granularity: every divergence in the first configuration, a sample in the others.
    const walk = j.full ? DIVERGENCES - 1 : 3;
    await walkNext(j, 1, walk);
    if (j.full) await expect(page.getByRole("button", { name: "Next divergence ▶" })).toBeDisabled();
    await j.act(
      "previous divergence",
      () => page.getByRole("button", { name: "◀ Previous divergence" }).click(),
      async () => {
        await expect(count(page)).toHaveText(`divergence ${walk} of ${DIVERGENCES}`);
      },
    );

    // PTE granularity: every divergence in the second configuration.
    await j.act(
      "step by PTE",
      () => granularity(page).selectOption("pte"),
      async () => {
        await expect(granularity(page)).toHaveValue("pte");
      },
    );
    await j.act(
      "First divergence, stepping by PTE",
      () => page.getByRole("button", { name: "First divergence" }).click(),
      async () => {
        await expect(granularity(page)).toHaveValue("pte");
        await expect(count(page)).toHaveText(`divergence 1 of ${DIVERGENCES}`);
        await expect(page.getByTestId("side-step-left")).toContainText("read fault");
      },
    );
    await walkNext(j, 1, j.config.slug === "1280x720-dark" ? DIVERGENCES - 1 : 2);

    // The balloon step, stepping by action: the maps show the step's marks in the margin only.
    await j.act(
      "step by scenario action",
      () => granularity(page).selectOption("action"),
      async () => {
        await expect(granularity(page)).toHaveValue("action");
      },
    );
    await j.act(
      "go to the start",
      () => page.getByRole("button", { name: "Go to the start" }).click(),
      async () => {
        expect(await comparePosition(page)).toBe(0);
      },
    );
    for (let k = 1; k <= 3; k++)
      await j.act(
        `next aligned step (${k})`,
        () => page.getByRole("button", { name: "Next aligned step" }).click(),
        async () => {
          expect(await comparePosition(page)).toBe(k);
        },
      );
    await expect(page.getByTestId("side-step-left")).toContainText("MADV_DONTNEED");
    for (const side of ["left", "right"])
      expect(
        await inkOverCells(page, `compare-map-${side}-source`, dark),
        `ink over the ${side} source map's cells`,
      ).toBeLessThan(0.002);
    await j.frame("balloon-step", page.getByTestId("compare-maps"));

    // The delta table: zeropage PTEs are a count of pages that cost nothing, shown as a gain.
    for (const mm of ["source", "destination"]) {
      const row = page.locator(`[data-testid=delta-table] tr[data-mm="${mm}"][data-counter="zeropagePtes"]`);
      await expect(row.locator("td").nth(3)).toHaveText("+10,485,760");
      await expect(row.locator("td").nth(3)).toHaveClass("cmp-gain");
      const rss = page.locator(`[data-testid=delta-table] tr[data-mm="${mm}"][data-counter="rssAnonBytes"]`);
      await expect(rss.locator("td").nth(3)).toHaveText("-40 GiB");
      await expect(rss.locator("td").nth(3)).toHaveClass("cmp-gain");
    }
    await j.act(
      "copy the delta table",
      () => page.getByTestId("copy-delta").click(),
      async () => {
        await expect(page.locator(".cmp-delta")).toContainText("copied");
        const text = await page.evaluate(() => navigator.clipboard.readText());
        expect(text).toContain("left:  s390-fa41ba0d");
        expect(text).toMatch(/^source\s+zeropage PTEs\s+0\s+10,485,760\s+\+10,485,760\s+new/m);
        expect(text).toMatch(/^source\s+RssAnon\s+100 GiB\s+60 GiB\s+-40 GiB\s+-40\.0%/m);
        expect(text).not.toMatch(/zeropage PTEs.*GiB/);
        expect(text).toContain("compare=s390-06201e00");
      },
    );

    // Exports: the view as SVG and PNG, and the summary.
    await j.act(
      "open Export",
      () => page.getByRole("button", { name: "Export" }).click(),
      async () => {
        await expect(page.getByTestId("export-menu")).toBeVisible();
      },
    );
    const save = async (button: string) => {
      const [dl] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: button }).click(),
      ]);
      return { name: dl.suggestedFilename(), bytes: readFileSync((await dl.path())!) };
    };
    await j.act("export the current view as SVG", async () => {
      const svg = await save("Current view (SVG)");
      expect(svg.name).toMatch(/-s390-fa41ba0d-view-step-3\.svg$/);
      const text = svg.bytes.toString("utf8");
      const parsed = await page.evaluate((t) => {
        const doc = new DOMParser().parseFromString(t, "image/svg+xml");
        return doc.querySelector("parsererror") ? null : doc.querySelectorAll("g[data-mm]").length;
      }, text);
      expect(parsed).toBe(2);
    });
    await j.act("export the current view as PNG", async () => {
      const png = await save("Current view (PNG)");
      expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.bytes.length).toBeGreaterThan(20_000);
    });
    await j.act(
      "show the plain-text summary",
      () => page.getByRole("button", { name: "Plain-text summary" }).click(),
      async () => {
        const summary = await page.getByTestId("summary-text").inputValue();
        expect(summary).toContain("Kernel:  B s390-fa41ba0d");
        expect(summary).toMatch(/^RssAnon\s+100 GiB\s+100 GiB\s+100 GiB\s+100 GiB$/m);
        expect(summary).toContain("compare=s390-06201e00");
      },
    );
    await j.act(
      "close Export with Escape",
      () => page.keyboard.press("Escape"),
      async () => {
        await expect(page.locator("dialog[open]")).toHaveCount(0);
      },
    );

    // Back to the single view: follow one page, the first ballooned one on the source.
    await j.act(
      "leave compare",
      () => page.getByTestId("leave-compare").click(),
      async () => {
        await expect(page.getByTestId("compare-view")).toHaveCount(0);
        expect(await j.position).toBe(3);
      },
    );
    await j.act(
      "press End",
      () => page.keyboard.press("End"),
      async () => expect(await j.position).toBe(4),
    );
    // Another page table first (a click low on the source map), so that following the page has to
    // move the table view (it stayed on the table selected before).
    await j.act(
      "click a cell low on the source map",
      async () => {
        const canvas = page.getByTestId("map-source").locator("canvas").first();
        const box = (await canvas.boundingBox())!;
        await canvas.click({ position: { x: box.width * 0.8, y: box.height * 0.9 } });
      },
      async () => {
        await expect(page.locator("#view-table h2")).toContainText("source host, page table");
        await expect(page.locator("#view-table h2")).not.toContainText("page table 432 ");
      },
    );
    await j.act(
      "follow guest page 110,673",
      async () => {
        await page.getByPlaceholder("guest page").fill("110673");
        await page.getByRole("button", { name: "Follow", exact: true }).click();
      },
      async () => {
        const history = page.getByTestId("pte-history");
        await expect(history).toContainText("guest page 110,673 · page table 432, PTE 81");
        await expect(page.locator("#view-table")).toContainText("source host, page table 432");
        // Several events in view at once, not one.
        const items = history.locator(".history li");
        await expect(items).not.toHaveCount(0);
        const panel = page.locator(".panel.history-panel");
        const inView = await items.evaluateAll(
          (lis, p) => {
            const r = (p as Element).getBoundingClientRect();
            return lis.filter((li) => {
              const b = li.getBoundingClientRect();
              return b.top >= r.top - 1 && b.bottom <= r.bottom + 1;
            }).length;
          },
          await panel.elementHandle(),
        );
        expect(inView, "history events fully in view").toBeGreaterThanOrEqual(3);
      },
    );
    await j.act(
      "open the Page table section",
      () =>
        page
          .getByRole("navigation", { name: "Memory views" })
          .getByRole("button", { name: "Page table" })
          .click(),
      async () => {
        await expect(page.locator("#view-table")).toBeInViewport({ ratio: 0.2 });
      },
    );
    await j.frame("pte-history", page.locator(".layout"));

    // The editor: a problem named in the form's words, then a balloon of 20 GiB, run.
    await j.act(
      "open the editor",
      () => page.getByRole("button", { name: "Edit" }).click(),
      async () => {
        await expect(page.locator("#ed-title")).toHaveValue(
          "100 GiB guest, 40 GiB ballooned, precopy migration",
        );
      },
    );
    const size = page.locator("#ed-actions-1-size");
    await j.act(
      "type a size the schema refuses",
      () => size.fill("20 gigs"),
      async () => {
        await expect(page.getByTestId("editor-issues")).toContainText("Action 2 · size:");
        await expect(page.getByTestId("editor-issues")).not.toContainText("actions[1]");
      },
    );
    await j.act(
      "type 20GiB",
      () => size.fill("20GiB"),
      async () => {
        await expect(page.getByTestId("editor-issues")).toHaveCount(0);
        await expect(page.locator("#ed-title")).toHaveValue(
          "100 GiB guest, 20 GiB ballooned, precopy migration",
        );
      },
    );
    await j.act(
      "run it and close the editor",
      async () => {
        const run = page.getByRole("button", { name: "Run this scenario" });
        if (await run.isEnabled()) await run.click();
        await expect(page.locator(".zl-status")).toHaveText("shown", { timeout: 30_000 });
        await page.keyboard.press("Escape");
      },
      async () => {
        await expect(page.getByLabel("Scenario preset", { exact: true })).toHaveValue("");
        await expect(page.getByTestId("balloon")).toHaveAttribute(
          "data-balloon-pages",
          String((20 * GiB) / 4096),
        );
        expect(await counter(page, "rssAnonBytes", "source")).toBe(100 * GiB);
      },
    );
  },
);
