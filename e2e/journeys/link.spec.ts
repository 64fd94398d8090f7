/**
 * The link: someone shares the exact step they are looking at (in each section of the memory
 * panel, at each granularity, in compare mode at each granularity) with the Share menu, and the
 * link opened in a fresh browser lands on exactly the same view. A link pasted while playback
 * runs lands on its own step. Then damaged variants of a link: each says what was wrong, keeps
 * what was valid and names the value it replaced.
 *
 * The bugs this journey holds (each step fails without its fix):
 *   1  a pasted link whose kernel cannot run its scenario: every view draws again afterwards
 *   2  a "Step by" radio chosen with the mouse gives the focus back: ← steps, the choice stays
 *   7  an altered h= is a note (not "the model changed … please report it", not "step 4"); an
 *      unknown kernel keeps the scenario and step and names the value; step=99999999 is noted; a
 *      kernel that cannot run the scenario is replaced by the scenario's own, and named
 *   8  the link carries the open section, the balloon highlight and compare's granularity; a link
 *      pasted while playing lands on its own step
 */
import { type Browser, expect, type Page } from "@playwright/test";
import { type Config, freshPage, Journey, journey } from "../support.ts";

const SECTIONS = [
  ["Maps", "view-maps"],
  ["Page table", "view-table"],
  ["Balloon", "view-balloon"],
  ["Migration", "view-migration"],
] as const;
const GRANULARITIES = [
  ["action", "Action"],
  ["table", "Page table"],
  ["pte", "PTE"],
] as const;

/** What a person sees of the single view, as one string: equal strings, the same view. */
async function viewOf(page: Page): Promise<string> {
  return page.evaluate(() => {
    const app = document.querySelector(".app")!;
    const panel = document.querySelector(".panel.center")!.getBoundingClientRect();
    const open = document.querySelector(".center-nav-item[aria-current=true]")?.textContent ?? "";
    const section = document.getElementById(
      { Maps: "view-maps", "Page table": "view-table", Balloon: "view-balloon", Migration: "view-migration" }[
        open
      ] ?? "view-maps",
    );
    const top = section ? Math.round(section.getBoundingClientRect().top - panel.top) : -1;
    const counters = Array.from(document.querySelectorAll("[data-testid=counters] td[data-mm]"))
      .map(
        (c) =>
          `${c.closest("tr")?.getAttribute("data-counter")}/${c.getAttribute("data-mm")}=${c.getAttribute("data-value")}`,
      )
      .join(",");
    const maps = Array.from(document.querySelectorAll("[data-testid^=map-summary-]"))
      .map((e) => e.getAttribute("data-summary"))
      .join(";");
    return JSON.stringify({
      scenario: (document.querySelector("select[aria-label='Scenario preset']") as HTMLSelectElement).value,
      kernel: (document.querySelector("select[aria-label='Kernel variant']") as HTMLSelectElement).value,
      granularity: (document.querySelector(".segmented input:checked") as HTMLInputElement | null)?.value,
      position: app.getAttribute("data-view-position"),
      open,
      // The section stands at the top of the panel (within a few pixels), or where the panel ends.
      top: Math.abs(top) < 48 ? "top" : top,
      balloon: (document.querySelector(".zl-balloon input[type=checkbox]") as HTMLInputElement | null)
        ?.checked,
      table: document.querySelector("#view-table h2")?.textContent ?? "",
      narration:
        document.querySelector("[data-testid=narration] h3, [data-testid=narration] h2")?.textContent ?? "",
      counters,
      maps,
    });
  });
}

/** The Share menu's link to this exact step, copied with its button. */
async function copyStepLink(j: Journey): Promise<string> {
  const page = j.page;
  let link = "";
  await j.act(
    "copy the step link from the Share menu",
    async () => {
      await page.getByRole("button", { name: "Share" }).click();
      await page.getByRole("button", { name: "Copy step link" }).click();
      await expect(page.locator(".zl-copied")).toHaveText("Step link copied");
      link = await page.evaluate(() => navigator.clipboard.readText());
      await page.keyboard.press("Escape");
    },
    async () => {
      await expect(page.locator("dialog[open]")).toHaveCount(0);
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#v=1&/);
    },
  );
  return link;
}

