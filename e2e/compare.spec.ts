/**
 * Compare mode in Chromium: the commit's story under fa41ba0d (left) and 06201e00 (right), from a
 * link: the link of a compare view opens the same view in a fresh page (the first divergence, the
 * delta table and the divergence buttons are the reviewer's journey, e2e/journeys). Also: two different
 * scenarios side by side, a link at a shared position the left's step alone does not name, Back
 * after the gallery's compare button, and compare mode in embed mode.
 */
import { expect, type Locator, type Page, test } from "@playwright/test";

const LINK = "/#v=1&preset=commit-06201e00&kernel=s390-fa41ba0d&compare=s390-06201e00";
const FIRST_TEXT =
  "the source's read fault (precopy migration) allocates a zeroed anonymous page (zeropage forbidden) on the left but maps the shared zeropage on the right (mm_forbids_zeropage)";

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

/** Waits until the compare view shows its target step with nothing in flight. */
async function idle(view: Locator): Promise<void> {
  await expect(view).toHaveAttribute("data-compare-status", "ready");
  await expect
    .poll(async () => {
      const [p, v, d] = await Promise.all(
        ["data-compare-position", "data-compare-view-position", "data-compare-diff-position"].map((a) =>
          view.getAttribute(a),
        ),
      );
      return p === v && p === d;
    })
    .toBe(true);
}

test("the link of a compare view opens the same view in a fresh page", async ({ page, context }) => {
  await page.goto(LINK);
  const view = page.getByTestId("compare-view");
  await idle(view);
  await page.getByLabel("Step granularity").selectOption("table");
  await idle(view);
  await page.getByRole("button", { name: "First divergence" }).click();
  await idle(view);
  const position = await view.getAttribute("data-compare-position");
  // Stepping replaces the history entry after a short delay: wait for the link to say so.
  await expect.poll(() => new URL(page.url()).hash).toContain("compare=s390-06201e00");
  await expect.poll(() => new URL(page.url()).hash).toContain("g=table");
  const leftAt = await page.getByTestId("compare-position").textContent();
  await expect
    .poll(async () => (await page.getByTestId("compare-position").textContent()) === leftAt)
    .toBe(true);
  // The maps' zoom rides in the link as the single view's does (zoom=, at=).
  await page.getByRole("button", { name: "Zoom both maps in" }).click();
  await expect.poll(() => new URL(page.url()).hash).toMatch(/zoom=[\d.]+&at=\d+/);
  const zoomed = new URL(page.url()).hash.match(/zoom=[\d.]+&at=\d+/)![0];
  const url = page.url();
  const captions = await page.locator("[data-testid^=compare-map-] figcaption").allTextContents();

  const fresh = await context.newPage();
  await fresh.goto(url);
  const again = fresh.getByTestId("compare-view");
  await idle(again);
  await expect(again).toHaveAttribute("data-compare-position", String(position));
  await expect(fresh.getByTestId("divergence-count")).toHaveText(/^divergence 1 of \d+$/);
  expect(await fresh.locator("[data-testid^=compare-map-] figcaption").allTextContents()).toEqual(captions);
  await expect(fresh.getByRole("button", { name: "Whole RAM" })).toBeEnabled();
  await expect.poll(() => new URL(fresh.url()).hash).toContain(zoomed);

  // Leaving compare mode drops the parameter; the single view stays at the same step.
  await fresh.getByTestId("leave-compare").click();
  await expect(fresh.getByTestId("compare-view")).toHaveCount(0);
  await expect.poll(() => new URL(fresh.url()).hash).not.toContain("compare=");
});

test("the gallery offers 'compare fa41ba0d vs 06201e00' for the commit's story; the header's picker compares with x86_64", async ({
  page,
}) => {
  await page.goto("/#v=1&preset=teaching-small&kernel=s390-06201e00");
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready");
  await page.getByRole("button", { name: "Presets" }).click();
  await page.getByTestId("gallery-compare-commit-06201e00").click();
  const view = page.getByTestId("compare-view");
  await idle(view);
  await expect(page.getByTestId("side-label-left")).toContainText("s390-fa41ba0d");
  await expect(page.getByTestId("side-label-right")).toContainText("s390-06201e00");
  await expect(page.getByTestId("first-divergence")).toContainText(FIRST_TEXT);
  await expect.poll(() => new URL(page.url()).hash).toContain("compare=s390-06201e00");
  // The compare button added one history entry: Back leaves compare mode for what was shown.
  await page.goBack();
  await expect(page.getByTestId("compare-view")).toHaveCount(0);
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready");
  await expect.poll(() => new URL(page.url()).hash).toMatch(/preset=teaching-small&kernel=s390-06201e00/);
  expect(new URL(page.url()).hash).not.toContain("compare=");
  await page.goForward();
  await idle(view);
  await expect(page.getByTestId("side-label-right")).toContainText("s390-06201e00");

  await page.getByTestId("leave-compare").click();
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready");
  await page.getByLabel("Compare this run with").selectOption("x86_64");
  await idle(view);
  await expect(page.getByTestId("side-label-right")).toContainText("x86_64");
  await expect(page.getByTestId("alignment-note")).toContainText("merged by address");
  await page.screenshot({ path: "test-results/compare-x86.png", fullPage: true });
});

