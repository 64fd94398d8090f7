/**
 * Every preset in real Chromium, one page per preset: the app reaches the end state and shows the
 * counters the kernel rules predict (the golden tests in src/scenario/presets/ hold the
 * arithmetic); axe finds no serious or critical violation there (WCAG 2.1 A and AA); stepping back
 * and forth returns exactly to earlier values; and the keyboard alone drives it (Tab reaches the
 * transport bar, arrows step, `[` `]` change the granularity, the go-to box takes a step).
 */
import { expect, type Page, test } from "@playwright/test";
import { GiB, MiB, PAGE_SIZE } from "../src/base/units.ts";
import { PRESETS } from "../src/scenario/presets/index.ts";
import { counter, type Hook, idle, press, ready, serious } from "./support.ts";

async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`/#${hash}`);
  await ready(page);
}

/** Every counter cell, as "key/mm=value" lines: equal strings, equal state. */
async function allCounters(page: Page): Promise<string> {
  return page
    .locator("[data-testid=counters] td[data-mm]")
    .evaluateAll((cells) =>
      cells
        .map(
          (c) =>
            `${c.closest("tr")?.getAttribute("data-counter")}/${c.getAttribute("data-mm")}=${c.getAttribute("data-value")}`,
        )
        .join("\n"),
    );
}

/**
 * What the views show, beyond the counters: every map's tables per class, the migration's phase
 * and QEMU counters, the balloon's size, and the narration's heading. Equal strings, equal views.
 */
async function viewState(page: Page): Promise<string> {
  const counters = await allCounters(page);
  const maps = await page
    .locator("[data-testid^=map-summary-]")
    .evaluateAll((els) =>
      els.map((e) => `${e.getAttribute("data-testid")}=${e.getAttribute("data-summary")}`),
    );
  const mig = await page
    .getByTestId("migration")
    .evaluate((e) =>
      ["phase", "duplicate", "normal"].map((k) => `${k}=${e.getAttribute(`data-${k}`)}`).join(" "),
    );
  const balloon = await page.getByTestId("balloon").getAttribute("data-balloon-pages");
  const heading = await page.locator("[data-testid=narration] .headline").first().textContent();
  return [counters, ...maps, `migration ${mig}`, `balloon=${balloon}`, `narration: ${heading}`].join("\n");
}

type Expect = Record<string, Partial<Record<"source" | "destination", number | ((v: number) => boolean)>>>;

interface Case {
  readonly id: string;
  readonly kernel?: string;
  readonly outcome: "completed" | "hung" | "failed";
  readonly end: Expect;
  /** Counters one action before the end. */
  readonly before?: Expect;
  /** Text the end's narration (the last action's summary) must contain. */
  readonly narration?: RegExp;
}

