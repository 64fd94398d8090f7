/**
 * The ledger ("What a real machine would print"), reached with the memory panel's own contents
 * bar: per host the commands and their lines, stepping with the transport changes them, the link
 * carries the section (view=ledger), and "Copy as text" puts the CLI's transcript on the clipboard.
 * The screenshot is saved to test-results/ledger.png.
 */
import { expect, type Page, test } from "@playwright/test";
import { ready } from "./support.ts";

const field = (page: Page, host: string, name: string) =>
  page.locator(`[data-testid="ledger"] [data-host="${host}"] [data-field="${name}"]`).first();

test("the teacher opens the real machine's view, steps back and forth, and copies the transcript", async ({
  page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/#v=1&preset=commit-06201e00&kernel=s390-fa41ba0d&g=action&step=3");
  await ready(page);
  await page
    .getByRole("navigation", { name: "Memory views" })
    .getByRole("button", { name: "Real machine" })
    .click();
  const ledger = page.getByTestId("ledger");
  await expect(ledger).toBeInViewport();
  await expect(page).toHaveURL(/view=ledger/);
  // Step 3: the guest wrote 60 GiB and the balloon took 40 GiB back: fa41ba0d's source holds 60 GiB.
  await expect(field(page, "source", "RssAnon")).toHaveText(`RssAnon:\t${60 * 2 ** 20} kB`);
  await expect(field(page, "source", "zero_page")).toHaveText("zero_page: 0 pages (0 MB)");
  // The destination QEMU has not started yet: nothing to print there.
  await expect(ledger.locator('[data-host="destination"]')).toHaveCount(0);

  // The migration reads the ballooned 40 GiB back: under fa41ba0d every read allocates.
  await page.getByRole("button", { name: "Step forward", exact: true }).click();
  await ready(page);
  await expect(field(page, "source", "RssAnon")).toHaveText(`RssAnon:\t${100 * 2 ** 20} kB`);
  await expect(field(page, "source", "ram.duplicate")).toHaveText(`"duplicate": ${40 * 2 ** 18},`);
  await expect(field(page, "destination", "RssAnon")).toHaveText(`RssAnon:\t${100 * 2 ** 20} kB`);

  await page.getByRole("button", { name: "Copy as text" }).click();
  await expect(ledger.getByRole("status")).toHaveText("Copied.");
  const text = await page.evaluate(() => navigator.clipboard.readText());
  expect(text).toContain("## source host");
  expect(text).toContain("$ grep -E '^(Shmem|PageTables):' /proc/meminfo");
  expect(text).toContain(`RssAnon:\t${100 * 2 ** 20} kB`);
  // Stepping on clears the message: it spoke of the step it copied.
  await page.getByRole("button", { name: "Step back", exact: true }).click();
  await ready(page);
  await expect(ledger.getByRole("status")).toHaveText("");

  await page.screenshot({ path: "test-results/ledger.png" });

  // The link keeps the section: a reload opens the panel at the ledger again.
  await page.reload();
  await ready(page);
  await expect(page.getByTestId("ledger")).toBeInViewport();
});

test("under 06201e00 the same story maps the 40 GiB to the zeropage and Rss leaves it out", async ({
  page,
}) => {
  await page.goto("/#v=1&preset=commit-06201e00&kernel=s390-06201e00&g=action&view=ledger");
  await ready(page);
  await expect(field(page, "source", "zero_page")).toHaveText(
    `zero_page: ${40 * 2 ** 18} pages (${40 * 1024} MB)`,
  );
  await expect(field(page, "source", "Rss")).toHaveText(/^Rss:\s+62914560 kB$/);
  // A kernel without a field says so: variant A (v4.12) has no memory.stat pagetables.
  await page.goto("/#v=1&preset=commit-06201e00&kernel=s390-2faee8ff&g=action&view=ledger");
  await ready(page);
  await expect(field(page, "source", "pagetables")).toHaveText(/not in Linux 4\.12: it came in v5\.11/);
});

test("the reviewer reads the selftest on every kernel: 06201e00 as posted in v2 fails check 3", async ({
  page,
}) => {
  await page.goto("/#v=1&preset=commit-06201e00&kernel=s390-06201e00-v2&g=action&view=ledger");
  await ready(page);
  const table = page.getByTestId("selftest");
  await expect(table.locator('tr[data-kernel="s390-06201e00-v2"]')).toHaveAttribute("aria-current", "true");
  await expect(table.locator('tr[data-kernel="s390-06201e00-v2"] td').last()).toHaveText("fail");
  await expect(table.locator('tr[data-kernel="s390-06201e00"] td').last()).toHaveText("pass");
  await expect(table.locator('tr[data-kernel="s390-fa41ba0d"] td').first()).toHaveText("not ok");
  await expect(page.getByTestId("selftest-tap")).toContainText(
    "not ok 3 Shared zeropages should be disabled",
  );
  // Switching the kernel with the header's picker moves the outline and the TAP with it.
  await page.getByLabel("Kernel variant", { exact: true }).selectOption("s390-06201e00");
  await ready(page);
  await expect(table.locator('tr[data-kernel="s390-06201e00"]')).toHaveAttribute("aria-current", "true");
  await expect(page.getByTestId("selftest-tap")).toContainText("# Totals: pass:3 fail:0");
});
