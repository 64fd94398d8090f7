/**
 * The teacher builds an exercise: opens the small teaching guest, which asks nothing, and in the
 * editor's Exercises section asks two questions (a choice among kernels before the guest reads
 * memory it never wrote, a number of MiB before the migration) and lets the amount of data the
 * guest writes vary per student. The run on screen becomes an exercise; the answer key lists five
 * seeds with their problems and answers; "Link for the class" gives the link to hand out. A student
 * then opens that link with their seed, answers both questions right, and scores 2 of 2.
 *
 * The right answers are worked out here from the scenario the link carries, by the library the
 * app's worker uses (answerKeyRow in Node): the page's key and grades must agree with it.
 */
import { expect, type Locator, type Page, test } from "@playwright/test";
import { answerKeyRow } from "../../src/exercise/key.ts";
import { decodeLink } from "../../src/permalink/decode.ts";
import { applyMergePatch } from "../../src/permalink/merge-patch.ts";
import { presetById } from "../../src/scenario/presets/index.ts";
import { answerWords } from "../../src/state/exercise.ts";
import type { AnswerKeyRow } from "../../src/worker/api.ts";
import { CONFIGS, Journey } from "../support.ts";

const SEEDS = [1, 2, 3, 4, 5];
const STUDENT = 3;
const KERNEL_QUESTION =
  "Under which kernel does the guest's read of memory it never wrote leave the source with the least RssAnon?";
const NUMBER_QUESTION = "How many MiB of RssAnon will the destination hold after the migration?";

/** The scenario a link carries (a preset with overrides, or a scenario of its own). */
function scenarioOf(url: string): unknown {
  const r = decodeLink(url.slice(url.indexOf("#")));
  if (!r.ok) throw new Error(`the link does not decode: ${r.error}`);
  const ref = r.state.scenario;
  if (ref.kind === "custom") return ref.scenario;
  return applyMergePatch(presetById(ref.id)!.scenario, ref.overrides ?? {});
}

function editorQuestion(page: Page, n: number): Locator {
  return page.getByTestId("editor-question").nth(n);
}

function card(page: Page): Locator {
  return page.getByTestId("exercise-card");
}

async function shot(page: Page, name: string, slug: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: test.info().outputPath(`teacher-exercise-${name}-${slug}.png`) });
}

