/**
 * A recorded lecture: the narration as WebVTT captions and as a transcript, saved from Export and
 * timed at the speed and step size on screen (parsed with the W3C's WebVTT parser); and the
 * handout of the key frames, printed to PDF with page.pdf() (print media): one page per group of
 * key frames. The PDF is saved to test-results/handout.pdf (pdftoppm turns it into PNGs to look at).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import webvtt from "webvtt-parser";
import { ready } from "./support.ts";

// A CommonJS module that assigns its exports at run time: Node's ESM loader sees only the default.
const { WebVTTParser } = webvtt;

async function openExport(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Export", exact: true }).click();
  await expect(page.getByTestId("export-lecture")).toBeVisible();
}

async function save(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-lecture").getByRole("button", { name: button }).click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, "utf8") };
}

test("captions and transcript: every cue well-formed, timed at the speed and step size on screen", async ({
  page,
}) => {
  await page.goto("/#v=1&preset=commit-06201e00&kernel=s390-06201e00");
  await ready(page);
  await page.getByLabel("Playback speed").selectOption("2");
  await openExport(page);
  await expect(page.getByTestId("export-lecture")).toContainText("by action at 2×");
  const vtt = await save(page, "Captions (WebVTT)");
  expect(vtt.name).toMatch(/^zeropage-lab-.*-s390-06201e00\.captions\.vtt$/);
  const tree = new WebVTTParser().parse(vtt.text, "subtitles");
  expect(tree.errors).toEqual([]);
  // The start and the four actions; at 2× an action lasts half a second, the first after a quarter.
  expect(tree.cues.map((c) => c.startTime)).toEqual([0, 0.25, 0.75, 1.25, 1.75]);
  expect(tree.cues[3]!.text).toContain("Action 3 of 4: balloon inflates by 40 GiB");
  expect(tree.cues[4]!.text).toContain("precopy migration");
  const transcript = await save(page, "Transcript (text)");
  expect(transcript.text).toContain("[00:00:00.750] Action 2 of 4: guest allocates 100 GiB");
  expect(transcript.text).toContain("#v=1&preset=commit-06201e00&kernel=s390-06201e00");
  await page.locator("dialog[open] .zl-close").click();

  // By page table: one cue per event, in order, without errors.
  await page.getByRole("navigation", { name: "Playback" }).getByText("Page table", { exact: true }).click();
  await ready(page);
  await openExport(page);
  await expect(page.getByTestId("export-lecture")).toContainText("by page table at 2×");
  const fine = new WebVTTParser().parse((await save(page, "Captions (WebVTT)")).text, "subtitles");
  expect(fine.errors).toEqual([]);
  expect(fine.cues.length).toBeGreaterThan(100);
});

test("the handout: key frames with maps, counters and the narration headline, one printed page per group", async ({
  page,
}) => {
  await page.goto("/#v=1&preset=commit-06201e00&kernel=s390-fa41ba0d");
  await ready(page);
  await openExport(page);
  await page.getByRole("button", { name: "Handout (print)" }).click();
  // The export dialog closed, the handout is open, and the app behind it did not move.
  await expect(page.locator("dialog.zl-dialog[open]")).toHaveCount(0);
  const handout = page.getByTestId("handout");
  await expect(handout).toHaveAttribute("data-ready", "true", { timeout: 60_000 });
  const frames = handout.locator("article.zl-handout-frame");
  await expect(frames).toHaveCount(3);
  await expect(frames.locator("h2")).toHaveText([
    "The balloon inflated",
    "First read fault on ballooned memory",
    "Migration complete",
  ]);
  // Each frame: both hosts' maps, the counters at that moment, the narration's headline.
  for (let i = 0; i < 3; i++) {
    const f = frames.nth(i);
    await expect(f.locator(".zl-handout-maps img")).toHaveCount(2);
    await expect(f.locator(".zl-handout-headline")).toContainText(/^Action \d of 4: /);
    await expect(f.locator("tr[data-counter=rssAnonBytes] td")).toHaveCount(2);
  }
  // Under fa41ba0d reading the balloon costs real memory: source RssAnon 60 GiB after the
  // inflate, 100 GiB again once migrated.
  await expect(frames.nth(0).locator("tr[data-counter=rssAnonBytes] td").first()).toHaveText("60 GiB");
  await expect(frames.nth(2).locator("tr[data-counter=rssAnonBytes] td").first()).toHaveText("100 GiB");
  const pages = Number(await handout.getAttribute("data-pages"));
  expect(pages).toBe(2);
  await handout.screenshot({ path: "test-results/handout-screen.png" });

  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  writeFileSync("test-results/handout.pdf", pdf);
  // One PDF page per group of key frames (page objects, not the /Pages tree).
  const pdfPages = pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
  expect(pdfPages).toHaveLength(pages);

  await handout.getByRole("button", { name: "Close" }).click();
  await expect(page.getByTestId("handout")).toHaveCount(0);
  await expect(page.locator(".app")).toBeVisible();
});
