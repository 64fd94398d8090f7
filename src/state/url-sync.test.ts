/**
 * URL ↔ store, through the store's public actions and a fake window with a history stack, on an
 * in-process engine (EngineHost). Pushes for loads, replaces for steps, Back/Forward, the
 * self-check, and broken links falling back to the default scenario.
 */
import { describe, expect, it } from "vitest";
import { decodeLink, encodeLink } from "../permalink/index.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { type AppStore, createAppStore } from "./store.ts";
import { readUrlState } from "./url.ts";
import { createUrlSync, type UrlHost, type UrlSync } from "./url-sync.ts";

class FakeHost implements UrlHost {
  entries: string[];
  index = 0;
  pushes = 0;
  replaces = 0;
  private listeners: (() => void)[] = [];
  constructor(hash: string) {
    this.entries = [hash];
  }
  get location() {
    const hash = this.entries[this.index]!;
    return { hash, href: `http://app.test/lab/${hash}` };
  }
  readonly history = {
    pushState: (_d: unknown, _u: string, url: string) => {
      this.entries = [...this.entries.slice(0, this.index + 1), url];
      this.index++;
      this.pushes++;
    },
    replaceState: (_d: unknown, _u: string, url: string) => {
      this.entries[this.index] = url;
      this.replaces++;
    },
  };
  addEventListener(_t: "popstate", l: () => void) {
    this.listeners.push(l);
  }
  removeEventListener(_t: "popstate", l: () => void) {
    this.listeners = this.listeners.filter((x) => x !== l);
  }
  go(delta: number) {
    this.index += delta;
    for (const l of this.listeners) l();
  }
}

async function settle(store: AppStore): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    await new Promise((r) => setTimeout(r, 2));
    const s = store.getState();
    if (s.status !== "loading" && s.status !== "idle" && s.isIdle()) {
      await new Promise((r) => setTimeout(r, 5));
      if (store.getState().isIdle() && store.getState().status !== "loading") return;
    }
  }
  throw new Error("the store did not settle");
}

async function open(hash: string): Promise<{ store: AppStore; host: FakeHost; sync: UrlSync }> {
  const host = new FakeHost(hash);
  const store = createAppStore(new EngineHost("main"), readUrlState(hash));
  const sync = createUrlSync(store, host, { replaceDelayMs: 0 });
  await store.getState().init();
  await settle(store);
  return { store, host, sync };
}

const SMALL = "#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=table&step=20";

describe("url sync", () => {
  it("opens a link at its step, and rewrites it as a current link with its self-check", async () => {
    const { store, host } = await open("#preset=teaching-small&kernel=s390-fa41ba0d&g=table&step=20");
    const s = store.getState();
    expect(s.presetId).toBe("teaching-small");
    expect(s.run?.kernel.id).toBe("s390-fa41ba0d");
    expect(s.granularity).toBe("table");
    expect(s.position).toBe(20);
    expect(host.pushes).toBe(0);
    expect(host.entries).toHaveLength(1);
    const r = decodeLink(host.location.hash);
    expect(r.ok && r.state).toMatchObject({ v: 1, step: 20, granularity: "table", check: { engine: 1 } });
  });

  it("replaces the entry when stepping and pushes one when loading; Back and Forward restore both", async () => {
    const { store, host, sync } = await open(SMALL);
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
    const { store, host, sync } = await open(`${SMALL}&zoom=4&at=64`);
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
    const { store, sync } = await open(SMALL);
    store.getState().select({ mm: 0, table: 3 });
    store.getState().selectPage({ mm: 0, page: 800 });
    await settle(store);
    const exact = sync.linkTo();
    expect(exact).toMatch(
      /^http:\/\/app\.test\/lab\/#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=table&step=20&sel=0\.3\.800&e=1/,
    );
    const scenarioOnly = sync.linkTo({ step: false });
    expect(scenarioOnly).not.toContain("step=");
    expect(scenarioOnly).not.toContain("sel=");

    // A fresh page opened on the exact link shows the same step, selection and counters.
    const again = await open(exact.slice(exact.indexOf("#")));
    expect(again.store.getState().position).toBe(20);
    expect(again.store.getState().selection).toEqual({ mm: 0, table: 3 });
    expect(again.store.getState().selectedPage).toEqual({ mm: 0, page: 800 });
    expect(again.store.getState().view?.mms.map((m) => m.counters)).toEqual(
      store.getState().view?.mms.map((m) => m.counters),
    );
  });

  it("says plainly when a link's expected result differs, and keeps the expectation in the URL", async () => {
    const first = await open(SMALL);
    const good = decodeLink(first.host.location.hash);
    if (!good.ok || !good.state.check) throw new Error("no check");
    const c = good.state.check;
    const actions = `${c.actions.slice(0, 8)}AAAA${c.actions.slice(12)}`;
    const old = encodeLink({ ...good.state, check: { ...c, engine: 0, end: "000000000000", actions } });
    const { store, host, sync } = await open(`#${old}`);
    const report = sync.links.getState().report;
    expect(report?.matches).toBe(false);
    expect(report?.step).toBe(3);
    expect(report?.message).toMatch(
      /^This link was made with engine version 0; the result now differs from step 3\./,
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
    const { store, sync, host } = await open("#v=1&preset=teaching-small&kernel=<script>");
    expect(sync.links.getState().error?.message).toContain("kernel: not a kernel variant");
    expect(store.getState().presetId).toBe("commit-06201e00");
    expect(store.getState().status).toBe("ready");
    expect(host.location.hash).toMatch(/^#v=1&preset=commit-06201e00/);
  });

  it("falls back when a valid scenario cannot run under the link's kernel", async () => {
    const { store, sync } = await open("#v=1&preset=postcopy-hang-2018&kernel=x86_64");
    expect(sync.links.getState().error?.kind).toBe("cannot-run");
    expect(sync.links.getState().error?.message).toContain("storage keys exist only on s390");
    expect(store.getState().presetId).toBe("commit-06201e00");
    expect(store.getState().status).toBe("ready");
  });
});
