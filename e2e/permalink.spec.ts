/**
 * Permalinks in real Chromium: a copied link reproduces the step and counters in a fresh browser
 * context; Back and Forward; hostile and broken links execute nothing and say what is wrong;
 * the self-check; embed mode; the editor (validation, history, cancelling a large run); the preset
 * gallery; and exports (PNG and SVG checked by signature and by decoding them in the browser).
 * Screenshots go to test-results/permalink-*.png.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { packJson } from "../src/permalink/compress.ts";
import { endHash, formatEndValues, parseEndValues } from "../src/permalink/end-state.ts";
import { decodeLink, encodeLink, type LinkState } from "../src/permalink/index.ts";
import { type Hook, ready } from "./support.ts";

/** Every counter cell of the counters table: "rssAnonBytes/source" → raw value. */
async function counters(page: Page): Promise<Record<string, string>> {
  return page
    .locator("[data-testid=counters] td[data-mm]")
    .evaluateAll((cells) =>
      Object.fromEntries(
        cells.map((c) => [
          `${c.closest("tr")?.getAttribute("data-counter")}/${c.getAttribute("data-mm")}`,
          c.getAttribute("data-value") ?? "",
        ]),
      ),
    );
}

async function openPanel(page: Page, button: string): Promise<void> {
  await page.getByRole("button", { name: button, exact: true }).click();
  await expect(page.locator("dialog[open]")).toBeVisible();
}

async function closePanel(page: Page): Promise<void> {
  await page.locator("dialog[open] .zl-close").click();
  await expect(page.locator("dialog[open]")).toHaveCount(0);
}

/** A fresh browser context: no history, no storage, nothing shared with the first page. */
async function freshPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ reducedMotion: "reduce", viewport: { width: 1440, height: 900 } });
  return ctx.newPage();
}

function hashOf(page: Page): Promise<string> {
  return page.evaluate(() => window.location.hash);
}

test("a copied link opens the same step, selection and counters in a fresh browser", async ({
  page,
  browser,
}) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/#preset=teaching-small&kernel=s390-fa41ba0d&g=table");
  await ready(page);
  // Version 0 links are rewritten as current ones, with the self-check.
  await expect
    .poll(() => hashOf(page))
    .toMatch(/^#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=table&step=\d+&e=\d+&h=/);
  // A selection (mm 0, page table 3, guest page 800) rides along.
  await page.goto("/#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=table&sel=0.3.800");
  await ready(page);
  await page.evaluate(() => (window as unknown as Hook).__zeropage?.seek(37));
  await ready(page);
  await expect(page.locator(".app")).toHaveAttribute("data-position", "37");
  const before = await counters(page);

  await openPanel(page, "Share");
  await page.getByRole("button", { name: "Copy step link" }).click();
  await expect(page.locator(".zl-copied")).toHaveText("Step link copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await page.getByTestId("step-link-text").inputValue());
  expect(copied).toMatch(
    /^http:\/\/127\.0\.0\.1:\d+\/#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=table&step=37&sel=0\.3\.800&e=\d+&h=/,
  );
  await page.screenshot({ path: "test-results/permalink-share.png" });

  const other = await freshPage(browser);
  await other.goto(copied);
  await ready(other);
  await expect(other.locator(".app")).toHaveAttribute("data-position", "37");
  await expect(other.getByLabel("Scenario preset")).toHaveValue("teaching-small");
  await expect(other.getByLabel("Kernel variant")).toHaveValue("s390-fa41ba0d");
  await expect(other.locator("input[type=radio][value=table]")).toBeChecked();
  expect(await counters(other)).toEqual(before);
  await expect.poll(() => hashOf(other)).toContain("&step=37&sel=0.3.800&");
  await expect(other.getByTestId("link-check")).toHaveCount(0);
  await expect(other.getByTestId("link-error")).toHaveCount(0);
  await other.screenshot({ path: "test-results/permalink-fresh-page.png", fullPage: true });
  await other.context().close();
});

test("stepping replaces the history entry; loading pushes one; Back and Forward restore both", async ({
  page,
}) => {
  await page.goto("/#v=1&preset=teaching-small&kernel=s390-06201e00&g=action&step=1");
  await ready(page);
  const start = await page.evaluate(() => history.length);
  for (const p of [2, 3, 4]) {
    await page.evaluate((x) => (window as unknown as Hook).__zeropage?.seek(x), p);
    await ready(page);
  }
  await expect.poll(() => hashOf(page)).toContain("&step=4&");
  expect(await page.evaluate(() => history.length)).toBe(start);
  const smallAt4 = await counters(page);

  // A preset from the gallery: one new entry.
  await openPanel(page, "Presets");
  await page.locator('[data-preset="ksm-zero-pages"] button').first().click();
  await expect(page.locator("dialog[open]")).toHaveCount(0);
  await ready(page);
  await expect(page.getByLabel("Scenario preset")).toHaveValue("ksm-zero-pages");
  await expect.poll(() => hashOf(page)).toMatch(/preset=ksm-zero-pages/);
  expect(await page.evaluate(() => history.length)).toBe(start + 1);

  await page.goBack();
  await ready(page);
  await expect(page.getByLabel("Scenario preset")).toHaveValue("teaching-small");
  await expect(page.locator(".app")).toHaveAttribute("data-position", "4");
  expect(await counters(page)).toEqual(smallAt4);

  await page.goForward();
  await ready(page);
  await expect(page.getByLabel("Scenario preset")).toHaveValue("ksm-zero-pages");
  expect(await page.evaluate(() => history.length)).toBe(start + 1);
});

const PAYLOADS = [
  `<img src=x onerror="window.__pwned=1;alert(1)">`,
  "javascript:window.__pwned=1;alert(1)",
  `"><script>window.__pwned=1</script>`,
  `<svg onload="window.__pwned=1">`,
];

function watchForScript(page: Page): { dialogs: string[]; errors: string[] } {
  const seen = { dialogs: [] as string[], errors: [] as string[] };
  page.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  return seen;
}

async function assertNothingRan(page: Page, seen: { dialogs: string[]; errors: string[] }): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(seen.dialogs).toEqual([]);
  expect(seen.errors).toEqual([]);
  expect(await page.locator('img[src="x"], script:not([src]), svg[onload]').count()).toBe(0);
}

