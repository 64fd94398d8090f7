/**
 * The student: opens an exercise link with a seed (their student number), presses Play,
 * and the playback stops before each step that has a question. They answer some right and some
 * wrong (a choice, numbers, a click on the map, a choice among kernels), see each step revealed
 * with the rule and the counter that decide it, and the score at the end. Another seed is another
 * problem.
 *
 * The right answers are worked out here by the same library the app's worker uses (answerKeyRow
 * in Node), so the journey knows which answer is right without the page telling it; the page
 * grades on its own.
 */
import { expect, type Locator, type Page, test } from "@playwright/test";
import { answerKeyRow } from "../../src/exercise/key.ts";
import { presetById } from "../../src/scenario/presets/index.ts";
import { CONFIGS, Journey } from "../support.ts";

const PRESET = "ksm-zero-pages-exercise";
const SEED = 42;

/** The key as the teacher's table has it: this student's problem and its answers. */
const key = answerKeyRow(presetById(PRESET)!.scenario, SEED);

function card(page: Page): Locator {
  return page.getByTestId("exercise-card");
}

/** Clicks the cell holding table `table` on a map (the canvas publishes its geometry). */
async function clickTable(page: Page, mm: string, table: number): Promise<void> {
  const canvas = page.locator(`[data-testid=map-${mm}] canvas.map-canvas`);
  await canvas.scrollIntoViewIfNeeded();
  const g = await canvas.evaluate((el: HTMLCanvasElement) => ({
    perCell: Number(el.dataset.tablesPerCell),
    columns: Number(el.dataset.columns),
    first: Number(el.dataset.firstTable),
    pitch: Number(el.dataset.cssPitch),
    gutter: Number(el.dataset.cssGutter),
  }));
  const cell = Math.floor((table - g.first) / g.perCell);
  const row = Math.floor(cell / g.columns);
  const col = cell % g.columns;
  await canvas.click({ position: { x: g.gutter + (col + 0.5) * g.pitch, y: (row + 0.5) * g.pitch } });
}

async function shot(page: Page, name: string, slug: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: test.info().outputPath(`student-${name}-${slug}.png`) });
}

