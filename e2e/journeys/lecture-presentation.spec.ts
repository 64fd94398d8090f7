/**
 * The teacher in a lecture hall: the commit's story opened with no link (step 0, the invitation to
 * play), presentation mode turned on with the key P, played with Space through the guided story's
 * pauses (the balloon inflated; the first read and the migration complete), the before/after panel
 * checked at each pause, and the step's before/after slide saved as SVG and PNG. Projector sizes:
 * 1280×720 and 1920×1080, light and dark, and 1280×720 at 150 % zoom (853×480 CSS px at a device
 * scale of 1.5). At every pause the map, the narration's headline, the before/after counters and
 * the step controls are on screen without scrolling. Key frames are compared with baselines.
 */
import { readFileSync } from "node:fs";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { beforeAfterShowsAppStep, type Config, GiB, Journey } from "../support.ts";

const LECTURE_CONFIGS: readonly (Config & { readonly scale: number })[] = [
  { slug: "1280x720-light", viewport: { width: 1280, height: 720 }, colorScheme: "light", scale: 1 },
  { slug: "1920x1080-dark", viewport: { width: 1920, height: 1080 }, colorScheme: "dark", scale: 1 },
  { slug: "1280x720-zoom150-light", viewport: { width: 853, height: 480 }, colorScheme: "light", scale: 1.5 },
  { slug: "1920x1080-light", viewport: { width: 1920, height: 1080 }, colorScheme: "light", scale: 1 },
];

/** The element lies wholly inside the window (no scrolling needed to see it). */
async function onScreen(page: Page, what: Locator, name: string): Promise<void> {
  const box = await what.first().boundingBox();
  const vp = page.viewportSize()!;
  expect(box, `${name} is rendered`).not.toBeNull();
  expect(box!.y, `${name} starts on screen`).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height, `${name} ends on screen`).toBeLessThanOrEqual(vp.height + 1);
  expect(box!.x + box!.width, `${name} fits the width`).toBeLessThanOrEqual(vp.width + 1);
}

async function allOnScreen(page: Page): Promise<void> {
  await onScreen(page, page.getByTestId("lecture-headline"), "the narration's headline");
  await onScreen(page, page.getByTestId("ba-counters"), "the before/after counters");
  await onScreen(page, page.locator("[data-testid=ba-maps] canvas"), "the maps");
  await onScreen(page, page.getByTestId("ba-key"), "the maps' key");
  // Nothing the room must read hides under the transport bar (it is fixed over the page's foot).
  const bar = (await page.locator(".controls").boundingBox())!;
  for (const [what, name] of [
    [page.getByTestId("ba-counters"), "the before/after counters"],
    [page.locator("[data-testid=ba-maps] canvas").last(), "the last map"],
    [page.getByTestId("ba-key").locator("tr").last(), "the key's last row"],
  ] as const) {
    const box = (await what.boundingBox())!;
    expect(box.y + box.height, `${name} ends above the transport bar`).toBeLessThanOrEqual(bar.y + 1);
  }
  // The key's live amounts where the window is tall enough for them (a short one shows them on
  // hover: 150 % zoom).
  if (page.viewportSize()!.height > 600) {
    const amounts = page.getByTestId("ba-key").locator(".class-key-amount");
    expect(await amounts.count(), "the key has amounts").toBeGreaterThan(0);
    for (const a of await amounts.all()) await expect(a).toBeVisible();
  }
  await onScreen(page, page.locator(".controls"), "the step controls");
  const scroll = await page.evaluate(() => document.scrollingElement!.scrollHeight - window.innerHeight);
  expect(scroll, "the page does not scroll").toBeLessThanOrEqual(0);
}

