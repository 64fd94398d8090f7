/**
 * URL ↔ store (link-sync.ts), through the store's public actions and a fake window with a history stack, on an
 * in-process engine (EngineHost). Pushes for loads, replaces for steps, Back/Forward, the
 * self-check, and broken links falling back to the default scenario.
 */

import { describe, expect, it } from "vitest";
import { ENGINE_SEMANTICS_VERSION } from "../engine/version.ts";
import { packJson } from "../permalink/compress.ts";
import { decodeLink, encodeLink } from "../permalink/index.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { type CompareStore, compareOf, connectCompareLinks } from "./compare.ts";
import { LinkSync } from "./link-sync.ts";
import { type AppStore, createAppStore } from "./store.ts";
import { readyLinkedStore } from "./test-support/ready-store.ts";
import { FakeHost, settle } from "./test-support/url-host.ts";
import { readUrlState } from "./url.ts";

const SMALL = "#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=table&step=20";

describe("url sync", () => {
  it("opens a link at its step, and rewrites it as a current link with its self-check", async () => {
    const { store, host } = await readyLinkedStore(
      "#preset=teaching-small&kernel=s390-fa41ba0d&g=table&step=20",
    );
    const s = store.getState();
    expect(s.presetId).toBe("teaching-small");
    expect(s.run?.kernel.id).toBe("s390-fa41ba0d");
    expect(s.granularity).toBe("table");
    expect(s.position).toBe(20);
    expect(host.pushes).toBe(0);
    expect(host.entries).toHaveLength(1);
    const r = decodeLink(host.location.hash);
    expect(r.ok && r.state).toMatchObject({
      v: 1,
      step: 20,
      granularity: "table",
      check: { engine: ENGINE_SEMANTICS_VERSION },
    });
  });

  it("goes opening → steady, loading while a load the user started computes, and steady when it lands", async () => {
    const api = new EngineHost("main");
    const host = new FakeHost(SMALL);
    const store = createAppStore(api, readUrlState(SMALL));
    const sync = new LinkSync(store, host, { replaceDelayMs: 0 });
    expect(sync.currentPhase).toBe("opening");
    await store.getState().init();
    await settle(store);
    expect(sync.currentPhase).toBe("steady");
    const load = store.getState().loadPreset("commit-06201e00");
    expect(sync.currentPhase).toBe("loading");
    await load;
    await settle(store);
    expect(sync.currentPhase).toBe("steady");
    expect(host.pushes).toBe(1);
    sync.stop();
  });

  it("replaces the entry when stepping and pushes one when loading; Back and Forward restore both", async () => {
    const { store, host, sync } = await readyLinkedStore(SMALL);
    store.getState().seek(25);
    await settle(store);
    expect(host.entries).toHaveLength(1);
    expect(host.location.hash).toContain("step=25");

    await store.getState().loadPreset("commit-06201e00", "s390-06201e00");
    await settle(store);
    expect(host.entries).toHaveLength(2);
    expect(host.location.hash).toMatch(/preset=commit-06201e00&kernel=s390-06201e00/);
    const commitLink = host.location.hash;

    host.go(-1);
    await settle(store);
    expect(store.getState().presetId).toBe("teaching-small");
    expect(store.getState().position).toBe(25);
    expect(store.getState().granularity).toBe("table");
    expect(host.entries).toHaveLength(2);

    host.go(1);
    await settle(store);
    expect(store.getState().presetId).toBe("commit-06201e00");
    expect(host.location.hash).toBe(commitLink);
    sync.stop();
  });

  it("carries the maps' zoom and first table; Back restores them; loading a scenario clears them", async () => {
    const { store, host, sync } = await readyLinkedStore(`${SMALL}&zoom=4&at=64`);
    expect(sync.links.getState().zoom).toBe(4);
    expect(sync.links.getState().viewStart).toBe(64);
    expect(host.location.hash).toMatch(/&zoom=4&at=64/);

    sync.setZoom(8, 96);
    expect(host.location.hash).toMatch(/&zoom=8&at=96/);
    expect(host.entries).toHaveLength(1);

    await store.getState().loadPreset("commit-06201e00", "s390-06201e00");
    await settle(store);
    expect(sync.links.getState().zoom).toBeNull();
    expect(sync.links.getState().viewStart).toBeNull();
    expect(host.location.hash).not.toMatch(/zoom=|at=/);

    host.go(-1);
    await settle(store);
    expect(sync.links.getState().zoom).toBe(8);
    expect(sync.links.getState().viewStart).toBe(96);

    sync.setZoom(null, null);
    expect(host.location.hash).not.toMatch(/zoom=|at=/);
    sync.stop();
  });

  it("links to this exact step, or to the scenario alone", async () => {
    const { store, sync } = await readyLinkedStore(SMALL);
    store.getState().select({ mm: 0, table: 3 });
    store.getState().selectPage({ mm: 0, page: 800 });
    await settle(store);
    const exact = sync.linkTo();
    expect(exact).toMatch(
      new RegExp(
        `^http://app\\.test/lab/#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=table&step=20&sel=0\\.3\\.800&e=${ENGINE_SEMANTICS_VERSION}&`,
      ),
    );
    const scenarioOnly = sync.linkTo({ step: false });
    expect(scenarioOnly).not.toContain("step=");
    expect(scenarioOnly).not.toContain("sel=");

    // A fresh page opened on the exact link shows the same step, selection and counters.
    const again = await readyLinkedStore(exact.slice(exact.indexOf("#")));
    expect(again.store.getState().position).toBe(20);
    expect(again.store.getState().selection).toEqual({ mm: 0, table: 3 });
    expect(again.store.getState().selectedPage).toEqual({ mm: 0, page: 800 });
    expect(again.store.getState().view?.mms.map((m) => m.counters)).toEqual(
      store.getState().view?.mms.map((m) => m.counters),
    );
  });

  it("says plainly when a link's expected result differs, and keeps the expectation in the URL", async () => {
    const first = await readyLinkedStore(SMALL);
    const good = decodeLink(first.host.location.hash);
    if (!good.ok || !good.state.check) throw new Error("no check");
    const c = good.state.check;
    const actions = `${c.actions.slice(0, 8)}AAAA${c.actions.slice(12)}`;
    const old = encodeLink({ ...good.state, check: { ...c, engine: 0, end: "000000000000", actions } });
    const { store, host, sync } = await readyLinkedStore(`#${old}`);
    const report = sync.links.getState().report;
    expect(report?.matches).toBe(false);
    expect(report?.step).toBe(3);
    expect(report?.message).toMatch(
      /^This link was made with engine version 0; the result now differs from action 3 \(/,
    );
    expect(host.location.hash).toContain("h=000000000000");
    store.getState().seek(5);
    await settle(store);
    expect(host.location.hash).toContain("h=000000000000");
    // A copied link carries the current result; loading something else drops the old expectation.
    expect(sync.linkTo()).toContain(`h=${c.end}`);
    await store.getState().loadPreset("teaching-small", "x86_64");
    await settle(store);
    expect(sync.links.getState().report).toBeNull();
    expect(host.location.hash).not.toContain("h=000000000000");
  });

  it("shows a broken link's error and the default scenario", async () => {
    const { store, sync, host } = await readyLinkedStore("#v=1&preset=no-such-story&kernel=x86_64");
    expect(sync.links.getState().error?.message).toContain('preset that does not exist: "no-such-story"');
    expect(store.getState().presetId).toBe("commit-06201e00");
    expect(store.getState().status).toBe("ready");
    expect(host.location.hash).toMatch(/^#v=1&preset=commit-06201e00/);
  });

  it("keeps what a damaged link got right and names what it replaced", async () => {
    const { store, sync, host } = await readyLinkedStore(
      "#v=1&preset=teaching-small&kernel=<script>&g=table&step=99999999&sel=0.99999",
    );
    const s = store.getState();
    expect(sync.links.getState().error).toBeNull();
    expect(s.presetId).toBe("teaching-small");
    expect(s.granularity).toBe("table");
    expect(s.position).toBe(s.run!.counts.table);
    expect(s.selection).toBeNull();
    const notes = sync.links.getState().notes.join("\n");
    expect(notes).toContain('kernel="<script>" was replaced');
    expect(notes).toContain(
      `step=99,999,999 is past the end of this run (${s.run!.counts.table.toLocaleString("en-US")} steps by page table)`,
    );
    expect(notes).toContain("sel=0.99999 names page table 99,999 of the source");
    expect(host.location.hash).toContain(`step=${s.run!.counts.table}`);
    expect(host.location.hash).toContain(`kernel=${s.run!.kernel.id}&`);
    expect(host.location.hash).not.toContain("script");
  });

  it("an altered end-state hash is a note, not a warning of a changed model", async () => {
    const first = await readyLinkedStore(SMALL);
    const good = decodeLink(first.host.location.hash);
    if (!good.ok || !good.state.check) throw new Error("no check");
    const tampered = encodeLink({ ...good.state, check: { ...good.state.check, end: "000000000000" } });
    const { sync, host } = await readyLinkedStore(`#${tampered}`);
    expect(sync.links.getState().report?.matches).toBe(true);
    expect(sync.links.getState().notes.join(" ")).toContain("h=000000000000 was altered");
    // The run's own hash replaces it in the address bar.
    expect(host.location.hash).toContain(`h=${good.state.check.end}`);
  });

  it("carries the open section and the balloon highlight into the link, and a reopened link restores them", async () => {
    const { store, sync, host } = await readyLinkedStore(SMALL);
    sync.setSection("balloon");
    sync.setBalloonHighlight(true);
    await settle(store);
    expect(host.location.hash).toContain("view=balloon&balloon=1");
    const again = await readyLinkedStore(host.location.hash);
    expect(again.sync.links.getState()).toMatchObject({ section: "balloon", balloonHighlight: true });
  });

  it("runs a scenario its link's kernel cannot run under its own kernel, at the link's step, and says so", async () => {
    const { store, sync, host } = await readyLinkedStore(
      "#v=1&preset=postcopy-hang-2018&kernel=x86_64&g=action&step=2",
    );
    expect(sync.links.getState().error).toBeNull();
    const notes = sync.links.getState().notes.join(" ");
    expect(notes).toContain("kernel=x86_64 cannot run its scenario");
    expect(notes).toContain("storage keys exist only on s390");
    // The preset's old id opens it under its current one.
    expect(store.getState().presetId).toBe("postcopy-hang-2017");
    expect(store.getState().kernel).toBeNull();
    expect(store.getState().status).toBe("ready");
    expect(store.getState().position).toBe(2);
    expect(host.location.hash).not.toContain("kernel=x86_64");
  });

  it("falls back to the default when a scenario cannot run under its own kernel either", async () => {
    const scenario = {
      schemaVersion: 1,
      machine: { kernel: "x86_64", guestRam: "64MiB" },
      actions: [{ do: "guest-skeys" }],
    };
    const { store, sync } = await readyLinkedStore(`#v=1&s=${packJson(scenario)}`);
    expect(sync.links.getState().error?.message).toBeTruthy();
    expect(store.getState().presetId).toBe("commit-06201e00");
    expect(store.getState().status).toBe("ready");
  });
});

/** A page with compare mode: the app store, the URL sync and the compare slice joined as in main.tsx. */
async function openCompare(
  hash: string,
  host = new FakeHost(hash),
): Promise<{ store: AppStore; host: FakeHost; sync: LinkSync; cmp: CompareStore; api: EngineHost }> {
  const api = new EngineHost("main");
  const store = createAppStore(api, readUrlState(hash));
  const sync = new LinkSync(store, host, { replaceDelayMs: 0 });
  const cmp = compareOf(store);
  connectCompareLinks(cmp, sync);
  await store.getState().init();
  await settleBoth(store, cmp);
  return { store, host, sync, cmp, api };
}

async function settleBoth(store: AppStore, cmp: CompareStore): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await settle(store);
    const c = cmp.getState();
    if (c.status !== "loading" && c.isIdle() && store.getState().isIdle()) {
      await new Promise((r) => setTimeout(r, 5));
      if (cmp.getState().isIdle() && cmp.getState().status !== "loading" && store.getState().isIdle()) return;
    }
  }
  throw new Error("compare mode did not settle");
}

