/**
 * The memory views in real Chromium: the host memory maps (one per mm), zooming into a page table
 * with its PTE grid and zeropage fan-in, the balloon, and the migration; and screenshots of the
 * commit story's key moments (start, after the inflate, mid-migration, end) and of a zoomed table
 * with its fan-in, under test-results/maps-*.png, for a person to look at.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { defaultLinkState, encodeLink } from "../src/permalink/index.ts";
import { type Hook, idle, painted } from "./support.ts";

async function open(page: Page, hash = ""): Promise<void> {
  await page.goto(hash ? `/#${hash}` : "/");
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  await painted(page);
}

async function seek(page: Page, position: number): Promise<void> {
  await page.evaluate((p) => (window as unknown as Hook).__zeropage?.seek(p), position);
  await painted(page);
}

/** "median 1.2, max 4.0 (…)" for the log: wall-clock times on a shared machine are noisy. */
function describeTimes(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${median}, max ${sorted[sorted.length - 1]} (${times.join(", ")})`;
}

/** "absent:102400,none:0,…": tables per class on one map. */
async function summary(page: Page, mm: string): Promise<Record<string, number>> {
  const s = (await page.getByTestId(`map-summary-${mm}`).getAttribute("data-summary")) ?? "";
  return Object.fromEntries(s.split(",").map((kv) => [kv.split(":")[0]!, Number(kv.split(":")[1])]));
}

/** Clicks the cell holding table `table` on a map (the canvas publishes its geometry). */
async function clickTable(page: Page, mm: string, table: number): Promise<void> {
  const canvas = page.locator(`[data-testid=map-${mm}] canvas.map-canvas`);
  const g = await canvas.evaluate((el: HTMLCanvasElement) => ({
    perCell: Number(el.dataset.tablesPerCell),
    columns: Number(el.dataset.columns),
    first: Number(el.dataset.firstTable),
    pitch: Number(el.dataset.cssPitch),
    gutter: Number(el.dataset.cssGutter),
  }));
  const cell = Math.floor((table - g.first) / g.perCell);
  const row = Math.floor(cell / g.columns);
  const col = cell % g.columns;
  await canvas.click({ position: { x: g.gutter + (col + 0.5) * g.pitch, y: (row + 0.5) * g.pitch } });
}

test("the default scenario shows both host maps; stepping changes them", async ({ page }) => {
  await open(page);
  await expect(page.getByTestId("map-source")).toBeVisible();
  await expect(page.getByTestId("map-destination")).toBeVisible();
  await expect(page.getByRole("application", { name: "source host memory map" })).toBeVisible();
  // 100 GiB on s390: one cell per 1 MiB page table, 102,400 of them.
  await expect(page.locator("[data-testid=map-source] canvas.map-canvas")).toHaveAttribute(
    "data-cells",
    "102400",
  );
  await expect(page.getByTestId("map-scale")).toContainText("One cell = 1 page table = 256 PTEs");

  // The start: no page table anywhere.
  await page.keyboard.press("Home");
  await painted(page);
  expect((await summary(page, "source")).absent).toBe(102_400);
  // After "guest allocates 100 GiB and writes data": every table holds data.
  await seek(page, 2);
  expect((await summary(page, "source"))["anon-data"]).toBe(102_400);
  // After the inflate: 40 GiB of tables are discarded to "PTEs empty" on the source.
  await seek(page, 3);
  const inflated = await summary(page, "source");
  expect(inflated.none).toBeGreaterThan(40_000);
  expect((await summary(page, "destination")).absent).toBe(102_400);
  await expect(page.getByTestId("balloon")).toHaveAttribute("data-balloon-pages", String(10_485_760));
  const canvas = page.locator("[data-testid=map-source] canvas.map-canvas");
  const times: number[] = [];
  for (const p of [2, 3, 4, 3, 4, 2, 3, 4, 3, 4, 2, 3]) {
    await seek(page, p);
    times.push(Number(await canvas.getAttribute("data-draw-ms")));
  }
  console.log(`100 GiB map redraw (ms): ${describeTimes(times)}`);
});

test("clicking a cell opens its page table: 256 PTEs and the zeropage fan-in", async ({ page }) => {
  await open(page, "preset=commit-06201e00&kernel=s390-06201e00");
  await expect(page.getByTestId("table-detail-empty")).toBeVisible();
  await clickTable(page, "source", 40_000);
  await painted(page);
  const detail = page.getByTestId("table-detail");
  await expect(detail).toBeVisible();
  await expect(detail).toHaveAttribute("data-ptes", "256");
  await expect(detail).toHaveAttribute("data-mm", "0");
  // One CSS px per cell here: the click lands on that table or a neighbour.
  const table = Number(await detail.getAttribute("data-table"));
  expect(Math.abs(table - 40_000)).toBeLessThanOrEqual(513);
  const fan = page.getByTestId("fan-in");
  await expect(fan).toBeVisible();
  await expect(fan.locator("[data-slot]")).toHaveCount(256);
  await expect(fan).toContainText("shared zeropage");
  await expect(detail).toContainText("4 KiB of host memory");
  await expect(detail).toContainText("VmPTE counts 2 KiB");
});

test("the maps' zoom is part of the link: a fresh page opens at the same zoom and place", async ({
  page,
  context,
}) => {
  await open(page, "v=1&preset=commit-06201e00&kernel=s390-06201e00&g=action&step=3");
  const canvas = page.locator("[data-testid=map-source] canvas.map-canvas");
  await clickTable(page, "source", 70_000);
  await painted(page);
  const zoomIn = page.getByRole("button", { name: "Zoom the maps in around the selected page table" });
  const hash = () => page.evaluate(() => location.hash);
  await zoomIn.click();
  await painted(page);
  // The URL follows (replaceState, within the sync's delay): the first zoom's link, then the
  // second's. Waiting for a zoom in the link is not enough: the first one's may still be there.
  await expect.poll(hash).toMatch(/&zoom=[\d.]+&at=\d+/);
  const once = await hash();
  await zoomIn.click();
  await painted(page);
  const scale = (await page.getByTestId("map-scale").textContent()) ?? "";
  expect(scale).toContain("Zoomed:");
  const first = await canvas.getAttribute("data-first-table");
  expect(Number(first)).toBeGreaterThan(0);
  await expect.poll(hash).toMatch(new RegExp(`&zoom=[\\d.]+&at=${first}(&|$)`));
  expect(await hash()).not.toBe(once);
  const url = page.url();

  const fresh = await context.newPage();
  await open(fresh, url.slice(url.indexOf("#") + 1));
  await expect(fresh.getByTestId("map-scale")).toHaveText(scale);
  await expect(fresh.locator("[data-testid=map-source] canvas.map-canvas")).toHaveAttribute(
    "data-first-table",
    first ?? "",
  );

  // Back to the whole RAM: the link drops its zoom.
  await fresh.getByRole("button", { name: "Whole RAM" }).click();
  await expect(fresh.getByTestId("map-scale")).toContainText("All guest RAM");
  await expect.poll(() => fresh.evaluate(() => location.hash)).not.toMatch(/zoom=|at=/);
});

test("teaching-small: zoom into a table with the keyboard and read individual PTE states", async ({
  page,
}) => {
  await open(page, "preset=teaching-small");
  // 64 MiB = 64 page tables: big cells, one table each.
  await expect(page.locator("[data-testid=map-source] canvas.map-canvas")).toHaveAttribute(
    "data-cells",
    "64",
  );
  const map = page.getByRole("application", { name: "source host memory map" });
  await map.focus();
  // Arrow keys move the selected table; the page's own step keys do not fire.
  const before = await page.locator(".app").getAttribute("data-view-position");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowDown");
  await painted(page);
  expect(await page.locator(".app").getAttribute("data-view-position")).toBe(before);
  await expect(page.getByTestId("table-detail")).toHaveAttribute("data-table", "17");
  // Enter zooms: the cells are already as big as they get, so the focus moves into the PTEs.
  await page.keyboard.press("Enter");
  const grid = page.locator("#pte-grid");
  await expect(grid).toBeFocused();
  const states = await page
    .locator("[data-testid=fan-in] [data-slot]")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
  expect(states).toHaveLength(256);
  expect(new Set(states).size).toBeGreaterThanOrEqual(1);
  for (const s of states) expect(s).toMatch(/^(none|zero|zero_uffd|zero_ksm|anon_(ro|rw)_(zero|data)|ksm)$/);
  // Arrow keys pick a PTE, which the store keeps for its history.
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("pte-selected")).toContainText("PTE 1 (guest page 4,353");
  // Escape goes back to the map.
  await page.keyboard.press("Escape");
  await expect(map).toBeFocused();
});

test("teaching-small: following the step at PTE granularity shows the table being walked", async ({
  page,
}) => {
  await open(page, "preset=teaching-small");
  await page.getByLabel(/^Follow the step/).check();
  await page.locator("body").click({ position: { x: 2, y: 2 } });
  await page.keyboard.press("]");
  await page.keyboard.press("]");
  await painted(page);
  // A few hundred PTE steps in: the guest is writing its memory, page by page.
  await seek(page, 300);
  const detail = page.getByTestId("table-detail");
  await expect(detail).toBeVisible();
  await expect(page.getByTestId("fan-in").locator(".zl-active-ring")).toHaveCount(1);
  const table = Number(await detail.getAttribute("data-table"));
  await seek(page, 301);
  // The next PTE step touches the next page: the same table or the one after it.
  await expect(page.getByTestId("fan-in").locator(".zl-active-ring")).toHaveCount(1);
  expect(Number(await detail.getAttribute("data-table")) - table).toBeLessThanOrEqual(1);
});

test("a step that unshares zeropages shows the PTEs leaving the shared frame", async ({ page }) => {
  // ksm-zero-pages (06201e00): KSM placed zeropages (use_zero_pages), then the guest's first
  // storage-key instruction unshares them: their PTEs move to frames of their own.
  await open(page, "preset=ksm-zero-pages");
  await seek(page, 4);
  await clickTable(page, "source", 2);
  await painted(page);
  await expect(page.getByTestId("table-detail")).toHaveAttribute("data-table", "2");
  const fan = page.getByTestId("fan-in");
  const placed = await fan.locator('[data-state="zero_ksm"]').count();
  expect(placed).toBeGreaterThan(0);
  await seek(page, 5);
  await expect(fan.locator('[data-state="zero_ksm"]')).toHaveCount(0);
  await expect(page.getByTestId("pte-changed")).toContainText(`${placed} PTEs`);
  await expect(page.getByTestId("pte-changed")).toContainText("left a shared frame for a frame of their own");
  // Ghost bands show where those PTEs pointed before: into the shared zeropage, one per grid row.
  const ghosts = await fan
    .locator(".zl-ghost")
    .evaluateAll((els) => els.reduce((n, e) => n + Number(e.getAttribute("data-count")), 0));
  expect(ghosts).toBe(placed);
  await expect(fan.locator(".zl-frame-own.zl-new")).toHaveCount(placed);
  // An arrow leaves the shared zeropage for each new frame, whole at once under reduced motion.
  const arrows = page.getByTestId("unshare-arrows");
  await expect(arrows).toHaveAttribute("data-count", String(placed));
  await expect(arrows.locator(".zl-unshare-zeropage")).toHaveCount(placed);
  const drawn = await arrows
    .locator(".zl-unshare-path")
    .first()
    .evaluate((el) => ({
      offset: getComputedStyle(el).strokeDashoffset,
      animation: getComputedStyle(el).animationName,
    }));
  expect(drawn).toEqual({ offset: "0px", animation: "none" });
  // Back one step: nothing left the zeropage going backwards.
  await seek(page, 4);
  await expect(fan.locator(".zl-ghost")).toHaveCount(0);
  await expect(arrows).toHaveAttribute("data-count", "0");
});

test("with motion, an unshare arrow draws along its length: its dash offset runs from 1 to 0", async ({
  browser,
}) => {
  const page = await browser.newPage({ reducedMotion: "no-preference" });
  await open(page, "preset=ksm-zero-pages");
  await seek(page, 4);
  await clickTable(page, "source", 2);
  await painted(page);
  await seek(page, 5);
  const path = page.getByTestId("unshare-arrows").locator(".zl-unshare-path").first();
  expect(await path.evaluate((el) => getComputedStyle(el).animationName)).toBe("zl-draw");
  // After the draw (0.7 s plus the stagger), the arrow is whole.
  await expect
    .poll(() => path.evaluate((el) => Number.parseFloat(getComputedStyle(el).strokeDashoffset)), {
      timeout: 5_000,
    })
    .toBe(0);
  await page.close();
});

test("the legend gives each class's size in bytes and in pages", async ({ page }) => {
  await open(page, "preset=commit-06201e00&kernel=s390-06201e00");
  await seek(page, 3);
  // After the inflate, 40 GiB of the source's tables hold empty PTEs: 40,960 tables × 256 pages.
  const row = page.locator(".zl-legend-table tbody tr").filter({ hasText: "table, PTEs empty" });
  const cell = row.locator("td").first();
  const pages = Number(await cell.getAttribute("data-pages"));
  const tables = (await summary(page, "source")).none!;
  expect(pages).toBe(tables * 256);
  await expect(cell).toContainText(`${pages.toLocaleString("en-US")} pages`);
  await expect(cell).toContainText("GiB");
});

test("x86_64: zooming into a table shows its 512 PTEs", async ({ page }) => {
  await open(page, "preset=commit-06201e00&kernel=x86_64");
  await expect(page.getByTestId("map-scale")).toContainText("512 PTEs");
  await clickTable(page, "source", 1_000);
  await painted(page);
  const detail = page.getByTestId("table-detail");
  await expect(detail).toHaveAttribute("data-ptes", "512");
  await expect(page.getByTestId("fan-in").locator("[data-slot]")).toHaveCount(512);
  await expect(detail).toContainText("512 PTEs × 8 B");
});

test("migration: the mode, zero-page detection and QEMU's counters", async ({ page }) => {
  await open(page);
  // The story opens at its start (the guided story); the migration has run at its end.
  await page.keyboard.press("End");
  await idle(page);
  const mig = page.getByTestId("migration");
  await expect(page.getByTestId("mig-mode")).toHaveText("precopy");
  await expect(mig).toContainText("zero-page detection: legacy");
  await expect(page.getByTestId("mig-phase")).toHaveText("completed");
  // 40 GiB of zero pages went as ram.duplicate, 60 GiB as ram.normal.
  await expect(mig).toHaveAttribute("data-duplicate", String(10_485_760));
  await expect(mig).toHaveAttribute("data-normal", String(15_728_640));
  await expect(page.getByTestId("mig-counters")).toContainText("ram.transferred");
  await expect(page.getByTestId("mig-hung")).toHaveCount(0);
});

test("postcopy: requests, UFFDIO_ZEROPAGE and UFFDIO_COPY, and the hung vCPU with its reason", async ({
  page,
}) => {
  await open(page, "preset=postcopy-hang-2017");
  await expect(page.getByTestId("mig-mode")).toHaveText("postcopy");
  const counters = page.getByTestId("mig-counters");
  await expect(counters).toContainText("ram.postcopy-requests");
  await expect(counters).toContainText("UFFDIO_ZEROPAGE");
  await expect(counters).toContainText("UFFDIO_COPY");
  await expect(page.getByTestId("mig-hung")).toContainText("vCPU is hung on the destination host");
  await expect(page.getByTestId("mig-hung")).toContainText("MISSING userfault");
  await expect(page.getByTestId("mig-flow")).toContainText("vCPU hung");
  // The destination's side over the trace: a lane each for requests and both placements.
  await expect(page.getByTestId("mig-request-lane")).toBeVisible();
  const lanes = page.getByTestId("mig-postcopy-lanes");
  expect(Number(await lanes.getAttribute("data-events"))).toBeGreaterThan(0);
  await expect(lanes.locator('[data-lane="migUffdZeropage"] .zl-pc-bar').first()).toBeAttached();
  await expect(lanes.locator('[data-lane="migUffdCopy"] .zl-pc-bar').first()).toBeAttached();
  await expect(lanes.locator('[data-lane="migRequests"] .zl-pc-bar').first()).toBeAttached();
  // At the start nothing has happened yet: every bar is still to come.
  await page.keyboard.press("Home");
  await painted(page);
  await expect(lanes).toHaveAttribute("data-done", "0");
  await expect(page.getByTestId("mig-request-lane")).toHaveAttribute("data-active", "false");
});

test("screenshots: start, after inflate, mid-migration, end, and a zoomed table with its fan-in", async ({
  browser,
}) => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 2300 }, reducedMotion: "reduce" });
  await open(page);
  const center = page.locator(".panel.center");
  await seek(page, 0);
  await center.screenshot({ path: "test-results/maps-1-start.png" });
  await seek(page, 3);
  await page.getByLabel("Highlight the ballooned tables on the host maps").check();
  await center.screenshot({ path: "test-results/maps-2-after-inflate.png" });
  await page.getByLabel("Highlight the ballooned tables on the host maps").uncheck();
  // Mid-migration, at page-table granularity.
  await page.keyboard.press("]");
  await painted(page);
  const tables = Number(await page.getByRole("slider", { name: "Timeline" }).getAttribute("aria-valuemax"));
  await seek(page, Math.round(tables * 0.75));
  await center.screenshot({ path: "test-results/maps-3-mid-migration.png" });
  await seek(page, tables);
  await center.screenshot({ path: "test-results/maps-4-end.png" });
  await page.close();

  const small = await browser.newPage({ viewport: { width: 1440, height: 2300 }, reducedMotion: "reduce" });
  await open(small, "preset=teaching-small");
  // Table 27 at the end: about half its PTEs map the shared zeropage, half have frames of their own.
  await clickTable(small, "source", 27);
  await painted(small);
  await small.locator("#pte-grid").focus();
  await small.keyboard.press("ArrowRight");
  await painted(small);
  await small.getByTestId("table-detail").screenshot({ path: "test-results/maps-5-table-fan-in.png" });
  await small.close();

  const unshare = await browser.newPage({ viewport: { width: 1440, height: 2300 }, reducedMotion: "reduce" });
  await open(unshare, "preset=ksm-zero-pages");
  await seek(unshare, 4);
  await clickTable(unshare, "source", 2);
  await painted(unshare);
  await seek(unshare, 5);
  await unshare.getByTestId("table-detail").screenshot({ path: "test-results/maps-6-unshare.png" });
  await unshare.close();
});

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
]) {
  test(`laptop ${viewport.width}×${viewport.height}: both maps in view and full-page screenshots`, async ({
    browser,
  }) => {
    const page = await browser.newPage({ viewport, reducedMotion: "reduce" });
    await open(page);
    const tag = `${viewport.width}x${viewport.height}`;
    // The two maps stand side by side, both inside the memory panel's width.
    await expect(page.locator(".zl-map-list.zl-map-pair")).toHaveCount(1);
    const center = await page.locator(".panel.center").boundingBox();
    for (const mm of ["source", "destination"]) {
      const box = await page.locator(`[data-testid=map-${mm}] canvas.map-canvas`).boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(center!.x + center!.width);
    }
    await seek(page, 0);
    await page.screenshot({ path: `test-results/laptop-${tag}-1-start.png` });
    await seek(page, 3);
    await page.screenshot({ path: `test-results/laptop-${tag}-2-after-inflate.png` });
    await page.keyboard.press("]");
    await painted(page);
    const tables = Number(await page.getByRole("slider", { name: "Timeline" }).getAttribute("aria-valuemax"));
    await seek(page, Math.round(tables * 0.75));
    await page.screenshot({ path: `test-results/laptop-${tag}-3-mid-migration.png` });
    // The contents bar brings the migration into view.
    await page.getByRole("button", { name: "Migration", exact: true }).click();
    await expect(page.getByTestId("migration")).toBeInViewport();
    await page.screenshot({ path: `test-results/laptop-${tag}-3b-migration-view.png` });
    await seek(page, tables);
    await page.getByRole("button", { name: "Maps", exact: true }).click();
    await page.screenshot({ path: `test-results/laptop-${tag}-4-end.png` });
    await page.close();

    // The unshare pass of storage keys after the migration, mid-way, at page-table granularity,
    // following the walk: the table just unshared, its arrows out of the zeropage.
    const unshare = await browser.newPage({ viewport, reducedMotion: "reduce" });
    await open(unshare, "preset=skeys-after-migration&kernel=s390-06201e00");
    await unshare.getByLabel(/^Follow the step/).check();
    await unshare.keyboard.press("]");
    await painted(unshare);
    const n = Number(await unshare.getByRole("slider", { name: "Timeline" }).getAttribute("aria-valuemax"));
    await seek(unshare, n - 20_000);
    await unshare.keyboard.press("ArrowRight");
    await painted(unshare);
    await expect(unshare.getByTestId("unshare-arrows")).toHaveAttribute("data-count", "256");
    await unshare.getByRole("button", { name: "Page table", exact: true }).first().click();
    await unshare.screenshot({ path: `test-results/laptop-${tag}-5-unshare.png` });
    await unshare.close();
  });
}

test("1 TiB: 1,048,576 page tables, several per cell, drawn from the class bytes", async ({ page }) => {
  const link = encodeLink({
    ...defaultLinkState(),
    scenario: {
      kind: "custom",
      scenario: {
        schemaVersion: 1,
        title: "1 TiB guest",
        seed: 1,
        machine: { kernel: "s390-06201e00", guestRam: "1TiB" },
        actions: [
          { do: "guest-touch", size: "512GiB", content: "data" },
          { do: "balloon-inflate", size: "256GiB" },
          { do: "guest-read" },
        ],
      },
    },
  });
  await page.goto(`/#${link}`);
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready", { timeout: 120_000 });
  await painted(page);
  const canvas = page.locator("[data-testid=map-source] canvas.map-canvas");
  const perCell = Number(await canvas.getAttribute("data-tables-per-cell"));
  expect(perCell).toBeGreaterThan(1);
  expect(Number(await canvas.getAttribute("data-cells")) * perCell).toBeGreaterThanOrEqual(1_048_576);
  await expect(page.getByTestId("map-scale")).toContainText("Several tables share a cell");
  const s = await summary(page, "source");
  expect(Object.values(s).reduce((a, b) => a + b, 0)).toBe(1_048_576);
  // Step back and forth; each redraw is reported on the canvas (milliseconds, for the log).
  const times: number[] = [];
  for (const p of [1, 2, 3, 2, 3, 1, 2, 3, 2, 3, 1, 2]) {
    await seek(page, p);
    times.push(Number(await canvas.getAttribute("data-draw-ms")));
  }
  console.log(`1 TiB map redraw (ms): ${describeTimes(times)}`);
  await page.getByRole("application", { name: "source host memory map" }).focus();
  await page.keyboard.press("Enter");
  await painted(page);
  expect(Number(await canvas.getAttribute("data-tables-per-cell"))).toBeLessThan(perCell);
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe (${colorScheme}): the maps, a zoomed table with its fan-in, the balloon and the migration`, async ({
    browser,
  }) => {
    const context = await browser.newContext({ colorScheme, reducedMotion: "reduce" });
    const page = await context.newPage();
    await open(page, "preset=teaching-small");
    await clickTable(page, "source", 27);
    await painted(page);
    await page.locator("#pte-grid").focus();
    await page.keyboard.press("ArrowRight");
    await page.getByLabel("Highlight the ballooned tables on the host maps").check();
    await page.locator(".zl-details summary").click();
    await painted(page);
    const r = await new AxeBuilder({ page })
      .include(".panel.center")
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    const bad = r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
    expect(bad).toEqual([]);
    await context.close();
  });
}