/** The compact maps stay in their columns: none runs into the next one or past the window. */
async function mapsApart(page: Page): Promise<void> {
  const cols = await page.locator("[data-testid=ba-maps] .ba-map-col").evaluateAll((els) =>
    els.map((el) => {
      const col = el.getBoundingClientRect();
      const right = Math.max(
        ...Array.from(el.querySelectorAll("canvas"), (c) => c.getBoundingClientRect().right),
      );
      return { left: col.left, right, colRight: col.right };
    }),
  );
  const vw = page.viewportSize()!.width;
  expect(cols.length).toBe(3);
  for (const [i, c] of cols.entries()) {
    expect(c.right, `map ${i} stays in its column`).toBeLessThanOrEqual(c.colRight + 1);
    expect(c.right, `map ${i} stays in the window`).toBeLessThanOrEqual(vw + 1);
    if (i > 0)
      expect(c.left, `map ${i} starts after map ${i - 1}`).toBeGreaterThanOrEqual(cols[i - 1]!.right);
  }
}

async function diff(page: Page, mm: string, key: string): Promise<number> {
  const row = page.locator(`[data-testid=ba-counters] tr[data-mm="${mm}"][data-counter="${key}"] td`).last();
  return Number(await row.getAttribute("data-value"));
}

/** The before/after panel shows the app's step, computed. */
async function baSettled(page: Page): Promise<void> {
  await page.waitForFunction(beforeAfterShowsAppStep, true);
}

