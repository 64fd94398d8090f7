/**
 * Journeys: whole paths through the app as a person plays them, with the UI's own controls (mouse
 * and keyboard; no test hook drives anything). Each journey runs once per configuration below
 * (two laptop sizes, light and dark). After every action a journey asserts that no view failed
 * (no "… view failed" box, no crash banner), that nothing logged an error, and the state the user
 * was told to expect.
 *
 * What the journeys read is what is on the page: text, attributes the views write
 * (.app[data-position] and [data-view-position], the compare view's data-compare-*), canvas pixels,
 * and a log of the page's states that a MutationObserver keeps (moments()), so that a state that
 * flashes by between two checks (a run shown without its view) is caught too.
 *
 * Key frames are compared with committed baselines (toHaveScreenshot, e2e/journeys/__screenshots__);
 * `npm run test:update-screenshots` accepts a change on purpose.
 */
import AxeBuilder from "@axe-core/playwright";
import { type Browser, expect, type Locator, type Page, test } from "@playwright/test";

/** The sizes of src/base/units.ts, for the journeys. */
export { GiB } from "../src/base/units.ts";

export interface Config {
  /** "1440x900-light": names the baselines. */
  readonly slug: string;
  readonly viewport: { readonly width: number; readonly height: number };
  readonly colorScheme: "light" | "dark";
}

export const CONFIGS: readonly Config[] = [
  { slug: "1440x900-light", viewport: { width: 1440, height: 900 }, colorScheme: "light" },
  { slug: "1280x720-dark", viewport: { width: 1280, height: 720 }, colorScheme: "dark" },
  { slug: "1280x720-light", viewport: { width: 1280, height: 720 }, colorScheme: "light" },
  { slug: "1440x900-dark", viewport: { width: 1440, height: 900 }, colorScheme: "dark" },
];

/** The first configuration plays the longest walks; the others a sample of them. */
export const FULL = CONFIGS[0]!;

/** One state of the page, as the recorder saw it (see installRecorder). */
export interface Moment {
  readonly status: string | null;
  readonly pending: boolean;
  /** A panel says "Computing…" (a run on screen without its view). */
  readonly computing: boolean;
  readonly outcome: string | null;
  readonly kernel: string | null;
  /** The kernel the header's versions line names (the run on screen): its title attribute. */
  readonly shownKernel: string | null;
}

/** Page script: records every distinct state of the header and panels while the page lives. */
function installRecorder(): void {
  const w = window as unknown as { __journeyMoments: Moment[] };
  w.__journeyMoments = [];
  let last = "";
  const record = () => {
    const app = document.querySelector(".app");
    const m: Moment = {
      status: app?.getAttribute("data-status") ?? null,
      pending: document.querySelector("[data-testid=pending-run]") !== null,
      computing: Array.from(document.querySelectorAll(".panel .muted")).some(
        (e) => e.textContent === "Computing…",
      ),
      outcome: document.querySelector("[data-testid=outcome]")?.textContent ?? null,
      kernel:
        (document.querySelector("select[aria-label='Kernel variant']") as HTMLSelectElement | null)?.value ??
        null,
      shownKernel: document.querySelector(".header .versions")?.getAttribute("title") ?? null,
    };
    const key = JSON.stringify(m);
    if (key !== last) {
      last = key;
      w.__journeyMoments.push(m);
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["data-status", "value", "title"],
  });
  // A select's value is a property, not an attribute: its change events count too.
  document.addEventListener("change", record, true);
}

export class Journey {
  readonly errors: string[] = [];

  constructor(
    readonly page: Page,
    readonly config: Config,
    readonly name: string,
  ) {
    page.on("console", (m) => {
      if (m.type() === "error") this.errors.push(m.text());
    });
    page.on("pageerror", (e) => this.errors.push(String(e)));
  }

  static async open(page: Page, config: Config, name: string, hash = ""): Promise<Journey> {
    const j = new Journey(page, config, name);
    await page.addInitScript(installRecorder);
    await page.goto(hash ? `/#${hash}` : "/");
    await j.settled();
    await j.check("open");
    return j;
  }

  /** True in the configuration that plays the longest walks. */
  get full(): boolean {
    return this.config.slug === FULL.slug;
  }