test("a hostile custom scenario with payloads in every text field executes nothing and shows the error", async ({
  page,
}) => {
  const seen = watchForScript(page);
  const [a, b, c, d] = PAYLOADS as [string, string, string, string];
  const hostile = {
    schemaVersion: 1,
    title: a,
    description: b,
    seed: 1,
    machine: {
      kernel: c,
      kernelVersion: d,
      arch: a,
      guestRam: b,
      thp: c,
      hosts: { source: { memLimit: d } },
      qemu: { version: a, zeroPageDetection: b },
    },
    actions: [
      { do: c, size: d },
      { do: "guest-touch", size: a, content: b },
    ],
  };
  const link = `/#v=1&s=${packJson(hostile)}&kernel=s390-fa41ba0d`;
  await page.goto(link);
  await ready(page);
  const banner = page.getByTestId("link-error");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("This link could not be opened.");
  await expect(banner).toContainText("machine.kernel");
  await expect(banner).toContainText("Showing the default scenario instead.");
  await expect(page.getByLabel("Scenario preset")).toHaveValue("commit-06201e00");
  await page.screenshot({ path: "test-results/permalink-hostile-error.png" });
  await assertNothingRan(page, seen);
});

test("a valid scenario whose title and description are payloads renders them as inert text", async ({
  page,
}) => {
  const seen = watchForScript(page);
  const scenario = {
    schemaVersion: 1,
    title: PAYLOADS[0]!,
    description: `${PAYLOADS[1]} ${PAYLOADS[2]} ${PAYLOADS[3]}`,
    machine: { kernel: "s390-06201e00", guestRam: "64MiB" },
    actions: [{ do: "guest-touch", size: "16MiB" }],
  };
  await page.goto(`/#v=1&s=${packJson(scenario)}`);
  await ready(page);
  await expect(page.getByTestId("link-error")).toHaveCount(0);
  await openPanel(page, "Edit");
  await expect(page.locator("#ed-title")).toHaveValue(PAYLOADS[0]!);
  await expect(page.locator("#ed-description")).toHaveValue(scenario.description);
  await closePanel(page);
  await openPanel(page, "Export");
  await page.getByRole("button", { name: "Plain-text summary" }).click();
  await expect(page.getByTestId("summary-text")).toHaveValue(/Zeropage Lab: <img src=x onerror=/);
  await closePanel(page);
  await page.screenshot({ path: "test-results/permalink-hostile-inert.png" });
  await assertNothingRan(page, seen);
});

