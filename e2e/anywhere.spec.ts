/**
 * Anywhere: the production build served from a deep sub-path (/some/deep/path/, by a tiny static
 * server that answers 404 outside it), then offline, then updated by a new deployment. Each test
 * plays with the UI's own controls:
 *
 *   - from the sub-path: open, step, copy the step link from Share, open it in a fresh browser;
 *     nothing is fetched outside the sub-path (assets, the worker, the icons, the manifest, the
 *     service worker);
 *   - offline: open once (the service worker saves the app), go offline, reload, play the story to
 *     its end, open a shared link;
 *   - a new deployment: the page keeps its version and offers the new one; accepting reloads onto it.
 */
import { type Browser, expect, type Page, test } from "@playwright/test";
import { type StaticDist, serveDist } from "./static-dist.ts";
import { ready } from "./support.ts";

const PREFIX = "/some/deep/path/";

let dist: StaticDist;
test.beforeAll(async () => {
  dist = await serveDist(PREFIX);
});
test.afterAll(async () => {
  await dist.close();
});

async function fresh(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  (page as unknown as { errors: string[] }).errors = errors;
  return page;
}

const errorsOf = (page: Page) => (page as unknown as { errors: string[] }).errors;

/** The service worker is active and has precached everything (Workbox activates after precaching). */
async function installed(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return reg.active?.state;
  });
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === "activated");
}

/**
 * The requests the page made. The browser's own update check of the service worker script
 * (sw.js, a "soft update" after each navigation, sent a moment later from the browser process)
 * is not the page's: Playwright's offline mode covers the page and not that fetch, so it can reach
 * the server during an offline test, where a real offline browser would see it fail and carry on.
 */
const pageRequests = () => dist.requests.filter((p) => p !== `${PREFIX}sw.js`);

async function position(page: Page): Promise<number> {
  return Number(await page.locator(".app").getAttribute("data-view-position"));
}

async function stepLink(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Share", exact: true }).click();
  const link = await page.getByTestId("step-link-text").inputValue();
  await page.locator("dialog[open] .zl-close").click();
  return link;
}

test("from a deep sub-path: open, step, and a copied step link opens there in a fresh browser", async ({
  browser,
}) => {
  const page = await fresh(browser);
  await page.goto(dist.url);
  await ready(page);
  expect(await page.locator(".app").getAttribute("data-engine-env")).toBe("worker");
  await expect(page.getByTestId("outcome")).toHaveText("completed");
  // The icons and manifest resolve under the sub-path.
  const manifest = await page.locator("link[rel=manifest]").evaluate((l) => (l as HTMLLinkElement).href);
  expect(manifest).toBe(`${dist.url}manifest.webmanifest`);
  const m = await (await page.request.get(manifest)).json();
  for (const icon of m.icons as { src: string }[]) {
    const r = await page.request.get(new URL(icon.src, manifest).href);
    expect(r.status(), icon.src).toBe(200);
    expect(r.headers()["content-type"]).toBe("image/png");
  }

  // The story without a link opens at its start.
  expect(await position(page)).toBe(0);
  await page.getByRole("button", { name: "Step forward" }).click();
  await page.getByRole("button", { name: "Step forward" }).click();
  await ready(page);
  expect(await position(page)).toBe(2);
  const link = await stepLink(page);
  expect(link.startsWith(`${dist.url}#v=1&`), link).toBe(true);
  expect(link).toContain("step=2");

  const other = await fresh(browser);
  await other.goto(link);
  await ready(other);
  expect(await position(other)).toBe(2);
  await expect(other.getByTestId("narration")).toContainText("guest allocates 100 GiB");
  await other.screenshot({ path: "test-results/anywhere-sub-path.png" });

  const outside = dist.requests.filter((p) => !p.startsWith(PREFIX));
  expect(outside, "requests outside the sub-path").toEqual([]);
  for (const p of ["index.html", "sw.js", "favicon.svg", "manifest.webmanifest"])
    expect(
      dist.requests.some((r) => r === `${PREFIX}${p}` || (p === "index.html" && r === PREFIX)),
      p,
    ).toBe(true);
  expect(dist.requests.some((r) => /\/assets\/engine\.worker-[^/]+\.js$/.test(r))).toBe(true);
  expect(errorsOf(page)).toEqual([]);
  expect(errorsOf(other)).toEqual([]);
  await page.context().close();
  await other.context().close();
});

