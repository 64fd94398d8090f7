import { expect, type Page, test } from "@playwright/test";

const GiB = 2 ** 30;

/** Reads a counter cell's raw value for mm `mm`. */
async function counter(page: Page, key: string, mm: string): Promise<number> {
  const cell = page.locator(`[data-testid=counters] tr[data-counter="${key}"] td[data-mm="${mm}"]`);
  return Number(await cell.getAttribute("data-value"));
}

function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

test("the default scenario is the commit's story, computed in the worker, and stepping changes counters", async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto("/");
  const app = page.locator(".app");
  await expect(app).toHaveAttribute("data-status", "ready");
  await expect(app).toHaveAttribute("data-engine-env", "worker");
  await expect(page.getByLabel("Scenario preset", { exact: true })).toHaveValue("commit-06201e00");
  await expect(page.getByLabel("Kernel variant", { exact: true })).toHaveValue("s390-fa41ba0d");
  await expect(page.getByTestId("outcome")).toHaveText("completed");

  // End of the story under fa41ba0d: the 40 GiB balloon came back on both hosts.
  await expect.poll(() => counter(page, "rssAnonBytes", "source")).toBe(100 * GiB);
  expect(await counter(page, "rssAnonBytes", "destination")).toBe(100 * GiB);
  await page.screenshot({ path: "test-results/app-end.png", fullPage: true });

  // One action back: before the migration the source held 60 GiB and the destination nothing.
  await page.getByRole("button", { name: "Step back" }).click();
  await expect.poll(() => counter(page, "rssAnonBytes", "source")).toBe(60 * GiB);
  expect(await counter(page, "rssAnonBytes", "destination")).toBe(0);
  await expect(page.getByTestId("narration")).toContainText("MADV_DONTNEED");

  // And forward again: exactly the end values.
  await page.getByRole("button", { name: "Step forward" }).click();
  await expect.poll(() => counter(page, "rssAnonBytes", "source")).toBe(100 * GiB);
  expect(errors).toEqual([]);
});

test("switching the kernel to 06201e00 keeps both hosts near 60 GiB", async ({ page }) => {
  await page.goto("/#preset=commit-06201e00&kernel=s390-06201e00");
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready");
  await expect(page.getByLabel("Kernel variant", { exact: true })).toHaveValue("s390-06201e00");
  await expect.poll(() => counter(page, "rssAnonBytes", "source")).toBe(60 * GiB);
  expect(await counter(page, "rssAnonBytes", "destination")).toBe(60 * GiB);
  // Only page tables were added: 100 GiB / 1 MiB × 4 KiB = 400 MiB of PTE tables.
  expect(await counter(page, "pteTables", "source")).toBe(102_400);
});