test("broken links say what is wrong: truncated, oversized, malformed, newer, unknown preset", async ({
  page,
}) => {
  const seen = watchForScript(page);
  const good = `v=1&s=${packJson({ schemaVersion: 1, machine: { kernel: "x86_64", guestRam: "1GiB" }, actions: [] })}`;
  const cases: [string, RegExp][] = [
    [`#${good.slice(0, -7)}`, /could not be read/],
    [`#v=1&preset=teaching-small&pad=${"A".repeat(70_000)}`, /too long/],
    ["#v=1&preset=teaching-small&s=abc", /both a preset \(preset=\) and a custom scenario/],
    ["#v=1&preset=no-such-story", /preset that does not exist/],
    ["#v=2&preset=teaching-small", /newer than this copy of Zeropage Lab/],
  ];
  for (const [hash, message] of cases) {
    await page.goto(`/${hash}`);
    await ready(page);
    await expect(page.getByTestId("link-error")).toContainText(message);
    await expect(page.getByLabel("Scenario preset")).toHaveValue("commit-06201e00");
    if (hash.startsWith("#v=2")) {
      await expect(page.getByTestId("link-error")).toContainText("This link is from a newer Zeropage Lab.");
      await page.screenshot({ path: "test-results/permalink-newer.png" });
    }
  }
  // A malformed view parameter is not a broken link: it is replaced, and a note names it.
  await page.goto("/#v=1&preset=teaching-small&step=ten");
  await ready(page);
  await expect(page.getByTestId("link-error")).toHaveCount(0);
  await expect(page.getByTestId("link-notes")).toContainText(
    'step="ten" was replaced (expected a whole number)',
  );
  await expect(page.getByLabel("Scenario preset")).toHaveValue("teaching-small");
  await assertNothingRan(page, seen);
});

test("the CSP forbids inline and eval'd scripts", async ({ page }) => {
  const html = readFileSync("index.html", "utf8");
  const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? "";
  const script = /script-src ([^;]+)/.exec(csp)?.[1] ?? "";
  expect(script).toBe("'self'");
  expect(csp).not.toMatch(/unsafe-eval/);
  await page.goto("/");
  const served = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  expect(served).toContain("script-src 'self'");
  expect(served).not.toMatch(/script-src[^;]*unsafe/);
});

test("a link whose result changed says so, from which step, and shows both results", async ({ page }) => {
  await page.goto("/#v=1&preset=teaching-small&kernel=s390-06201e00");
  await ready(page);
  const r = decodeLink(await hashOf(page));
  if (!r.ok || !r.state.check) throw new Error("the app wrote no self-check");
  const check = r.state.check;
  // What an older engine might have said: one more GiB of RssAnon on the source at the end, and a
  // different third action.
  const end = parseEndValues(check.values!)!;
  const older = {
    ...end,
    values: end.values.map((m, i) => (i === 0 ? [m[0]! + 2 ** 30, ...m.slice(1)] : m)),
  };
  const old: LinkState = {
    ...r.state,
    check: {
      engine: 0,
      end: endHash(older),
      actions: `${check.actions.slice(0, 8)}AAAA${check.actions.slice(12)}`,
      values: formatEndValues(older),
    },
  };
  await page.goto(`/#${encodeLink(old)}`);
  await ready(page);
  const warning = page.getByTestId("link-check");
  await expect(warning).toContainText(
    "This link was made with engine version 0; the result now differs from action 3 (",
  );
  await warning.getByRole("button", { name: "Show both" }).click();
  await expect(page.getByTestId("link-both")).toContainText("now");
  await expect(page.getByTestId("link-both").locator("td.zl-differs")).toHaveCount(1);
  await page.screenshot({ path: "test-results/permalink-self-check.png" });
  await warning.getByRole("button", { name: /^Go to action 3/ }).click();
  await ready(page);
  await expect(page.locator(".app")).toHaveAttribute("data-position", "3");
  await expect(page.locator("input[type=radio][value=action]")).toBeChecked();
  // The link's expectation stays in the address bar, so a reload warns again.
  expect(await hashOf(page)).toContain(`h=${old.check!.end}`);
  await page.reload();
  await ready(page);
  await expect(page.getByTestId("link-check")).toContainText("differs from action 3");
});

