/**
 * Driving an embed from a slide deck: the ten-line example deck of docs/embed-example.html, served
 * from its own origin (another port on 127.0.0.1; Chromium's local network access checks keep a
 * routed public host from framing a loopback app), its iframe pointed at the app under test, steps,
 * plays and switches the kernel of the embedded app with postMessage and hears its ready and step
 * events; a page at a third origin that embeds the very same link and sends the same commands
 * changes nothing and hears nothing.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type FrameLocator, type Page, test } from "@playwright/test";

/** A one-page server on 127.0.0.1: its origin is the page's origin. */
async function onePage(html: () => string): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The example deck, with its iframe pointed at `app` (the build under test) and naming `deck`. */
function exampleDeck(app: string, deck: string): string {
  const html = readFileSync("docs/embed-example.html", "utf8");
  expect(html.split("\n").filter((l) => l.trim() !== "").length).toBeLessThanOrEqual(10);
  return html
    .replace("https://example.edu/os/zeropage/", `${app}/`)
    .replace("https://slides.example.edu", deck);
}

/** A page that embeds the same link and records every message it receives. */
function intruderPage(src: string): string {
  return `<!doctype html><meta charset="utf-8"><title>elsewhere</title>
<iframe id="lab" width="960" height="600" src="${src.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"></iframe>
<script>window.heard = []; addEventListener("message", (e) => window.heard.push(e.data));</script>`;
}

async function embedReady(lab: FrameLocator): Promise<void> {
  await expect(lab.locator(".app.embed")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
}

async function at(page: Page): Promise<string> {
  return (await page.locator("#at").textContent()) ?? "";
}

let deck: { origin: string; server: Server };
let intruder: { origin: string; server: Server };
let deckHtml = "";
test.beforeAll(async () => {
  deck = await onePage(() => deckHtml);
  intruder = await onePage(() => intruderPage(/src="([^"]+)"/.exec(deckHtml)![1]!));
});
test.afterAll(async () => {
  for (const s of [deck.server, intruder.server]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

test("the example deck drives the embed; a page at another origin changes nothing", async ({
  page,
  baseURL,
}) => {
  deckHtml = exampleDeck(baseURL!, deck.origin);
  await page.goto(`${deck.origin}/`);
  const lab = page.frameLocator("#lab");
  await embedReady(lab);
  // ready: the link opens at the end of the story.
  await expect(page.locator("#at")).toHaveText(/^step 4 of 4: /);

  await page.getByRole("button", { name: "◀ Back" }).click();
  await expect(page.locator("#at")).toHaveText("step 3 of 4: balloon inflates by 40 GiB");
  await expect(lab.locator(".app.embed")).toHaveAttribute("data-view-position", "3");
  await expect(lab.getByTestId("narration")).toContainText("balloon inflates by 40 GiB");
  await page.getByRole("button", { name: "◀ Back" }).click();
  await page.getByRole("button", { name: "◀ Back" }).click();
  await expect(page.locator("#at")).toHaveText(/^step 1 of 4: QEMU starts/);
  await page.getByRole("button", { name: "Next ▶" }).click();
  await expect(page.locator("#at")).toHaveText(/^step 2 of 4: guest allocates 100 GiB/);
  await expect(lab.locator(".app.embed")).toHaveAttribute("data-view-position", "2");

  // Play from step 2: the deck hears each step. Playback pauses at the story's key moments (the
  // balloon inflated, at step 3); Play again goes on to the end.
  await page.getByRole("button", { name: "Play" }).click();
  await expect(page.locator("#at")).toHaveText("step 3 of 4: balloon inflates by 40 GiB", {
    timeout: 20_000,
  });
  await expect(lab.locator(".app.embed")).toHaveAttribute("data-playing", "false");
  await page.getByRole("button", { name: "Play" }).click();
  await expect(page.locator("#at")).toHaveText(/^step 4 of 4: precopy migration/, { timeout: 20_000 });
  await expect(lab.locator(".app.embed")).toHaveAttribute("data-playing", "false");

  // setKernel, pause and a malformed command, straight from the deck's page.
  const heard = await page.evaluate(async () => {
    const lab = document.getElementById("lab") as HTMLIFrameElement;
    const APP = new URL(lab.src).origin;
    const got: { type: string; message?: string; kernel?: string }[] = [];
    addEventListener("message", (e) => {
      if (e.origin === APP) got.push(e.data);
    });
    lab.contentWindow!.postMessage({ type: "zeropage-lab:seek", step: "two" }, APP);
    lab.contentWindow!.postMessage({ type: "zeropage-lab:setKernel", kernel: "s390-06201e00" }, APP);
    for (let i = 0; i < 200 && !got.some((m) => m.kernel === "s390-06201e00"); i++)
      await new Promise((r) => setTimeout(r, 50));
    return got;
  });
  expect(heard[0]).toEqual({
    type: "zeropage-lab:error",
    message: "zeropage-lab:seek: step: expected a number",
  });
  expect(heard.at(-1)).toMatchObject({ type: "zeropage-lab:step", kernel: "s390-06201e00", step: 4 });
  await expect(lab.locator(".zl-embed-head")).toContainText("s390-06201e00");
  await page.screenshot({ path: "test-results/embed-control-deck.png" });

  // The intruder embeds the same link (copied from the deck) and sends the same commands.
  const other = await page.context().newPage();
  await other.goto(`${intruder.origin}/`);
  const theirs = other.frameLocator("#lab");
  await embedReady(theirs);
  const before = {
    position: await theirs.locator(".app.embed").getAttribute("data-view-position"),
    kernel: await theirs.locator(".zl-embed-head .muted").textContent(),
  };
  await other.evaluate(async () => {
    const lab = document.getElementById("lab") as HTMLIFrameElement;
    const APP = new URL(lab.src).origin;
    for (const m of [
      { type: "zeropage-lab:hello" },
      { type: "zeropage-lab:seek", step: 1 },
      { type: "zeropage-lab:play" },
      { type: "zeropage-lab:setKernel", kernel: "x86_64" },
      { type: "zeropage-lab:seek", step: "bad" },
    ]) {
      lab.contentWindow!.postMessage(m, APP);
      lab.contentWindow!.postMessage(m, "*");
    }
    await new Promise((r) => setTimeout(r, 1500));
  });
  await expect(theirs.locator(".app.embed")).toHaveAttribute("data-playing", "false");
  expect({
    position: await theirs.locator(".app.embed").getAttribute("data-view-position"),
    kernel: await theirs.locator(".zl-embed-head .muted").textContent(),
  }).toEqual(before);
  expect(await other.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);
  // And the deck's own embed was not touched by it.
  expect(await at(page)).toMatch(/^step 4 of 4: /);
});