describe("url sync in compare mode", () => {
  it("the gallery's compare button pushes one entry carrying compare=, and Back leaves compare mode", async () => {
    const { store, host, cmp, sync } = await openCompare(SMALL);
    const before = host.location.hash;
    // What GalleryCompare does: load the preset under the left kernel, open compare mode at once.
    void store.getState().loadPreset("pv-guest", "s390-fa41ba0d");
    void cmp.getState().open("s390-06201e00");
    // While the preset computes, nothing is written over the entry we came from.
    sync.setZoom(4, null);
    expect(host.entries).toEqual([before]);
    await settleBoth(store, cmp);
    expect(host.pushes).toBe(1);
    expect(host.entries[0]).toBe(before);
    expect(host.location.hash).toMatch(/preset=pv-guest&kernel=s390-fa41ba0d&.*compare=s390-06201e00/);
    expect(host.location.hash).toContain("zoom=4");
    expect(host.location.hash).toMatch(/cstep=\d+/);

    host.go(-1);
    await settleBoth(store, cmp);
    expect(cmp.getState().status).toBe("off");
    expect(store.getState().presetId).toBe("teaching-small");
    expect(host.location.hash).toBe(before);

    host.go(1);
    await settleBoth(store, cmp);
    expect(cmp.getState().status).toBe("ready");
    expect(cmp.getState().right!.kernel.id).toBe("s390-06201e00");
    expect(store.getState().presetId).toBe("pv-guest");
    sync.stop();
  });

  it("turning compare mode on and off pushes an entry each; Back and Forward walk them", async () => {
    const { store, host, cmp, sync } = await openCompare(SMALL);
    await cmp.getState().open("x86_64");
    await settleBoth(store, cmp);
    expect(host.pushes).toBe(1);
    expect(host.location.hash).toContain("compare=x86_64");
    cmp.getState().close();
    await settleBoth(store, cmp);
    expect(host.pushes).toBe(2);
    expect(host.location.hash).not.toContain("compare=");
    host.go(-1);
    await settleBoth(store, cmp);
    expect(cmp.getState().right?.kernel.id).toBe("x86_64");
    host.go(-1);
    await settleBoth(store, cmp);
    expect(cmp.getState().status).toBe("off");
    expect(host.entries).toHaveLength(3);
    sync.stop();
  });

  it("carries the right-hand scenario, and checks the right run's end hash", async () => {
    const link =
      "#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=action&compare=s390-06201e00&cpreset=pv-guest";
    const { host, cmp, sync } = await openCompare(link);
    expect(cmp.getState().right!.title).not.toBe(cmp.getState().left!.title);
    expect(cmp.getState().rightScenario?.presetId).toBe("pv-guest");
    const made = host.location.hash;
    expect(made).toMatch(
      new RegExp(
        `compare=s390-06201e00&cpreset=pv-guest&cstep=\\d+&e=${ENGINE_SEMANTICS_VERSION}&h=\\w+.*&ch=[0-9a-f]{12}$`,
      ),
    );
    sync.stop();
    // The same link opens cleanly; with another right-hand hash it says so and keeps it pinned.
    const again = await openCompare(made);
    expect(again.sync.links.getState().compare?.report?.matches).toBe(true);
    const wrong = made.replace(/ch=[0-9a-f]{12}/, "ch=000000000000");
    const w = await openCompare(wrong);
    const report = w.sync.links.getState().compare?.report;
    expect(report?.matches).toBe(false);
    expect(report?.message).toMatch(
      new RegExp(
        `^This link was made with engine version ${ENGINE_SEMANTICS_VERSION}; the result now differs`,
      ),
    );
    expect(w.host.location.hash).toContain("ch=000000000000");
    // A copied link carries today's result.
    expect(w.sync.linkTo()).toContain(made.match(/ch=[0-9a-f]{12}/)![0]);
  });

  it("a compare link reopens at exactly its shared position, at every position of a small pair", async () => {
    const link = "#v=1&preset=teaching-small&kernel=s390-06201e00&g=table&compare=x86_64";
    const { store, host, cmp, api } = await openCompare(link);
    const info = cmp.getState().info!;
    const count = info.counts.table;
    let ambiguous = 0;
    // Quicker than settleBoth: nothing here loads, so two idle polls in a row are enough.
    const quiet = async () => {
      for (let i = 0, calm = 0; calm < 2; i++) {
        if (i > 20_000) throw new Error("did not settle");
        await new Promise((r) => setTimeout(r, 0));
        calm =
          store.getState().isIdle() && cmp.getState().isIdle() && cmp.getState().status === "ready"
            ? calm + 1
            : 0;
      }
    };
    // The diff map is not what this is about: leave it off, so each step costs two views only.
    cmp.getState().setDiffMap(false);
    for (let p = 0; p <= count; p++) {
      cmp.getState().seek(p);
      await quiet();
      const at = host.location.hash;
      const decoded = decodeLink(at);
      if (!decoded.ok) throw new Error(decoded.error);
      const [left] = cmp.getState().view!.sidePositions;
      expect(decoded.state.compareStep).toBe(p);
      expect(decoded.state.step).toBe(left);
      const alone = (await api.alignedOf(info.compareId, 0, "table", left)) !== p;
      if (alone) ambiguous++;
      // Every position the left's alone does not name, and a sample of the others (for time).
      if (!alone && p % 16 !== 0) continue;
      // Back or Forward to that link from elsewhere: the same shared position, not the first of
      // its left step (the app's cursor moving to `left` must not move the shared one).
      cmp.getState().seek(p === 0 ? count : 0);
      await quiet();
      host.entries[host.index] = at;
      host.go(0);
      await quiet();
      expect(cmp.getState().position).toBe(p);
      expect(store.getState().position).toBe(left);
    }
    // The left's position alone would have reopened these elsewhere (what cstep is for).
    expect(ambiguous).toBe(242);
    expect(count + 1).toBe(1094);
  }, 300_000);

  it("a fresh page opened on a compare link at a step the right runs alone lands on it exactly", async () => {
    const link = "#v=1&preset=teaching-small&kernel=s390-06201e00&g=table&compare=x86_64";
    const first = await openCompare(link);
    const info = first.cmp.getState().info!;
    const wanted: number[] = [];
    for (let p = 0; p <= info.counts.table && wanted.length < 3; p++) {
      const [left] = await first.api.sidesOfPair(info.compareId, "table", p);
      if ((await first.api.alignedOf(info.compareId, 0, "table", left)) !== p) wanted.push(p);
    }
    for (const p of wanted) {
      first.cmp.getState().seek(p);
      await settleBoth(first.store, first.cmp);
      const again = await openCompare(first.host.location.hash);
      expect(again.cmp.getState().position).toBe(p);
      expect(again.cmp.getState().view!.sidePositions).toEqual(first.cmp.getState().view!.sidePositions);
      again.sync.stop();
    }
  });
});