  /** This configuration's place in CONFIGS (journeys rotate samples by it). */
  get index(): number {
    return CONFIGS.findIndex((c) => c.slug === this.config.slug);
  }

  /**
   * The single view has its step on screen, with nothing computing, the before/after panel too;
   * or compare mode has its shared step and diff map on screen. Read from the attributes the
   * views write, in the page (one wait, not a round trip per poll).
   */
  async settled(): Promise<void> {
    await this.page.waitForFunction(
      () => {
        const cmp = document.querySelector("[data-testid=compare-view]");
        if (cmp) {
          const a = (n: string) => cmp.getAttribute(n);
          return (
            a("data-compare-status") === "ready" &&
            a("data-compare-position") === a("data-compare-view-position") &&
            a("data-compare-position") === a("data-compare-diff-position")
          );
        }
        const app = document.querySelector(".app");
        return (
          app?.getAttribute("data-status") === "ready" &&
          document.querySelector("[data-testid=pending-run]") === null &&
          app.getAttribute("data-position") === app.getAttribute("data-view-position")
        );
      },
      null,
      { timeout: 60_000, polling: "raf" },
    );
    // The before/after panel above the maps too: while it still computes, its height changes and
    // scrolls what is below it.
    await this.page.waitForFunction(beforeAfterShowsAppStep, false, { timeout: 60_000, polling: "raf" });
  }

  /** No view failed, no crash banner, no console error: after every action. */
  async check(after: string): Promise<void> {
    const failed = await this.page.evaluate(() =>
      Array.from(document.querySelectorAll(".view-error, [data-testid=view-crash]")).map(
        (e) => e.textContent ?? "",
      ),
    );
    expect(failed, `a view failed after: ${after}`).toEqual([]);
    expect(this.errors, `console errors after: ${after}`).toEqual([]);
  }

  /** An action, then: settled, checked, and what the user was told to expect. */
  async act(
    label: string,
    action: () => Promise<unknown>,
    expectation?: () => Promise<unknown>,
  ): Promise<void> {
    await test.step(label, async () => {
      const t0 = Date.now();
      await action();
      const t1 = Date.now();
      await this.settled();
      const t2 = Date.now();
      await this.check(label);
      if (expectation) await expectation();
      if (process.env.JOURNEY_TIMING)
        console.log(
          `${this.config.slug} ${label}: action ${t1 - t0} settle ${t2 - t1} rest ${Date.now() - t2}`,
        );
    });
  }

  /** The recorder's states since the last call (and forgets them). */
  async moments(): Promise<Moment[]> {
    return this.page.evaluate(() => {
      const w = window as unknown as { __journeyMoments: Moment[] };
      const out = w.__journeyMoments;
      w.__journeyMoments = [];
      return out;
    });
  }

  /** A key frame, compared with its committed baseline. */
  async frame(name: string, target?: Locator): Promise<void> {
    // The pointer rests outside the page, so no hover tip or ring shows.
    await this.page.mouse.move(0, 0);
    const file = `${this.name}-${name}-${this.config.slug}.png`;
    const opts = { maxDiffPixelRatio: 0.01, threshold: 0.25, animations: "disabled", caret: "hide" } as const;
    if (target) await expect(target).toHaveScreenshot(file, opts);
    else await expect(this.page).toHaveScreenshot(file, opts);
  }

  get position(): Promise<number> {
    return this.page
      .locator(".app")
      .getAttribute("data-view-position")
      .then((v) => Number(v));
  }
}

/** Runs a journey once per configuration, each as a test of its own. */
export function journey(
  title: string,
  body: (j: (hash?: string) => Promise<Journey>) => Promise<void>,
): void {
  for (const config of CONFIGS) {
    test.describe(config.slug, () => {
      test.use({ viewport: config.viewport, colorScheme: config.colorScheme });
      test(title, async ({ page }) => {
        // A whole path through the app: longer than one feature's test. The reviewer's full walk
        // (95 divergences, each settled) took over 400 s on a 2-core machine busy with other runs,
        // and the link over 180 s; each wait inside a journey keeps its own 60 s limit.
        test.setTimeout(600_000);
        const name = title.split(":")[0]!.trim().toLowerCase().replace(/\W+/g, "-");
        await body((hash = "") => Journey.open(page, config, name, hash));
      });
    });
  }
}