const CASES: readonly Case[] = [
  {
    // B forbids the zeropage for every KVM guest: the migration's reads of the 40 GiB balloon
    // allocate real pages on the source and again on the destination.
    id: "commit-06201e00",
    outcome: "completed",
    end: {
      rssAnonBytes: { source: 100 * GiB, destination: 100 * GiB },
      zeropagePtes: { source: 0, destination: 0 },
      pteTables: { source: 102_400, destination: 102_400 },
    },
    before: { rssAnonBytes: { source: 60 * GiB, destination: 0 } },
    narration: /zeropage forbidden/,
  },
  {
    // C re-enables the shared zeropage: the same reads cost only page tables.
    id: "commit-06201e00",
    kernel: "s390-06201e00",
    outcome: "completed",
    end: {
      rssAnonBytes: { source: 60 * GiB, destination: 60 * GiB },
      zeropagePtes: { source: (40 * GiB) / PAGE_SIZE, destination: (40 * GiB) / PAGE_SIZE },
    },
    narration: /maps the shared zeropage/,
  },
  {
    // B' (90a7592da149): UFFDIO_ZEROPAGE honours mm_forbids_zeropage() and allocates.
    id: "commit-06201e00-postcopy",
    outcome: "completed",
    end: {
      rssAnonBytes: { source: 100 * GiB, destination: 100 * GiB },
      zeropagePtes: { source: 0, destination: 0 },
    },
  },
  {
    // C: the first storage-key instruction unshares every zeropage: +40 GiB on the destination.
    id: "skeys-after-migration",
    outcome: "completed",
    end: {
      rssAnonBytes: { source: 60 * GiB, destination: 100 * GiB },
      zeropagePtes: { source: (40 * GiB) / PAGE_SIZE, destination: 0 },
    },
    before: {
      rssAnonBytes: { destination: 60 * GiB },
      zeropagePtes: { destination: (40 * GiB) / PAGE_SIZE },
    },
    narration: /s390 unshares a zeropage/,
  },
  {
    // PV disables COW sharing (no zeropage left), QEMU refuses the balloon and the migration.
    id: "pv-guest",
    outcome: "failed",
    end: {
      zeropagePtes: { source: 0 },
      rssAnonBytes: { source: (v) => v > 4 * GiB && v <= 6 * GiB, destination: 0 },
    },
  },
  {
    // ksmd with use_zero_pages merges 4 GiB of zero-filled pages into the zeropage (12 → 8 GiB);
    // C's storage keys unshare them again (8 → 12 GiB).
    id: "ksm-zero-pages",
    outcome: "completed",
    end: { rssAnonBytes: { source: 12 * GiB }, zeropagePtes: { source: 0 }, ksmZeroPages: { source: 0 } },
    before: {
      rssAnonBytes: { source: 8 * GiB },
      zeropagePtes: { source: (4 * GiB) / PAGE_SIZE },
      ksmZeroPages: { source: (4 * GiB) / PAGE_SIZE },
    },
  },
  {
    // With the pagemap check QEMU never reads the 40 GiB that are not present: 60 GiB each.
    id: "pagemap-optimization",
    outcome: "completed",
    end: {
      rssAnonBytes: { source: 60 * GiB, destination: 60 * GiB },
      zeropagePtes: { source: 0, destination: 0 },
    },
  },
  {
    // A (2faee8ff): storage keys zap the zeropages postcopy placed; the next read hangs.
    id: "postcopy-hang-2017",
    outcome: "hung",
    end: { zeropagePtes: { destination: 0 } },
    narration: /waits forever/,
  },
  {
    // x86_64: 12 GiB freed and reported in 2 MiB blocks; precopy reads them back as zeropages.
    id: "free-page-reporting",
    outcome: "completed",
    end: { rssAnonBytes: { source: (v) => v > 20 * GiB && v < 21 * GiB } },
  },
  {
    // C: 24 MiB lent to the balloon and taken back (QEMU only hints MADV_WILLNEED), then a read of
    // all 64 MiB maps the 32 MiB never written to the zeropage; the deflation itself maps nothing.
    id: "balloon-deflate",
    outcome: "completed",
    end: {
      rssAnonBytes: { source: 32 * MiB },
      zeropagePtes: { source: (32 * MiB) / PAGE_SIZE },
    },
    before: { rssAnonBytes: { source: 32 * MiB }, zeropagePtes: { source: 0 } },
    narration: /zeropage|zero page/i,
  },
  {
    // C with guest RAM in a memfd: no zeropage for shmem, the 40 GiB come back on both hosts.
    id: "commit-06201e00-memfd",
    outcome: "completed",
    end: {
      rssAnonBytes: { source: 0, destination: 0 },
      shmemBytes: { source: 100 * GiB, destination: 100 * GiB },
      zeropagePtes: { source: 0, destination: 0 },
    },
  },
  {
    // C: CMM's DIAGNOSE 0x10 zaps pages postcopy placed; the guest touches one again and hangs.
    id: "cmm-during-postcopy",
    outcome: "hung",
    end: {},
    narration: /waits forever/,
  },
  {
    // 64 MiB: 32 MiB written, 16 MiB ballooned, every unwritten page read as a zeropage (C).
    id: "teaching-small",
    outcome: "completed",
    end: {
      rssAnonBytes: { source: 32 * MiB, destination: 32 * MiB },
      zeropagePtes: { source: (32 * MiB) / PAGE_SIZE, destination: (32 * MiB) / PAGE_SIZE },
      pteTables: { source: 64, destination: 64 },
    },
  },
  {
    // A 96 GiB source host: under B the reads allocate until the OOM killer ends QEMU.
    id: "commit-06201e00-oom",
    outcome: "failed",
    end: { hostMemBytes: { source: (v) => v > 90 * GiB && v <= 96 * GiB } },
  },
];

/** Presets that ask questions open at their start and hold at each (the exercise journeys play them). */
const EXERCISES = PRESETS.filter((p) => "exercise" in p.scenario && p.scenario.exercise !== undefined);
const STORIES = PRESETS.filter((p) => !EXERCISES.includes(p));

test("every preset has a case here", () => {
  expect(EXERCISES.length).toBeGreaterThan(0);
  expect(new Set(CASES.map((c) => c.id))).toEqual(new Set(STORIES.map((p) => p.id)));
});

for (const preset of EXERCISES) {
  test(`${preset.id}: opens at its start as an exercise, and End stops at its first question`, async ({
    page,
  }) => {
    await open(page, `preset=${preset.id}`);
    const app = page.locator(".app");
    await expect(app).toHaveAttribute("data-view-position", "0");
    await expect(page.getByTestId("exercise-bar")).toBeVisible();
    expect(await serious(page)).toEqual([]);
    const last = Number(await page.getByRole("slider", { name: "Timeline" }).getAttribute("aria-valuemax"));
    await press(page, "End");
    await expect(page.getByTestId("exercise-card")).toBeVisible();
    const held = Number(await app.getAttribute("data-view-position"));
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(last);
  });
}