for (const config of [CONFIGS[0]!, CONFIGS[1]!]) {
  test.describe(config.slug, () => {
    test.use({ viewport: config.viewport, colorScheme: config.colorScheme });
    test("the teacher: builds an exercise in the editor, checks the answer key, hands out the link", async ({
      page,
      context,
    }) => {
      test.setTimeout(240_000);
      const j = await Journey.open(page, config, "teacher-exercise", "v=1&preset=teaching-small");
      await expect(page.getByTestId("exercise-bar")).toHaveCount(0);

      await j.act(
        "open the editor: an empty Exercises section",
        () => page.getByRole("button", { name: "Edit" }).click(),
        async () => {
          const section = page.getByTestId("editor-exercises");
          await expect(section).toBeVisible();
          await expect(section.getByTestId("editor-question")).toHaveCount(0);
        },
      );
      const section = page.getByTestId("editor-exercises");

      await j.act(
        "ask a choice among kernels, before the guest reads memory it never wrote",
        async () => {
          await section.getByRole("button", { name: "Ask a choice among kernels" }).click();
          const q = editorQuestion(page, 0);
          await q
            .getByLabel("asked before", { exact: true })
            .selectOption({ label: "Action 3 · guest-read" });
          await q.getByRole("textbox", { name: "question", exact: true }).fill(KERNEL_QUESTION);
          const kernels = q.getByRole("group", { name: "kernels to choose from" });
          const wanted = ["s390-06201e00", "s390-fa41ba0d"];
          for (const box of await kernels.getByRole("checkbox").all()) {
            const name = ((await box.locator("xpath=..").textContent()) ?? "").trim();
            await box.setChecked(wanted.includes(name));
          }
          await expect(kernels.getByRole("checkbox", { checked: true })).toHaveCount(2);
          await q.getByLabel("the answer is the kernel that…").selectOption("least");
          await q.getByLabel("counter", { exact: true }).selectOption("rssAnonBytes");
        },
        async () => {
          await expect(page.getByTestId("editor-issues")).toHaveCount(0);
        },
      );

      await j.act(
        "ask a number of MiB, before the migration",
        async () => {
          await section.getByRole("button", { name: "Ask a number" }).click();
          const q = editorQuestion(page, 1);
          await expect(q.getByLabel("asked before", { exact: true })).toHaveValue("3");
          await q.getByRole("textbox", { name: "question", exact: true }).fill(NUMBER_QUESTION);
          await q.getByLabel("on", { exact: true }).selectOption("destination");
          await q.getByLabel("unit", { exact: true }).selectOption("MiB");
          await q.getByRole("textbox", { name: "tolerance" }).fill("2%");
        },
        async () => {
          await expect(page.getByTestId("editor-issues")).toHaveCount(0);
        },
      );

      await j.act(
        "let the data the guest writes vary per student, and run it",
        async () => {
          await section.getByLabel("Vary the data written").check();
          const range = section.locator("[data-range=written]");
          await range.getByLabel("from", { exact: true }).fill("25%");
          await range.getByLabel("to", { exact: true }).fill("75%");
          await range.getByLabel("step", { exact: true }).fill("12.5%");
          const run = page.getByRole("button", { name: "Run this scenario" });
          if (await run.isEnabled()) await run.click();
          await expect(page.locator(".zl-status")).toHaveText("shown", { timeout: 30_000 });
        },
        async () => {
          await expect(page.getByTestId("editor-issues")).toHaveCount(0);
        },
      );
      await section
        .getByRole("group", { name: "Each student's problem (a link with seed=)" })
        .scrollIntoViewIfNeeded();
      await shot(page, "editor", config.slug);

      await j.act(
        "close the editor: the run on screen is an exercise now",
        () => page.keyboard.press("Escape"),
        async () => {
          const bar = page.getByTestId("exercise-bar");
          await expect(bar).toBeVisible();
          await expect(bar.getByLabel("Your seed")).toHaveValue("");
          await expect(page.getByTestId("exercise-progress")).toHaveText("0 of 2 questions · 0 right");
        },
      );
      const scenario = scenarioOf(page.url());
      const key: AnswerKeyRow[] = SEEDS.map((s) => answerKeyRow(scenario, s));
      for (const row of key) expect(row.problem, `seed ${row.seed}`).toBe("");
      expect(key.map((r) => r.checkpoints.map((c) => c.kind))).toEqual(SEEDS.map(() => ["kernel", "number"]));
      // The seeds draw different amounts of data, and the number asked about follows them.
      expect(new Set(key.map((r) => r.values[0]?.text)).size).toBeGreaterThan(1);
      expect(new Set(key.map((r) => JSON.stringify(r.checkpoints[1]?.answer))).size).toBeGreaterThan(1);

      await j.act(
        "the answer key: five seeds, each with its problem and the engine's answers",
        async () => {
          await page.getByTestId("exercise-bar").getByRole("button", { name: "Answer key" }).click();
          const dialog = page.getByRole("dialog", { name: "Answer key" });
          await dialog.getByLabel("Seeds").fill("1-5");
          await dialog.getByRole("button", { name: "Work out the answers" }).click();
          await expect(dialog.getByTestId("answer-key").locator("tbody tr")).toHaveCount(SEEDS.length);
        },
        async () => {
          const table = page.getByTestId("answer-key");
          for (const row of key) {
            const tr = table.locator(`tbody tr[data-seed="${row.seed}"]`);
            for (const v of row.values) await expect(tr).toContainText(v.text);
            const cells = tr.locator("td");
            for (const [i, c] of row.checkpoints.entries())
              await expect(cells.nth(1 + i)).toHaveText(answerWords(c, ["source", "destination"]));
          }
        },
      );
      await shot(page, "answer-key", config.slug);

      let classLink = "";
      await j.act(
        "close the key; Link for the class: the exercise without a seed",
        async () => {
          await page.keyboard.press("Escape");
          await page.getByRole("button", { name: "Link for the class" }).click();
        },
        async () => {
          const field = page.getByTestId("exercise-class-link");
          await expect(field).toBeVisible();
          classLink = await field.inputValue();
          expect(classLink).not.toMatch(/[#&]seed=/);
          expect(classLink).not.toMatch(/[#&]step=/);
          expect(JSON.stringify(scenarioOf(classLink))).toBe(JSON.stringify(scenario));
          await expect(page.getByRole("group", { name: "The link to hand out" })).toContainText(
            "Each student adds &seed=",
          );
        },
      );
      await shot(page, "class-link", config.slug);

      // The student: the class's link with their number, in a page of their own.
      const row = key[SEEDS.indexOf(STUDENT)]!;
      const student = await context.newPage();
      const s = new Journey(student, config, "teacher-exercise-student");
      await student.goto(`${classLink}&seed=${STUDENT}`);
      await s.settled();
      await s.check("the student opens the link");
      await s.act(
        "the student's problem, drawn from their seed",
        async () => {},
        async () => {
          await expect(student.getByTestId("exercise-bar").getByLabel("Your seed")).toHaveValue(
            String(STUDENT),
          );
          for (const v of row.values)
            await expect(student.getByTestId("exercise-drawn")).toContainText(v.text);
        },
      );

      const kernel = row.checkpoints[0]!.answer;
      if (kernel?.kind !== "kernel") throw new Error("question 1 chooses a kernel");
      await s.act(
        "Play: it stops before the read, asking which kernel",
        async () => {
          await student.getByRole("button", { name: "Play", exact: true }).click();
          await expect(card(student)).toHaveAttribute("data-phase", "asking");
        },
        async () => {
          await expect(card(student)).toContainText("Question 1 of 2");
          await expect(card(student)).toContainText(KERNEL_QUESTION);
          await expect(student.locator(".app")).toHaveAttribute("data-position", "3");
        },
      );
      await s.act(
        "the right kernel: revealed",
        async () => {
          await card(student).getByLabel(kernel.correct[0]!, { exact: true }).check();
          await card(student).getByRole("button", { name: "Check" }).click();
          await expect(card(student)).toHaveAttribute("data-phase", "revealed");
        },
        async () => {
          await expect(student.getByTestId("exercise-reveal")).toHaveAttribute("data-status", "right");
        },
      );

      const mib = row.checkpoints[1]!.answer;
      if (mib?.kind !== "number") throw new Error("question 2 is a number");
      await s.act(
        "Continue: it stops before the migration; the right number of MiB",
        async () => {
          await card(student).getByRole("button", { name: "Continue" }).click();
          await expect(card(student)).toContainText("Question 2 of 2");
          await expect(card(student)).toContainText(NUMBER_QUESTION);
          await card(student)
            .getByLabel("Your answer")
            .fill(String(Math.round(mib.value)));
          await card(student).getByRole("button", { name: "Check" }).click();
          await expect(card(student)).toHaveAttribute("data-phase", "revealed");
        },
        async () => {
          await expect(student.getByTestId("exercise-reveal")).toHaveAttribute("data-status", "right");
          await expect(student.locator(".app")).toHaveAttribute("data-position", "5");
        },
      );
      await s.act(
        "Continue to the end: 2 of 2",
        () => card(student).getByRole("button", { name: "Continue" }).click(),
        async () => {
          await expect(student.getByTestId("exercise-summary")).toContainText("Your score: 2 of 2 right");
        },
      );
      await shot(student, "student-score", config.slug);
    });
  });
}