/**
 * Chooses an option of a select with the mouse: a press opens its list, then the option is
 * chosen (Playwright picks it, as the list is the browser's own widget).
 */
export async function chooseWithMouse(select: Locator, value: string): Promise<void> {
  await select.click();
  await select.selectOption(value);
}

/** A counter cell's raw value (the narration's counters table). */
export async function counter(page: Page, key: string, mm: string): Promise<number> {
  const cell = page.locator(`[data-testid=counters] tr[data-counter="${key}"] td[data-mm="${mm}"]`);
  return Number(await cell.getAttribute("data-value"));
}

/** A fresh browser context like the journey's, as another person opening a link. */
export async function freshPage(browser: Browser, config: Config): Promise<Page> {
  const ctx = await browser.newContext({
    viewport: config.viewport,
    colorScheme: config.colorScheme,
    reducedMotion: "reduce",
  });
  return ctx.newPage();
}

/**
 * Page script: the before/after panel shows the app's step, computed. `required`: the panel must
 * be there; without it, a page with no panel (or the panel off or failed) has nothing to wait for.
 */
export function beforeAfterShowsAppStep(required: boolean): boolean {
  const p = document.querySelector("[data-testid=before-after]");
  const status = p?.getAttribute("data-ba-status");
  if (!required && (!p || status === "off" || status === "error")) return true;
  return status === "ready" && p?.getAttribute("data-ba-position") === p?.getAttribute("data-app-position");
}

/** The colours of a canvas's pixels inside a rectangle (CSS px of the canvas), as a count per "#rrggbb". */
export async function canvasColours(
  canvas: Locator,
  rect?: { x: number; y: number; width: number; height: number },
): Promise<Map<string, number>> {
  const counts = await canvas.evaluate((el, r) => {
    const c = el as HTMLCanvasElement;
    const ctx = c.getContext("2d");
    if (!ctx) return [];
    const scale = c.width / c.getBoundingClientRect().width;
    const x = Math.floor((r?.x ?? 0) * scale);
    const y = Math.floor((r?.y ?? 0) * scale);
    const w = Math.max(1, Math.floor((r?.width ?? c.width / scale) * scale));
    const h = Math.max(1, Math.floor((r?.height ?? c.height / scale) * scale));
    const data = ctx.getImageData(x, y, Math.min(w, c.width - x), Math.min(h, c.height - y)).data;
    const out: Record<string, number> = {};
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      const hex = `#${[data[i]!, data[i + 1]!, data[i + 2]!].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
      out[hex] = (out[hex] ?? 0) + 1;
    }
    return Object.entries(out);
  }, rect);
  return new Map(counts as [string, number][]);
}

/** The most common colour among the counts. */
export function dominant(colours: Map<string, number>): string {
  let best = "";
  let n = -1;
  for (const [c, k] of colours)
    if (k > n) {
      best = c;
      n = k;
    }
  return best;
}

// Helpers of the specs that are not journeys: they wait on the app's test hook.

/** The app's test hook, window.__zeropage (src/ui/main.tsx). */
export interface Hook {
  __zeropage?: { idle(): boolean; seek(position: number): void; viewMs(): number };
}

/** The worker has answered everything asked of it. */
export async function idle(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as Hook).__zeropage?.idle() === true, null, {
    timeout: 60_000,
  });
}

/** A key press, then idle: the view the key asked for is on screen. */
export async function press(page: Page, key: string): Promise<void> {
  await page.keyboard.press(key);
  await idle(page);
}

/** Idle, and the canvases have drawn: they paint in a layout effect after React commits (two frames). */
export async function painted(page: Page): Promise<void> {
  await idle(page);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** The app has loaded its run (.app[data-status=ready]) and is idle. */
export async function ready(page: Page): Promise<void> {
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  await idle(page);
}

/** axe-core (WCAG 2.1 A and AA rules): the serious and critical violations, each with its rule, impact and elements. */
export async function serious(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return r.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.split("\n").join(" ")}`)
          .join("\n")}`,
    );
}