async function check(page: Page, e: Expect): Promise<void> {
  for (const [key, mms] of Object.entries(e)) {
    for (const [mm, want] of Object.entries(mms)) {
      const v = await counter(page, key, mm);
      if (typeof want === "function") expect(want(v), `${key} on the ${mm}: ${v}`).toBe(true);
      else expect(v, `${key} on the ${mm}`).toBe(want);
    }
  }
}

for (const c of CASES) {
  const name = c.kernel ? `${c.id} under ${c.kernel}` : c.id;
  test(`${name}: ends as the kernel rules predict, with no axe violation; steps back exactly; keyboard only`, async ({
    page,
  }) => {
    await open(page, `preset=${c.id}${c.kernel ? `&kernel=${c.kernel}` : ""}`);
    await expect(page.getByTestId("outcome")).toHaveText(c.outcome);
    await expect(page.locator(".app")).toHaveAttribute("data-engine-env", "worker");
    // The step attributes are written in a layout effect after the commit that shows the run.
    const position = async () => Number(await page.locator(".app").getAttribute("data-position"));
    await expect.poll(position).toBeGreaterThan(0);
    const total = await position();
    await check(page, c.end);
    if (c.narration) await expect(page.getByTestId("narration")).toContainText(c.narration);
    expect(await serious(page)).toEqual([]);
    const end = await viewState(page);

    await press(page, "ArrowLeft");
    await expect(page.locator(".app")).toHaveAttribute("data-view-position", String(total - 1));
    if (c.before) await check(page, c.before);
    const oneBack = await viewState(page);
    await press(page, "ArrowLeft");
    await press(page, "ArrowRight");
    expect(await viewState(page)).toBe(oneBack);
    await press(page, "ArrowRight");
    expect(await viewState(page)).toBe(end);

    // And at page-table granularity, somewhere in the middle of the run.
    await press(page, "]");
    await expect(page.getByRole("radio", { name: "Page table" })).toBeChecked();
    const tables = Number(await page.getByRole("slider", { name: "Timeline" }).getAttribute("aria-valuemax"));
    const mid = Math.floor(tables / 2);
    await page.evaluate((p) => (window as unknown as Hook).__zeropage?.seek(p), mid);
    await idle(page);
    const there = await viewState(page);
    for (let i = 0; i < 3; i++) await press(page, "ArrowRight");
    for (let i = 0; i < 3; i++) await press(page, "ArrowLeft");
    await expect(page.locator(".app")).toHaveAttribute("data-view-position", String(mid));
    expect(await viewState(page)).toBe(there);

    // Back to the story's end at action granularity, nothing focused: the keyboard alone.
    await press(page, "[");
    await press(page, "End");
    await expect(page.locator(".app")).toHaveAttribute("data-view-position", String(total));
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await keyboardOnly(page);
  });
}

/**
 * Keyboard only (no test hook: keys and the focus order alone), from the story's end at action
 * granularity with nothing focused. Tab reaches the transport bar's buttons from the top of the
 * page; arrows step; `]` and `[` change the granularity; the "go to step" box takes a number and
 * Enter; Home and End jump.
 */
async function keyboardOnly(page: Page): Promise<void> {
  const app = page.locator(".app");
  const total = Number(await app.getAttribute("data-position"));
  expect(total).toBeGreaterThan(1);

  // Tab from the top of the page until the "Step back" button has the focus: it is reachable.
  const stepBack = page.getByRole("button", { name: "Step back" });
  let reached = false;
  for (let i = 0; i < 200 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await stepBack.evaluate((el) => el === document.activeElement);
  }
  expect(reached).toBe(true);
  await page.keyboard.press("Enter");
  await expect(app).toHaveAttribute("data-view-position", String(total - 1));

  // With the focus on a button, the page's keys still step.
  await page.keyboard.press("Home");
  await expect(app).toHaveAttribute("data-view-position", "0");
  await page.keyboard.press("ArrowRight");
  await expect(app).toHaveAttribute("data-view-position", "1");
  await page.keyboard.press("ArrowLeft");
  await expect(app).toHaveAttribute("data-view-position", "0");

  // Granularity: ] to page tables, [ back to actions.
  await page.keyboard.press("]");
  await expect(page.getByRole("radio", { name: "Page table" })).toBeChecked();
  await page.keyboard.press("[");
  await expect(page.getByRole("radio", { name: "Action" })).toBeChecked();

  // The go-to box, reached with Tab from the granularity control, takes a step number.
  const goTo = page.getByLabel("Go to step");
  await page.getByRole("radio", { name: "Action" }).focus();
  for (let i = 0; i < 10; i++) {
    if (await goTo.evaluate((el) => el === document.activeElement)) break;
    await page.keyboard.press("Tab");
  }
  await expect(goTo).toBeFocused();
  const target = Math.min(2, total);
  await page.keyboard.type(String(target));
  await page.keyboard.press("Enter");
  await expect(app).toHaveAttribute("data-view-position", String(target));

  // Tab out of the box (its own keys edit the number), then End.
  await page.keyboard.press("Tab");
  await page.keyboard.press("End");
  await expect(app).toHaveAttribute("data-view-position", String(total));
}
