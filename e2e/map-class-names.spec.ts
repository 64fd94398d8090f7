/**
 * The maps name the classes as the run's pages are: a memfd-backed guest's pages are shmem/memfd
 * pages (the worker's names for the run), in the key beside the host maps, the legend, the
 * before/after panel's key and its counters (RssShmem, not RssAnon), and the commit's own story
 * keeps its anon pages.
 */
import { expect, type Page, test } from "@playwright/test";
import { beforeAfterShowsAppStep } from "./support.ts";

async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`/#${hash}`);
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  await page.waitForFunction(beforeAfterShowsAppStep, true);
}

const labels = (page: Page, testId: string) =>
  page.getByTestId(testId).locator("tbody tr[data-slot] .class-key-label").allTextContents();

test("a memfd-backed guest's pages are shmem/memfd pages on every map key", async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, "v=1&preset=commit-06201e00-memfd&g=action&step=4");
  // After the migration both hosts hold the 40 ballooned GiB as memfd pages full of zeros.
  await expect
    .poll(() => labels(page, "map-key"))
    .toEqual([
      "shmem/memfd page, zero-filled",
      "shmem/memfd page, data",
      "ballooned tables (the rest faded)",
    ]);
  await expect
    .poll(() => labels(page, "ba-key"))
    .toEqual([
      "shmem/memfd page, zero-filled",
      "shmem/memfd page, data",
      "ballooned tables (the rest faded)",
    ]);
  await expect(page.locator(".zl-legend-table tr[data-slot=anon-data] .zl-legend-label")).toHaveText(
    "shmem/memfd page, data",
  );
  await expect(page.locator(".zl-legend-table")).not.toContainText("anon page");
  const counters = page.getByTestId("ba-counters");
  await expect(counters.locator("tr[data-counter=rssShmemBytes]")).toHaveCount(2);
  await expect(counters.locator("tr[data-counter=rssAnonBytes]")).toHaveCount(0);
});

test("the commit's story keeps its anon pages", async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, "v=1&preset=commit-06201e00&g=action&step=4");
  await expect.poll(() => labels(page, "map-key")).toContain("anon page, data");
  await expect(page.getByTestId("ba-counters").locator("tr[data-counter=rssAnonBytes]")).toHaveCount(2);
  await expect(page.getByTestId("ba-counters").locator("tr[data-counter=rssShmemBytes]")).toHaveCount(0);
});
