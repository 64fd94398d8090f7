/**
 * The phone (390×844): the map and the narration's headline on the first screen, the step list
 * read without a nested scroll box, the transport bar reachable at the bottom while reading.
 */
import { expect, test } from "@playwright/test";
import { type Config, Journey } from "../support.ts";

const PHONES: readonly Config[] = [
  { slug: "390x844-light", viewport: { width: 390, height: 844 }, colorScheme: "light" },
  { slug: "390x844-dark", viewport: { width: 390, height: 844 }, colorScheme: "dark" },
];

for (const config of PHONES) {
  test.describe(config.slug, () => {
    test.use({
      viewport: config.viewport,
      colorScheme: config.colorScheme,
      deviceScaleFactor: 3,
      hasTouch: true,
    });
    test("phone: the story's map and headline first, the steps read on, the controls at hand", async ({
      page,
    }) => {
      test.setTimeout(120_000);
      const j = await Journey.open(page, config, "phone");
      await page.waitForFunction(
        () =>
          document.querySelector("[data-testid=before-after]")?.getAttribute("data-ba-status") === "ready",
      );
      const first = async (sel: string, name: string) => {
        const box = await page.locator(sel).first().boundingBox();
        expect(box, name).not.toBeNull();
        expect(box!.y, `${name} on the first screen`).toBeLessThan(844);
      };
      await first("[data-testid=lecture-headline]", "the narration's headline");
      await first("[data-testid=ba-maps] canvas", "the map");
      await j.frame("first-screen");
      // The step list: no nested scrolling, step 1's text whole.
      const steps = page.locator(".panel.steps");
      const nested = await steps.evaluate((el) => el.scrollHeight - el.clientHeight);
      expect(nested).toBeLessThanOrEqual(1);
      await page.locator(".panel.steps").scrollIntoViewIfNeeded();
      await expect(page.locator(".panel.steps")).toContainText("QEMU starts");
      // The transport bar stays at hand while reading further down.
      await expect(page.locator(".controls")).toBeInViewport();
      await j.act(
        "step forward with the transport bar",
        () =>
          page
            .locator(".controls")
            .getByRole("button", { name: /Step forward/ })
            .click(),
        async () => expect(await j.position).toBe(1),
      );
      await expect(page.locator(".controls")).toBeInViewport();
    });
  });
}