test("embed mode: a reduced layout, autoplay, no editor, and an 'open in full app' link", async ({
  page,
}) => {
  await page.goto(
    "/#v=1&preset=teaching-small&kernel=s390-06201e00&g=action&step=0&embed=1&editor=0&autoplay=1",
  );
  await expect(page.locator(".app.embed")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  await expect(page.locator(".zl-embed-editor")).toHaveCount(0);
  await expect(page.locator(".header")).toHaveCount(0);
  await expect(page.getByTestId("counters")).toBeVisible();
  await expect
    .poll(() => page.locator(".app").getAttribute("data-position"), { timeout: 20_000 })
    .not.toBe("0");
  const full = await page.getByTestId("open-full").getAttribute("href");
  expect(full).toMatch(/#v=1&preset=teaching-small&kernel=s390-06201e00&g=action&step=\d+/);
  expect(full).not.toContain("embed=");
  await page.screenshot({ path: "test-results/permalink-embed.png" });

  await page.goto("/#v=1&preset=teaching-small&embed=1");
  await expect(page.locator(".app.embed")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  await expect(page.locator(".zl-embed-editor summary")).toHaveText("Edit the scenario");
  await page.goto(full!);
  await ready(page);
  await expect(page.locator(".app.embed")).toHaveCount(0);
  await expect(page.locator(".header")).toBeVisible();
});

test("the editor validates inline, re-simulates, and Back returns to the scenario before the edit", async ({
  page,
}) => {
  await page.goto("/#v=1&preset=teaching-small&kernel=s390-06201e00");
  await ready(page);
  const start = await page.evaluate(() => history.length);
  await openPanel(page, "Edit");
  const ram = page.locator("#ed-machine-guestRam");
  await expect(ram).toHaveValue("64MiB");
  await ram.fill("12345");
  await expect(page.locator('[data-path="machine.guestRam"] .zl-issue')).toContainText("whole 4 KiB pages");
  await expect(ram).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: "test-results/permalink-editor-invalid.png" });
  // A compile-time check from the worker: zero-page-detection needs QEMU 9.0.
  await ram.fill("128MiB");
  await page.locator("#ed-machine-qemu-version").fill("8.2");
  await page.locator("#ed-machine-qemu-zeroPageDetection").selectOption("legacy");
  await expect(page.getByTestId("editor-issues")).toContainText(
    "zero-page-detection exists from QEMU 9.0 on",
  );
  await expect(page.locator('[data-path="machine.qemu.zeroPageDetection"] .zl-issue')).toBeVisible();
  await page.locator("#ed-machine-qemu-zeroPageDetection").selectOption("");
  await expect(page.getByTestId("editor-issues")).toHaveCount(0);
  // Valid again: it re-runs by itself.
  await expect(page.locator(".zl-status")).toHaveText("shown", { timeout: 30_000 });
  await closePanel(page);
  await ready(page);
  await expect(page.getByLabel("Scenario preset")).toHaveValue("");
  expect(await hashOf(page)).toMatch(/^#v=1&(s|preset=teaching-small&o)=/);
  expect(await page.evaluate(() => history.length)).toBe(start + 1);
  await page.goBack();
  await ready(page);
  await expect(page.getByLabel("Scenario preset")).toHaveValue("teaching-small");
  await expect(page.getByLabel("Kernel variant")).toHaveValue("s390-06201e00");
});

test("a large scenario shows its progress and can be cancelled", async ({ page }) => {
  await page.goto("/#v=1&preset=teaching-small&kernel=s390-06201e00");
  await ready(page);
  const start = await page.evaluate(() => history.length);
  await openPanel(page, "Edit");
  await page.getByRole("checkbox", { name: "re-run as I type" }).uncheck();
  await page.locator("#ed-machine-guestRam").fill("16TiB");
  await page.locator("#ed-actions-0-size").fill("16TiB");
  await page.getByRole("button", { name: "Run this scenario" }).click();
  const progress = page.getByTestId("load-progress");
  await expect(progress).toBeVisible();
  await expect(progress).toContainText(/Computing/);
  await page.screenshot({ path: "test-results/permalink-progress.png" });
  await progress.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
  await closePanel(page);
  await ready(page);
  await expect(page.getByLabel("Scenario preset")).toHaveValue("teaching-small");
  expect(await page.evaluate(() => history.length)).toBe(start);
  await expect(page.locator(".app")).toHaveAttribute("data-engine-env", "worker");
});

test("exports: the current view and the summary card as PNG and SVG are valid images; scenario, trace, CSV and summary; import validates", async ({
  page,
}) => {
  await page.goto("/#v=1&preset=commit-06201e00&kernel=s390-fa41ba0d&g=action&step=3");
  await ready(page);
  await openPanel(page, "Export");
  const save = async (button: string) => {
    const [dl] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: button }).click(),
    ]);
    const path = await dl.path();
    return { name: dl.suggestedFilename(), bytes: readFileSync(path!) };
  };

  const png = await save("Summary card (PNG)");
  expect(png.name).toMatch(/^zeropage-lab-.*-s390-fa41ba0d-step-3\.png$/);
  expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.bytes.readUInt32BE(16)).toBe(2560); // IHDR width: 1280 × 2
  expect(png.bytes.readUInt32BE(20)).toBe(1440);
  expect(png.bytes.length).toBeGreaterThan(20_000);
  writeFileSync("test-results/permalink-card.png", png.bytes);

  const svg = await save("Summary card (SVG)");
  const svgText = svg.bytes.toString("utf8");
  expect(
    svgText.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'),
  ).toBe(true);
  expect(svgText.trimEnd().endsWith("</svg>")).toBe(true);
  // The browser parses it as XML and decodes it as an image of the right size.
  const decoded = await page.evaluate(async (text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    if (doc.querySelector("parsererror")) return "parsererror";
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    await img.decode();
    return `${img.naturalWidth}x${img.naturalHeight}`;
  }, svgText);
  expect(decoded).toBe("1280x720");

  // The current view: the memory maps at this step, as SVG and as a PNG of it.
  const viewSvgFile = await save("Current view (SVG)");
  expect(viewSvgFile.name).toMatch(/^zeropage-lab-.*-s390-fa41ba0d-view-step-3\.svg$/);
  const viewText = viewSvgFile.bytes.toString("utf8");
  expect(viewText.length).toBeGreaterThan(2_000);
  expect(viewText.length).toBeLessThan(300_000); // 102,400 tables per map, runs merged
  const [, w, h] = /<svg [^>]*width="(\d+)" height="(\d+)"/.exec(viewText) ?? [];
  const view = await page.evaluate(async (text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    if (doc.querySelector("parsererror")) return null;
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    await img.decode();
    return {
      size: `${img.naturalWidth}x${img.naturalHeight}`,
      maps: doc.querySelectorAll("g[data-mm]").length,
      paths: doc.querySelectorAll("g[data-mm] path").length,
      title: doc.querySelector("title")?.textContent ?? "",
    };
  }, viewText);
  expect(view).not.toBeNull();
  expect(view!.size).toBe(`${w}x${h}`);
  expect(view!.maps).toBe(2);
  expect(view!.paths).toBeGreaterThan(1);
  expect(view!.title).toContain("s390-fa41ba0d");
  expect(view!.title).toContain("step 3 of 4 by action");
  const viewPng = await save("Current view (PNG)");
  expect([...viewPng.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(viewPng.bytes.readUInt32BE(16)).toBe(2 * Number(w));
  expect(viewPng.bytes.readUInt32BE(20)).toBe(2 * Number(h));
  expect(viewPng.bytes.length).toBeGreaterThan(20_000);
  writeFileSync("test-results/permalink-view.png", viewPng.bytes);

  const csv = (await save("Counters (CSV)")).bytes.toString("utf8").trimEnd().split("\n");
  expect(csv[0]).toMatch(/^event,action,action_label,mm,rssAnonBytes,vmPteBytes,/);
  expect(csv.length).toBeGreaterThan(100);
  const trace = JSON.parse((await save("Trace (JSON)")).bytes.toString("utf8"));
  expect(trace.format).toBe("zeropage-lab-trace");
  const scenarioFile = await save("Scenario (JSON)");
  const scenario = JSON.parse(scenarioFile.bytes.toString("utf8"));
  expect(scenario.machine.kernel).toBe("s390-fa41ba0d");

  await page.getByRole("button", { name: "Plain-text summary" }).click();
  const summary = await page.getByTestId("summary-text").inputValue();
  expect(summary).toContain("Kernel:  B s390-fa41ba0d");
  expect(summary).toMatch(/Link: {4}http:\/\/127\.0\.0\.1:\d+\/#v=1&preset=commit-06201e00/);
  expect(summary).toMatch(/^RssAnon\s+100 GiB\s+100 GiB\s+100 GiB\s+100 GiB$/m);
  await page.screenshot({ path: "test-results/permalink-export.png" });

  // Import: a broken file lists its problems with paths; the exported file loads again.
  await page.getByTestId("import-file").setInputFiles({
    name: "broken.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ ...scenario, actions: [{ do: "guest-touch", size: "12345" }] })),
  });
  await expect(page.getByTestId("import-error")).toContainText("actions[0].size");
  const before = await page.evaluate(() => history.length);
  await page.getByTestId("import-file").setInputFiles({
    name: scenarioFile.name,
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ ...scenario, seed: 7 })),
  });
  await expect(page.locator("dialog[open]")).toHaveCount(0);
  await ready(page);
  await expect(page.getByTestId("outcome")).toHaveText("completed");
  expect(await page.evaluate(() => history.length)).toBe(before + 1);
});
