/**
 * axe-core (WCAG 2.1 A and AA rules) in the dark theme, at a fine-granularity step, with a PTE's
 * history and with the help overlay open: no serious or critical violation. A failure prints
 * each violation with its rule, impact and elements. Every preset's page is checked in the light
 * theme at its end (an exercise at its start) by its case in presets.spec.ts; the maps, the
 * exercise and the sweep by maps.spec.ts and study-a11y.spec.ts.
 */
import { expect, test } from "@playwright/test";
import { type Hook, idle, ready, serious } from "./support.ts";

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
