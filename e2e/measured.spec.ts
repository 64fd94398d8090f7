/**
 * Measured beside model: the commit story's narration links to the published QEMU check
 * (public/qemu-check/, written by `npm run qemu-check -- --publish`); the counter charts load that
 * check's recorded runs, show the scenario the model ran for one, and draw the measurement on the
 * RssAnon, VmPTE and balloon tracks; a damaged file is refused with its path and changes nothing;
 * another scenario hides the overlay.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { ready } from "./support.ts";

const recorded = JSON.parse(readFileSync("public/qemu-check/measured.json", "utf8")) as {
  date: string;
  runs: { id: string; scenario: { title: string } }[];
};

test("the commit story's narration links to the measured table the check published", async ({ page }) => {
  await page.goto("/#preset=commit-06201e00");
  await ready(page);
  await page.keyboard.press("Home");
  await ready(page);
  const link = page.getByTestId("qemu-check-link").getByRole("link");
  await expect(link).toHaveText(`checked against real QEMU 7.2 on x86_64, on ${recorded.date.slice(0, 10)}`);
  await page.getByTestId("narration").screenshot({ path: "test-results/qemu-check-narration.png" });
  await link.click();
  await expect(page).toHaveURL(/qemu-check\/index\.html$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(
    "Checked against real QEMU 7.2 on x86_64",
  );
  // Every row of the published table is within tolerance.
  const rows = page.locator("tbody tr.ok, tbody tr.bad");
  await expect(rows).toHaveCount(14);
  await expect(page.locator("tbody tr.bad")).toHaveCount(0);
  await page.screenshot({ path: "test-results/qemu-check-table.png", fullPage: true });
  await page.getByRole("link", { name: "the app" }).click();
  await ready(page);
});

test("the recorded check on the counter charts: measured beside model, run by run", async ({ page }) => {
  await page.goto("/#preset=commit-06201e00");
  await ready(page);
  const controls = page.getByTestId("measured-controls");
  await controls.getByRole("button", { name: "recorded check" }).click();
  const first = recorded.runs.find((r) => r.id === "balloon-precopy")!;
  await expect(page.locator(".app")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  await ready(page);
  await expect(page.getByTestId("measured-legend")).toHaveText("measured (balloon-precopy)");
  await expect(page.getByTestId("measured-run")).toHaveValue("balloon-precopy");
  await expect(page.getByTestId("measured-source")).toContainText("QEMU 7.2");
  // RssAnon, VmPTE and balloon tracks carry measured marks; source and destination on the first two.
  const marks = page.getByTestId("measured-marks");
  await expect(marks).toHaveCount(3);
  await expect(marks.first().locator("g")).toHaveCount(2);
  // The app runs the scenario the model ran for it: a custom scenario on x86_64 with QEMU 7.2.
  await expect(page.getByRole("combobox", { name: "Scenario preset" })).toHaveValue("");
  await expect(page.getByRole("banner")).toContainText("QEMU 7.2");
  await page.keyboard.press("Home");
  await ready(page);
  await expect(page.getByTestId("narration")).toContainText(first.scenario.title);
  await page.keyboard.press("End");
  await ready(page);
  await page.screenshot({ path: "test-results/measured-overlay-page.png" });
  // Taller, so the tracks have room to show model and measured apart.
  await page.setViewportSize({ width: 1440, height: 1400 });
  await page.getByTestId("charts").screenshot({ path: "test-results/measured-overlay.png" });

  // Another run of the same check: its scenario, its measurement.
  await page.getByTestId("measured-run").selectOption("control-postcopy");
  await ready(page);
  await expect(page.getByTestId("measured-legend")).toHaveText("measured (control-postcopy)");
  await expect(marks).toHaveCount(3);

  // A damaged file: refused with the path of what is wrong; the run and its overlay stay.
  const bad = JSON.parse(readFileSync("public/qemu-check/measured.json", "utf8"));
  bad.runs[0].phases[1].vmPteKiB = "lots";
  await page.getByTestId("measured-file").setInputFiles({
    name: "mine.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(bad)),
  });
  await expect(page.getByTestId("measured-error")).toContainText("mine.json is not a measured-runs file");
  await expect(page.getByTestId("measured-error")).toContainText("runs[0].phases[1].vmPteKiB");
  await expect(page.getByTestId("measured-legend")).toHaveText("measured (control-postcopy)");
  await expect(marks).toHaveCount(3);

  // A file of the right shape from elsewhere is accepted as such.
  const mine = JSON.parse(readFileSync("public/qemu-check/measured.json", "utf8"));
  mine.host.kernel = "6.1.0-readers-laptop";
  await page.getByTestId("measured-file").setInputFiles({
    name: "laptop.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(mine)),
  });
  await ready(page);
  await expect(page.getByTestId("measured-error")).toHaveCount(0);
  await expect(page.getByTestId("measured-source")).toContainText("laptop.json");
  await expect(page.getByTestId("measured-source")).toContainText("6.1.0-readers-laptop");
  await expect(page.getByTestId("measured-legend")).toHaveText("measured (balloon-precopy)");

  // Another scenario: the overlay belongs to the measured one and goes; picking a run brings it back.
  await page.goto("/#preset=teaching-small");
  await ready(page);
  await expect(page.getByTestId("measured-marks")).toHaveCount(0);
  await expect(page.getByTestId("measured-legend")).toHaveCount(0);
  await page.getByTestId("measured-run").selectOption("balloon-postcopy");
  await ready(page);
  await expect(page.getByTestId("measured-legend")).toHaveText("measured (balloon-postcopy)");
  await expect(page.getByTestId("measured-marks")).toHaveCount(3);
});