for (const config of LECTURE_CONFIGS) {
  test.describe(config.slug, () => {
    test.use({ viewport: config.viewport, colorScheme: config.colorScheme, deviceScaleFactor: config.scale });
    test("lecture: the commit's story presented, played through its key moments, before and after", async ({
      page,
    }) => {
      test.setTimeout(180_000);
      const j = await Journey.open(page, config, "lecture");
      await baSettled(page);
      // No link: step 0, and an invitation to press Play.
      expect(await j.position).toBe(0);
      await expect(page.getByTestId("story-invite")).toContainText("Space");
      await expect(page.getByTestId("ba-sentence")).toHaveAttribute("data-kind", "start");
      // Nothing is ballooned yet: no outline.
      await expect(page.getByTestId("ba-maps")).toHaveAttribute("data-balloon", "off");

      await j.act(
        "press P: presentation mode",
        () => page.keyboard.press("p"),
        async () => {
          await expect(page.locator(".app")).toHaveAttribute("data-presenting", "true");
          await expect(page.getByTestId("present-button")).toHaveAttribute("aria-pressed", "true");
          await expect.poll(() => page.url()).toContain("present=1");
          const sizes = await page.evaluate(() => ({
            body: Number.parseFloat(getComputedStyle(document.querySelector(".ba-sentence")!).fontSize),
            headline: Number.parseFloat(
              getComputedStyle(document.querySelector(".lecture-headline")!).fontSize,
            ),
            title: Number.parseFloat(getComputedStyle(document.querySelector(".ba-title")!).fontSize),
            titleShown: getComputedStyle(document.querySelector(".ba-head")!).display !== "none",
          }));
          expect(sizes.body).toBeGreaterThanOrEqual(18);
          expect(sizes.headline).toBeGreaterThanOrEqual(28);
          if (sizes.titleShown) expect(sizes.title).toBeGreaterThanOrEqual(28);
          // Secondary panels are folded.
          await expect(page.locator(".column.left")).toBeHidden();
          await expect(page.locator(".dock")).toBeHidden();
          await allOnScreen(page);
        },
      );

      await j.act(
        "press Space: the story plays and pauses when the balloon has inflated",
        async () => {
          await page.keyboard.press(" ");
          await expect(page.getByTestId("story-caption")).toBeVisible({ timeout: 30_000 });
        },
        async () => {
          await baSettled(page);
          expect(await j.position).toBe(3);
          await expect(page.getByTestId("story-caption")).toContainText("The balloon inflated");
          await expect(page.locator(".app")).toHaveAttribute("data-playing", "false");
          await expect(page.getByTestId("lecture-headline")).toContainText("balloon inflates by 40 GiB");
          // The same memory under both kernels so far.
          expect(await diff(page, "source", "rssAnonBytes")).toBe(0);
          await expect(page.getByTestId("ba-sentence")).toHaveAttribute("data-kind", "same");
          // The ballooned range is outlined by default at the balloon step; the key says so.
          await expect(page.getByTestId("ba-maps")).toHaveAttribute("data-balloon", "outlined");
          await expect(page.getByTestId("ba-key").locator("tr[data-slot=balloon]")).toBeVisible();
          await allOnScreen(page);
        },
      );
      await j.frame("presenting-balloon");

      await j.act(
        "press Space: it plays on to the first read of the balloon and the migration's end",
        async () => {
          await page.keyboard.press(" ");
          await expect(page.getByTestId("story-caption")).toContainText("Migration complete", {
            timeout: 30_000,
          });
        },
        async () => {
          await baSettled(page);
          expect(await j.position).toBe(4);
          await expect(page.getByTestId("story-caption")).toContainText("on ballooned memory");
          expect(await diff(page, "source", "rssAnonBytes")).toBe(40 * GiB);
          expect(await diff(page, "destination", "rssAnonBytes")).toBe(40 * GiB);
          await expect(page.getByTestId("ba-sentence")).toContainText("mm_forbids_zeropage");
          await expect(page.getByTestId("ba-sentence")).toContainText("under s390-fa41ba0d");
          await expect(page.getByTestId("ba-maps")).toHaveAttribute("data-balloon", "outlined");
          // The key names the classes on the maps: zero-filled pages before, the zeropage after.
          const key = page.getByTestId("ba-key");
          await expect(key.locator("tr[data-slot=zero]")).toBeVisible();
          await expect(key.locator("tr[data-slot=anon-zero]")).toBeVisible();
          await allOnScreen(page);
        },
      );
      await j.frame("presenting-end");

      // The step as one before/after slide.
      const save = async (label: string) => {
        const [d] = await Promise.all([
          page.waitForEvent("download"),
          page.getByTestId("ba-slide").getByRole("button", { name: label }).dispatchEvent("click"),
        ]);
        return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
      };
      const svg = await save("Slide (SVG)");
      expect(svg.name).toBe("zeropage-lab-before-after-06201e00-step-4.svg");
      const text = svg.bytes.toString("utf8");
      expect(text).toContain("Before and after 06201e00");
      expect(text).toContain('data-kernel="s390-fa41ba0d"');
      expect(text).toContain('data-kernel="s390-06201e00"');
      expect(text).toContain("+40 GiB");
      const png = await save("Slide (PNG)");
      expect(png.name).toMatch(/\.png$/);
      expect(png.bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
      if (config.slug === "1280x720-light") {
        // The slide itself, drawn in the page, compared with its baseline.
        await page.evaluate((s) => {
          const img = document.createElement("img");
          img.id = "slide-preview";
          img.src = URL.createObjectURL(new Blob([s], { type: "image/svg+xml" }));
          img.style.cssText = "position:fixed;inset:0;z-index:99;width:100vw;background:#fff";
          document.body.append(img);
          return new Promise((r) => {
            img.onload = r;
          });
        }, text);
        await j.frame("slide", page.locator("#slide-preview"));
        await page.evaluate(() => document.getElementById("slide-preview")?.remove());
      }

      await j.act(
        "x86_64 as a third column: three maps side by side, each in its own column",
        () => page.getByTestId("ba-third").check(),
        async () => {
          await expect(page.locator("[data-testid=ba-maps] .ba-map-col")).toHaveCount(3);
          await baSettled(page);
          await mapsApart(page);
          await onScreen(page, page.getByTestId("ba-counters"), "the before/after counters");
          await onScreen(page, page.getByTestId("ba-key"), "the maps' key");
          await page.getByTestId("ba-third").uncheck();
          await expect(page.locator("[data-testid=ba-maps] .ba-map-col")).toHaveCount(2);
        },
      );

      await j.act(
        "the header button leaves presentation mode",
        () => page.getByTestId("present-button").click(),
        async () => {
          await expect(page.locator(".app")).toHaveAttribute("data-presenting", "false");
          await expect.poll(() => page.url()).not.toContain("present=1");
        },
      );
    });
  });
}