const SMALL_PAIR = "/#v=1&preset=teaching-small&kernel=s390-06201e00&g=table&compare=x86_64";

test("two different scenarios side by side: each side names its scenario and its kernel; the link keeps both", async ({
  page,
  context,
}) => {
  const errors = collectErrors(page);
  await page.goto("/#v=1&preset=teaching-small&kernel=s390-fa41ba0d&compare=s390-06201e00");
  const view = page.getByTestId("compare-view");
  await idle(view);
  await page.getByLabel("Right-hand scenario").selectOption("preset:pv-guest");
  await idle(view);
  const left = page.getByTestId("side-label-left");
  const right = page.getByTestId("side-label-right");
  await expect(left).toContainText("64 MiB teaching guest");
  await expect(left).toContainText("s390-fa41ba0d");
  await expect(right).toContainText("Protected virtualization");
  await expect(right).toContainText("s390-06201e00");
  await expect(page.locator(".cmp-title")).toHaveText(
    "Compare: 64 MiB teaching guest vs Protected virtualization",
  );
  await expect(page.getByTestId("delta-table")).toBeVisible();
  await expect
    .poll(() => new URL(page.url()).hash)
    .toMatch(/compare=s390-06201e00&cpreset=pv-guest&cstep=\d+/);
  await expect.poll(() => new URL(page.url()).hash).toMatch(/&ch=[0-9a-f]{12}$/);
  await page.screenshot({ path: "test-results/compare-two-scenarios.png", fullPage: true });

  const fresh = await context.newPage();
  await fresh.goto(page.url());
  await idle(fresh.getByTestId("compare-view"));
  await expect(fresh.getByTestId("side-label-right")).toContainText("Protected virtualization");
  await expect(fresh.getByTestId("compare-right-scenario")).toHaveValue("preset:pv-guest");
  await expect(fresh.getByTestId("compare-link-check")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a compare link at a shared position that the left's step alone does not name reopens exactly there", async ({
  page,
  context,
}) => {
  await page.goto(SMALL_PAIR);
  const view = page.getByTestId("compare-view");
  await idle(view);
  // Aligned page-table step 697: the left (s390) is at its step 592 from 695 to 699 while the
  // right (x86_64) takes steps alone, so `step=592` by itself would reopen at 695.
  await page.getByTestId("compare-slider").fill("697");
  await idle(view);
  await expect(view).toHaveAttribute("data-compare-position", "697");
  await expect.poll(() => new URL(page.url()).hash).toContain("cstep=697");
  await expect.poll(() => new URL(page.url()).hash).toContain("step=592");
  const readout = await page.getByTestId("compare-position").textContent();

  const fresh = await context.newPage();
  await fresh.goto(page.url());
  const again = fresh.getByTestId("compare-view");
  await idle(again);
  await expect(again).toHaveAttribute("data-compare-position", "697");
  await expect(fresh.getByTestId("compare-position")).toHaveText(readout ?? "");
});

test("embed=1 with compare= shows the reduced compare view, and 'open in full app' keeps the state", async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto(`${SMALL_PAIR}&cstep=697&embed=1`);
  const view = page.getByTestId("compare-view");
  await idle(view);
  await expect(view).toHaveAttribute("data-embed", "true");
  await expect(view).toHaveAttribute("data-compare-position", "697");
  await expect(page.getByTestId("side-label-left")).toContainText("s390-06201e00");
  await expect(page.getByTestId("side-label-right")).toContainText("x86_64");
  await expect(page.getByTestId("compare-maps")).toBeVisible();
  await expect(page.getByTestId("delta-table")).toBeVisible();
  await expect(page.getByTestId("first-divergence")).toBeVisible();
  // The full app's pieces stay out of the iframe.
  await expect(page.getByTestId("compare-right-scenario")).toHaveCount(0);
  const href = (await page.getByTestId("open-full").getAttribute("href")) ?? "";
  expect(href).toContain("compare=x86_64");
  expect(href).toContain("cstep=697");
  expect(href).not.toContain("embed=");
  await page.screenshot({ path: "test-results/compare-embed.png", fullPage: true });
  expect(errors).toEqual([]);
});
