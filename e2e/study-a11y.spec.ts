/**
 * axe-core (WCAG 2.1 A and AA rules) on the exercise's and the sweep's own surfaces, which the
 * per-preset check (a11y.spec.ts) never opens: the class link's pop-up, the answer key with rows,
 * a question card asking and revealing, and the Sweep dialog with a finished sweep and its table.
 * No serious or critical violation, in the light and the dark theme.
 */
import { expect, test } from "@playwright/test";
import { ready, serious } from "./support.ts";

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`in the ${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test("the exercise: class link, answer key, a question asked and revealed", async ({ page }) => {
      test.setTimeout(120_000);
      await page.goto("/#v=1&preset=ksm-zero-pages-exercise&seed=42");
      await ready(page);
      await page.getByRole("button", { name: "Link for the class" }).click();
      await expect(page.getByTestId("exercise-class-link")).toBeVisible();
      expect(await serious(page), "the class link").toEqual([]);
      await page.keyboard.press("Escape");
      await expect(page.getByTestId("exercise-class-link")).toHaveCount(0);

      await page.getByRole("button", { name: "Answer key" }).click();
      const key = page.getByRole("dialog", { name: "Answer key" });
      await key.getByLabel("Seeds").fill("1-3");
      await key.getByRole("button", { name: "Work out the answers" }).click();
      await expect(key.getByTestId("answer-key").locator("tbody tr")).toHaveCount(3, { timeout: 60_000 });
      expect(await serious(page), "the answer key").toEqual([]);
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: "Play", exact: true }).click();
      const card = page.getByTestId("exercise-card");
      await expect(card).toHaveAttribute("data-phase", "asking", { timeout: 60_000 });
      expect(await serious(page), "a question").toEqual([]);
      for (let i = 0; i < 3; i++) await card.getByRole("button", { name: "Skip" }).click();
      await expect(card).toHaveAttribute("data-phase", "revealed");
      expect(await serious(page), "a reveal").toEqual([]);
    });

    test("the Sweep dialog with a finished sweep and its table", async ({ page }) => {
      test.setTimeout(120_000);
      await page.goto(
        `/#v=1&preset=teaching-small&sweep=${encodeURIComponent("balloon~0%~100%~3~s390-fa41ba0d.s390-06201e00")}`,
      );
      const dialog = page.getByRole("dialog", { name: "Parameter sweep" });
      await expect(dialog.getByTestId("sweep-status")).toHaveAttribute("data-status", "done", {
        timeout: 60_000,
      });
      await dialog.getByText("Every point, as a table").click();
      await expect(dialog.getByTestId("sweep-table")).toBeVisible();
      expect(await serious(page)).toEqual([]);
    });
  });
}