test("offline: opened once, reloaded without a network, the story plays and a shared link opens", async ({
  browser,
}) => {
  const page = await fresh(browser);
  await page.goto(dist.url);
  await ready(page);
  await installed(page);
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await expect(page.getByTestId("offline-status")).toHaveAttribute("data-offline", "ready");
  await page.locator("dialog[open] .zl-close").click();

  await page.context().setOffline(true);
  const before = pageRequests().length;
  await page.reload();
  await ready(page);
  expect(await page.locator(".app").getAttribute("data-engine-env")).toBe("worker");
  // The page came from the service worker's cache: the server saw nothing.
  expect(pageRequests().slice(before)).toEqual([]);

  // Play the story from its start to its end with the transport buttons, at 8×: playback pauses at
  // the story's key moments (the guided story), and Play goes on from each.
  expect(await position(page)).toBe(0);
  await page.getByLabel("Playback speed").selectOption("8");
  const stops: number[] = [];
  for (let i = 0; i < 6 && (await position(page)) < 4; i++) {
    await page.getByRole("button", { name: "Play", exact: true }).click();
    await expect(page.locator(".app")).toHaveAttribute("data-playing", "false", { timeout: 30_000 });
    await ready(page);
    stops.push(await position(page));
  }
  expect(stops.at(-1)).toBe(4);
  expect(stops).toEqual([...stops].sort((a, b) => a - b));
  await expect(page.getByTestId("narration")).toContainText("precopy migration");

  // A shared link (another kernel, a step) opens offline, computed by the cached engine.
  await page.goto(`${dist.url}#v=1&preset=commit-06201e00&kernel=s390-06201e00&g=action&step=3`);
  await ready(page);
  expect(await position(page)).toBe(3);
  await expect(page.getByLabel("Kernel variant", { exact: true })).toHaveValue("s390-06201e00");
  await expect(page.getByTestId("narration")).toContainText("balloon inflates by 40 GiB");
  expect(pageRequests().slice(before)).toEqual([]);
  await page.screenshot({ path: "test-results/anywhere-offline.png" });
  expect(errorsOf(page)).toEqual([]);
  await page.context().close();
});

test("a new deployment: the page keeps its version, offers the new one, and reloads onto it when asked", async ({
  browser,
}) => {
  const page = await fresh(browser);
  await page.goto(`${dist.url}#v=1&preset=commit-06201e00&kernel=x86_64&g=action&step=2`);
  await ready(page);
  await installed(page);
  const first = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
  await expect(page.getByTestId("update-prompt")).toHaveCount(0);

  try {
    dist.deploy("deployment 2");
    await page.reload();
    await ready(page);
    const prompt = page.getByTestId("update-prompt");
    await expect(prompt).toBeVisible({ timeout: 30_000 });
    await expect(prompt).toContainText("A new version of Zeropage Lab is available");
    // Nothing switched by itself: the new version waits, the page shows its link's step.
    expect(
      await page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting)),
    ).toBe(true);
    expect(await position(page)).toBe(2);
    await page.screenshot({ path: "test-results/anywhere-update-prompt.png" });

    await Promise.all([
      page.waitForEvent("framenavigated"),
      prompt.getByRole("button", { name: "Reload with the new version" }).click(),
    ]);
    await ready(page);
    await expect(page.getByTestId("update-prompt")).toHaveCount(0);
    const after = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { waiting: Boolean(reg?.waiting), controller: navigator.serviceWorker.controller?.scriptURL };
    });
    expect(after).toEqual({ waiting: false, controller: first });
    // The link survived the reload: same kernel, same step.
    expect(await position(page)).toBe(2);
    await expect(page.getByLabel("Kernel variant", { exact: true })).toHaveValue("x86_64");
  } finally {
    dist.deploy("");
  }
  expect(errorsOf(page)).toEqual([]);
  await page.context().close();
});
