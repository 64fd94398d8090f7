/**
 * axe-core on every preset page (WCAG 2.1 A and AA rules): no serious or critical violation, in
 * the light and the dark theme, at the end state and at a fine-granularity step, and with the
 * help overlay open. A failure prints each violation with its rule, impact and elements.
 */
import { expect, test } from "@playwright/test";
import { PRESETS } from "../src/scenario/presets/index.ts";
import { type Hook, idle, ready, serious } from "./support.ts";

for (const preset of PRESETS) {
  test(`${preset.id}: no serious or critical axe violation`, async ({ page }) => {
    await page.goto(`/#preset=${preset.id}`);
    await ready(page);
    expect(await serious(page)).toEqual([]);
  });
}

test.describe("in the dark theme", () => {
  test.use({ colorScheme: "dark" });

  test("a PTE step, a PTE's history and the help overlay: no serious or critical axe violation", async ({
    page,
  }) => {
    await page.goto("/#preset=teaching-small");
    await ready(page);
    expect(await serious(page)).toEqual([]);
    await page.keyboard.press("]");
    await page.keyboard.press("]");
    await idle(page);
    await page.evaluate(() => (window as unknown as Hook).__zeropage?.seek(5000));
    await idle(page);
    await page.getByRole("button", { name: /^Follow guest page/ }).click();
    await expect(page.getByTestId("pte-history").locator(".history li")).not.toHaveCount(0);
    expect(await serious(page)).toEqual([]);
    await page.keyboard.press("?");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
    expect(await serious(page)).toEqual([]);
  });
});