/** Opens `link` in a fresh browser and returns the page, settled. */
async function reopen(
  browser: Browser,
  config: Config,
  link: string,
  name: string,
): Promise<{ other: Journey; page: Page }> {
  const page = await freshPage(browser, config);
  const other = await Journey.open(page, config, name, link.replace(/^[^#]*#/, ""));
  return { other, page };
}

journey(
  "link: shared views reopen exactly, a pasted link lands on its step, damaged links keep what is valid",
  async (open) => {
    const j = await open("v=1&preset=teaching-small&kernel=s390-fa41ba0d");
    const page = j.page;
    const browser = page.context().browser()!;
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);

    // Each section at a step, each at a granularity: configuration k pairs section i with
    // granularity (i + k) mod 3, so the first three configurations together share every pair.
    const k = j.index;
    const pairs = SECTIONS.map((s, i) => [s, GRANULARITIES[(i + k) % 3]!] as const);
    let i = 0;
    for (const [[section, id], [g, label]] of pairs) {
      i++;
      await j.act(
        `step by ${label}`,
        () => page.locator(`.segmented input[value=${g}]`).check(),
        async () => {
          await expect(page.locator(`.segmented input[value=${g}]`)).toBeChecked();
        },
      );
      await j.act("press End", () => page.keyboard.press("End"));
      const end = await j.position;
      await j.act(
        "step back twice with ←",
        async () => {
          await page.keyboard.press("ArrowLeft");
          await page.keyboard.press("ArrowLeft");
        },
        async () => {
          // The radio chosen with the pointer gave the focus back: ← stepped, the choice stayed.
          expect(await j.position).toBe(end - 2);
          await expect(page.locator(`.segmented input[value=${g}]`)).toBeChecked();
        },
      );
      if (section === "Page table") {
        await j.act(
          "select a page table on the maps with the keyboard",
          async () => {
            await page.getByTestId("map-source").locator("canvas").first().focus();
            await page.keyboard.press("ArrowRight");
          },
          async () => {
            await expect(page.locator("#view-table h2")).toContainText("page table");
          },
        );
      }
      await j.act(
        `open the ${section} section`,
        () =>
          page
            .getByRole("navigation", { name: "Memory views" })
            .getByRole("button", { name: section, exact: true })
            .click(),
        async () => {
          await expect(page.locator(`#${id}`)).toBeInViewport({ ratio: 0.1 });
        },
      );
      if (section === "Balloon") {
        await j.act("highlight the ballooned tables", () =>
          page.getByLabel("Highlight the ballooned tables on the host maps").check(),
        );
      }
      const here = await viewOf(page);
      const link = await copyStepLink(j);
      if (section !== "Maps") expect(link).toContain(`view=${id.slice(5)}`);
      if (section === "Balloon") expect(link).toContain("balloon=1");
      const { other, page: there } = await reopen(browser, j.config, link, `link-${i}`);
      await other.check("the shared link opened");
      expect(await viewOf(there), `the view reopened from ${link}`).toBe(here);
      if (i === 3) await other.frame("reopened", there.locator(".layout"));
      await there.context().close();
    }

    // A link pasted into the address bar while playback runs lands on its own step.
    await j.act("step by Page table", () => page.locator(".segmented input[value=table]").check());
    // The address bar follows the step after a moment (replaceState, coalesced).
    await expect.poll(() => page.url()).toContain("g=table");
    const target = new URL(page.url());
    target.hash = target.hash.replace(/step=\d+/, "step=300").replace(/&e=.*$/, "");
    // One action: while playback runs the view trails the step, so the page settles only once the
    // pasted link has stopped it (a run left playing never settles, or lands past 300).
    await j.act(
      "play from the start, and paste a link to page-table step 300 while playing",
      async () => {
        await page.keyboard.press("Home");
        await page.getByRole("button", { name: "Play" }).click();
        await expect(page.locator(".app")).toHaveAttribute("data-playing", "true");
        await page.goto(target.toString());
      },
      async () => {
        await expect(page.locator(".app")).toHaveAttribute("data-playing", "false");
        expect(await j.position).toBe(300);
        await page.waitForTimeout(300);
        expect(await j.position).toBe(300);
      },
    );

    // Compare mode: share at each granularity, reopen.
    await j.act(
      "compare with x86_64",
      () => page.getByLabel("Compare this run with").selectOption("x86_64"),
      async () => {
        await expect(page.getByTestId("side-label-right")).toContainText("x86_64");
      },
    );
    // Compare's granularity: one per configuration, all three across them.
    for (const g of [(["action", "table", "pte"] as const)[k % 3]!]) {
      await j.act(`compare: step by ${g}`, () => page.getByLabel("Step granularity").selectOption(g));
      // Stepping by action the cursor stands between actions (a divergence would step by page
      // table): one action back; finer, the next divergence.
      if (g === "action")
        await j.act("compare: previous aligned step", () =>
          page.getByRole("button", { name: "Previous aligned step" }).click(),
        );
      else
        await j.act("compare: next divergence", () =>
          page.getByRole("button", { name: "Next divergence ▶" }).click(),
        );
      await expect(page.getByLabel("Step granularity")).toHaveValue(g);
      const cmpOf = async (p: Page) =>
        JSON.stringify({
          g: await p.getByLabel("Step granularity").inputValue(),
          at: await p.getByTestId("compare-view").getAttribute("data-compare-position"),
          count: await p.getByTestId("divergence-count").textContent(),
          left: await p.getByTestId("side-step-left").textContent(),
          right: await p.getByTestId("side-step-right").textContent(),
        });
      const here = await cmpOf(page);
      const link = await copyStepLink(j);
      expect(link).toContain("compare=x86_64");
      const { other, page: there } = await reopen(browser, j.config, link, "link-compare");
      await other.check("the shared compare link opened");
      expect(await cmpOf(there), `the compare view reopened from ${link}`).toBe(here);
      await there.context().close();
    }
    await j.act("leave compare", () => page.getByTestId("leave-compare").click());

    // Damaged variants of a link at page-table step 300.
    await j.act(
      "step by Page table and go to step 300",
      async () => {
        await page.locator(".segmented input[value=table]").check();
        const goTo = page.getByLabel("Go to step");
        await goTo.fill("300");
        await goTo.press("Enter");
      },
      async () => expect(await j.position).toBe(300),
    );
    const good = await copyStepLink(j);
    const h = /[&#]h=([0-9a-f]{12})/.exec(good)![1]!;
    const damaged: [string, string, (p: Page, d: Journey) => Promise<void>][] = [
      [
        "an altered end-state hash (h=)",
        good.replace(`h=${h}`, "h=000000000000"),
        async (p, d) => {
          await expect(p.getByTestId("link-check")).toHaveCount(0);
          await expect(p.getByTestId("link-notes")).toContainText("h=000000000000 was altered");
          await expect(p.locator("body")).not.toContainText("please report");
          await expect(p.locator("body")).not.toContainText("differs from step");
          expect(await d.position).toBe(300);
          await expect.poll(() => new URL(p.url()).hash).toContain(`h=${h}`);
        },
      ],
      [
        "an unknown kernel",
        good.replace(/kernel=[^&]+/, "kernel=s390-zzz"),
        async (p, d) => {
          await expect(p.getByTestId("link-error")).toHaveCount(0);
          await expect(p.getByTestId("link-notes")).toContainText('kernel="s390-zzz" was replaced');
          await expect(p.getByTestId("link-notes")).toContainText("the scenario's own kernel runs instead");
          await expect(p.getByLabel("Scenario preset", { exact: true })).toHaveValue("teaching-small");
          expect(await d.position).toBe(300);
        },
      ],
      [
        "a step past the end",
        good.replace(/step=\d+/, "step=99999999"),
        async (p, d) => {
          await expect(p.getByTestId("link-notes")).toContainText(
            "step=99,999,999 is past the end of this run",
          );
          const end = Number(
            (await p.getByTestId("link-notes").textContent())!
              .match(/its end, step ([\d,]+)/)![1]!
              .replace(/,/g, ""),
          );
          expect(await d.position).toBe(end);
        },
      ],
    ];
    // Every damaged variant in the first configuration, one in turn in the others.
    for (const [what, link, expectation] of j.full ? damaged : [damaged[k % 3]!]) {
      const { other, page: there } = await reopen(browser, j.config, link, "link-damaged");
      await other.check(`a link with ${what} opened`);
      await expectation(there, other);
      await there.context().close();
    }

    // A link pasted over the scenario on screen whose kernel cannot run its scenario (a PV guest under x86_64):
    // the scenario runs under its own kernel at the link's step, a note names the kernel, and
    // every view draws (the views emptied while the refused run was cleared; coming back, the
    // balloon map was sized from an element no longer in the page and failed, item 1).
    await j.act(
      "paste a link to a PV guest under x86_64",
      async () => {
        await page.goto("/#v=1&preset=pv-guest&kernel=x86_64&g=action&step=5");
      },
      async () => {
        await expect(page.getByLabel("Scenario preset", { exact: true })).toHaveValue("pv-guest");
        await expect(page.getByTestId("link-notes")).toContainText("kernel=x86_64 cannot run its scenario");
        await expect(page.getByTestId("link-error")).toHaveCount(0);
        expect(await j.position).toBe(5);
        await expect(page.getByTestId("balloon").locator("canvas").first()).toBeVisible();
      },
    );
  },
);