for (const config of [CONFIGS[0]!, CONFIGS[1]!]) {
  test.describe(config.slug, () => {
    test.use({ viewport: config.viewport, colorScheme: config.colorScheme });
    test("the student: an exercise link with a seed, answers right and wrong, reveals and the score", async ({
      page,
    }) => {
      test.setTimeout(180_000);
      const answers = key.checkpoints;
      expect(answers.map((c) => c.kind)).toEqual(["pte", "number", "number", "click", "kernel"]);
      const j = await Journey.open(page, config, "student", `v=1&preset=${PRESET}&seed=${SEED}`);

      await j.act(
        "the link opens the student's problem at its start",
        async () => {},
        async () => {
          const bar = page.getByTestId("exercise-bar");
          await expect(bar).toBeVisible();
          await expect(bar.getByLabel("Your seed")).toHaveValue(String(SEED));
          for (const v of key.values) await expect(page.getByTestId("exercise-drawn")).toContainText(v.text);
          await expect(page.locator(".app")).toHaveAttribute("data-position", "0");
          await expect(page.getByTestId("exercise-progress")).toHaveText("0 of 5 questions · 0 right");
        },
      );

      await j.act(
        "Play: playback stops before ksmd's pass, with the first question",
        async () => {
          await page.getByRole("button", { name: "Play", exact: true }).click();
          await expect(card(page)).toHaveAttribute("data-phase", "asking");
        },
        async () => {
          await expect(page.locator(".app")).toHaveAttribute("data-playing", "false");
          // Before the step: after QEMU and the two guest-touch actions, ksmd has not run.
          await expect(page.locator(".app")).toHaveAttribute("data-position", "3");
          await expect(card(page)).toContainText("Question 1 of 5");
          await expect(card(page)).toContainText(answers[0]!.question);
        },
      );
      await shot(page, "question", config.slug);

      await j.act("a wrong choice: a page of its own", async () => {
        await card(page).getByLabel("a page of its own (allocated)").check();
        await card(page).getByRole("button", { name: "Check" }).click();
        await expect(card(page)).toContainText("Question 2 of 5");
      });

      const rss = answers[1]!.answer;
      if (rss?.kind !== "number") throw new Error("question 2 is a number");
      await j.act("the right number of GiB", async () => {
        await card(page)
          .getByLabel("Your answer")
          .fill(String(Math.round(rss.value * 100) / 100));
        await card(page).getByRole("button", { name: "Check" }).click();
        await expect(card(page)).toContainText("Question 3 of 5");
      });

      const ksm = answers[2]!.answer;
      if (ksm?.kind !== "number") throw new Error("question 3 is a number");
      await j.act(
        "a wrong count (half of it): the step is revealed with the three verdicts",
        async () => {
          await card(page)
            .getByLabel("Your answer")
            .fill(String(Math.round(ksm.value / 2)));
          await card(page).getByRole("button", { name: "Check" }).click();
          await expect(card(page)).toHaveAttribute("data-phase", "revealed");
        },
        async () => {
          const reveals = page.getByTestId("exercise-reveal");
          await expect(reveals).toHaveCount(3);
          await expect(reveals.nth(0)).toHaveAttribute("data-status", "wrong");
          await expect(reveals.nth(0)).toContainText("The answer: the shared zeropage");
          await expect(reveals.nth(0)).toContainText("try_to_merge_with_zero_page");
          await expect(reveals.nth(1)).toHaveAttribute("data-status", "right");
          await expect(reveals.nth(2)).toHaveAttribute("data-status", "wrong");
          await expect(reveals.nth(2)).toContainText("ksm_zero_pages on the source: 0 →");
          // The step is shown: ksmd's pass is on screen.
          await expect(page.locator(".app")).toHaveAttribute("data-position", "4");
          await expect(page.getByTestId("exercise-progress")).toHaveText("3 of 5 questions · 1 right");
        },
      );
      await shot(page, "reveal", config.slug);

      const click = answers[3]!.answer;
      if (click?.kind !== "click") throw new Error("question 4 is a click");
      await j.act(
        "Continue: playback goes on and stops before the storage-key instruction",
        async () => {
          await card(page).getByRole("button", { name: "Continue" }).click();
          await expect(card(page)).toContainText("Question 4 of 5");
        },
        async () => {
          await expect(card(page)).toContainText("Click a page table on the source's map.");
          await expect(page.locator(".app")).toHaveAttribute("data-position", "4");
        },
      );

      await j.act("a click on the map, on the table the unsharing changes first", async () => {
        await clickTable(page, "source", click.table);
        await expect(page.getByTestId("exercise-clicked")).toContainText(
          `page table ${click.table.toLocaleString("en-US")}`,
        );
        await card(page).getByRole("button", { name: "Check" }).click();
        await expect(card(page)).toContainText("Question 5 of 5");
      });

      const kernel = answers[4]!.answer;
      if (kernel?.kind !== "kernel") throw new Error("question 5 chooses a kernel");
      await j.act(
        "the right kernel: the step is revealed",
        async () => {
          await card(page).getByLabel(kernel.correct[0]!, { exact: true }).check();
          await card(page).getByRole("button", { name: "Check" }).click();
          await expect(card(page)).toHaveAttribute("data-phase", "revealed");
        },
        async () => {
          const reveals = page.getByTestId("exercise-reveal");
          await expect(reveals).toHaveCount(2);
          await expect(reveals.nth(0)).toHaveAttribute("data-status", "right");
          await expect(reveals.nth(1)).toHaveAttribute("data-status", "right");
          // Both questions are decided by one rule: the first reveal names its kernel path, the
          // second refers to it.
          await expect(reveals.nth(0)).toContainText("__s390_unshare_zeropages");
          await expect(reveals.nth(1)).toContainText("Decided by s390 unshares a zeropage");
          await expect(reveals.nth(1)).toContainText("as above");
        },
      );

      await j.act(
        "Continue to the end: the score",
        async () => {
          await card(page).getByRole("button", { name: "Continue" }).click();
          await expect(page.getByTestId("exercise-summary")).toBeVisible();
        },
        async () => {
          await expect(page.getByTestId("exercise-summary")).toContainText("Your score: 3 of 5 right");
          await expect(page.getByTestId("exercise-summary")).toContainText("2 not quite · 0 skipped");
        },
      );
      await shot(page, "score", config.slug);

      if (j.full) {
        const other = answerKeyRow(presetById(PRESET)!.scenario, 7);
        await j.act(
          "another seed is another problem, from its start",
          async () => {
            await page.getByRole("button", { name: "Close" }).click();
            await page.getByTestId("exercise-bar").getByLabel("Your seed").fill("7");
            await page.getByRole("button", { name: "Draw my problem" }).click();
          },
          async () => {
            await expect(page).toHaveURL(/[#&]seed=7(&|$)/);
            for (const v of other.values)
              await expect(page.getByTestId("exercise-drawn")).toContainText(v.text);
            await expect(page.locator(".app")).toHaveAttribute("data-position", "0");
            await expect(page.getByTestId("exercise-progress")).toHaveText("0 of 5 questions · 0 right");
          },
        );
      }
    });
  });
}
