/**
 * The measured slice over a real app store and an in-process engine: loading the recorded QEMU
 * check (public/qemu-check/measured.json) shows its balloon precopy run's scenario; another run
 * replaces it; a damaged file or a failed fetch changes nothing but the error; another scenario in
 * the app hides the overlay and keeps the file.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { activeMeasuredRun, createMeasuredStore, type FetchText, RECORDED_MEASURED_URL } from "./measured.ts";
import { readyStore, until } from "./test-support/ready-store.ts";

const PUBLIC = path.join(import.meta.dirname, "..", "..", "public");
const servePublic: FetchText = async (url) => readFileSync(path.join(PUBLIC, url), "utf8");

describe("measured slice", () => {
  it("loads the recorded check and shows its balloon precopy run's scenario", async () => {
    const { store: app } = await readyStore();
    const m = createMeasuredStore(app, servePublic);
    await m.getState().loadRecorded();
    await until(() => app.getState().isIdle());
    const s = m.getState();
    expect(s.error).toBeNull();
    expect(s.source).toBe("the recorded check");
    expect(s.runId).toBe("balloon-precopy");
    const run = activeMeasuredRun(s, app.getState().scenario);
    expect(run?.id).toBe("balloon-precopy");
    expect(app.getState().presetId).toBeNull();
    expect(app.getState().status).toBe("ready");
    // The model ran the run's own scenario: source and destination, the scenario's actions + QEMU start.
    const t = app.getState().run!.trace;
    expect(t.mmNames).toEqual(["source", "destination"]);
    expect(t.actions.length).toBe(run!.scenario.actions.length + 1);
  });

  it("shows another run of the file, and forgets a run once the app shows another scenario", async () => {
    const { store: app } = await readyStore();
    const m = createMeasuredStore(app, servePublic);
    await m.getState().loadRecorded();
    await m.getState().selectRun("control-postcopy");
    await until(() => app.getState().isIdle());
    expect(activeMeasuredRun(m.getState(), app.getState().scenario)?.id).toBe("control-postcopy");
    await app.getState().loadPreset("teaching-small");
    await until(() => app.getState().isIdle());
    expect(activeMeasuredRun(m.getState(), app.getState().scenario)).toBeNull();
    expect(m.getState().doc?.runs).toHaveLength(4);
    await m.getState().selectRun("balloon-postcopy");
    expect(activeMeasuredRun(m.getState(), app.getState().scenario)?.id).toBe("balloon-postcopy");
  });

  it("refuses a file that is not JSON or not of the format, and keeps what it had", async () => {
    const { store: app } = await readyStore();
    const m = createMeasuredStore(app, servePublic);
    await m.getState().loadRecorded();
    await until(() => app.getState().isIdle());
    const scenario = app.getState().scenario;
    await m.getState().importText("{ not json", "mine.json");
    expect(m.getState().error).toMatch(/^mine\.json is not JSON/);
    const bad = JSON.parse(readFileSync(path.join(PUBLIC, RECORDED_MEASURED_URL), "utf8"));
    bad.runs[2].migration.duplicate = -1;
    await m.getState().importText(JSON.stringify(bad), "bad.json");
    expect(m.getState().error).toMatch(
      /^bad\.json is not a measured-runs file: runs\[2\]\.migration\.duplicate/,
    );
    expect(m.getState().source).toBe("the recorded check");
    expect(m.getState().runId).toBe("balloon-precopy");
    expect(app.getState().scenario).toBe(scenario);
  });

  it("says why the recorded check could not be loaded", async () => {
    const { store: app } = await readyStore();
    const m = createMeasuredStore(app, async () => {
      throw new Error("HTTP 404");
    });
    await m.getState().loadRecorded();
    expect(m.getState().status).toBe("error");
    expect(m.getState().error).toBe("cannot load the recorded check: HTTP 404");
    expect(app.getState().presetId).toBe("teaching-small");
  });
});
