/**
 * The store through its public surface: create it over an in-process engine, call actions, read
 * state. Uses the 64 MiB teaching preset so that every granularity is quick.
 */
import { describe, expect, it } from "vitest";
import type { EngineApi } from "../worker/api.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { createAppStore } from "./store.ts";
import { readyStore, until } from "./test-support/ready-store.ts";
import { settle } from "./test-support/url-host.ts";

/**
 * An engine whose answers to `held` calls wait until the test releases them, oldest first: the
 * worker slower than the keys.
 */
function slowEngine(held: readonly (keyof EngineApi)[]) {
  const host = new EngineHost("main");
  const gates: (() => void)[] = [];
  let holding = false;
  const api = new Proxy(host, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      if (!held.includes(key as keyof EngineApi)) return value.bind(target);
      return async (...args: unknown[]) => {
        const answer = await value.apply(target, args);
        if (holding) await new Promise<void>((r) => gates.push(r));
        return answer;
      };
    },
  }) as EngineApi;
  return {
    api,
    hold: (on: boolean) => {
      holding = on;
    },
    /** Releases the oldest held answer and lets the store take it. */
    release: async () => {
      for (let i = 0; i < 50 && gates.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
      gates.shift()?.();
      for (let i = 0; i < 20; i++) await Promise.resolve();
    },
    releaseAll: async () => {
      holding = false;
      while (gates.length > 0) gates.shift()!();
    },
  };
}

describe("store", () => {
  it("loads the preset at its end, at action granularity, and is idle", async () => {
    const { store } = await readyStore();
    const s = store.getState();
    expect(s.status).toBe("ready");
    expect(s.granularity).toBe("action");
    expect(s.position).toBe(s.run!.counts.action);
    expect(s.view!.position).toBe(s.position);
  });

  it("steps back and forward to exactly the same view", async () => {
    const { store } = await readyStore();
    const end = store.getState().view!.mms.map((m) => m.counters);
    store.getState().stepBy(-1);
    await until(() => store.getState().isIdle(), "the store is idle");
    expect(store.getState().view!.mms.map((m) => m.counters)).not.toEqual(end);
    store.getState().stepBy(1);
    await until(() => store.getState().isIdle(), "the store is idle");
    expect(store.getState().view!.mms.map((m) => m.counters)).toEqual(end);
  });

  it("play at the end starts again from the start; play again pauses", async () => {
    const { store } = await readyStore();
    store.getState().togglePlaying();
    expect(store.getState().playing).toBe(true);
    expect(store.getState().position).toBe(0);
    store.getState().togglePlaying();
    expect(store.getState().playing).toBe(false);
  });

  it("following a page selects its page table, so the table view shows where its events happen", async () => {
    const { store } = await readyStore();
    const t = store.getState().run!.trace;
    const per = 2 ** t.mmPteShift[0]!;
    const page = 3 * per + 17 - t.mmPageOffset[0]!;
    store.getState().select({ mm: 0, table: 0 });
    store.getState().selectPage({ mm: 0, page });
    await until(() => store.getState().isIdle(), "the store is idle");
    expect(store.getState().selection).toEqual({ mm: 0, table: 3 });
    expect(store.getState().view!.table?.table).toBe(3);
  });

  it("a kernel switch keeps the run on screen until the new one lands with its view", async () => {
    const { store } = await readyStore();
    const old = store.getState().run!;
    const seen: { run: number; view: number | null; status: string }[] = [];
    const off = store.subscribe((s) =>
      seen.push({ run: s.run?.runId ?? -1, view: s.view?.runId ?? null, status: s.status }),
    );
    const done = store.getState().setKernel("x86_64");
    expect(store.getState().run).toBe(old);
    expect(store.getState().status).toBe("loading");
    await done;
    await until(() => store.getState().isIdle(), "the store is idle");
    off();
    expect(store.getState().run!.kernel.id).toBe("x86_64");
    // Never a run shown without its own view.
    for (const x of seen) expect(x.view).toBe(x.run);
  });

  it("moves speed along 0.25× … 8× and clamps", async () => {
    const { store } = await readyStore();
    store.getState().stepSpeed(1);
    expect(store.getState().speed).toBe(2);
    store.getState().stepSpeed(10);
    expect(store.getState().speed).toBe(8);
    store.getState().stepSpeed(-10);
    expect(store.getState().speed).toBe(0.25);
  });

  it("changes granularity with ] and [ semantics, keeping the place in the trace", async () => {
    const { store } = await readyStore({ presetId: "teaching-small", position: 2 });
    expect(store.getState().position).toBe(2);
    await store.getState().stepGranularity(1);
    expect(store.getState().granularity).toBe("table");
    await until(() => store.getState().isIdle(), "the store is idle");
    const event = store.getState().view!.event;
    await store.getState().stepGranularity(1);
    expect(store.getState().granularity).toBe("pte");
    await until(() => store.getState().isIdle(), "the store is idle");
    expect(store.getState().view!.event).toBe(event);
    await store.getState().stepGranularity(1);
    expect(store.getState().granularity).toBe("pte");
    await store.getState().stepGranularity(-5);
    expect(store.getState().granularity).toBe("action");
    await until(() => store.getState().isIdle(), "the store is idle");
    expect(store.getState().position).toBe(2);
  });

  it("keeps keys in order while a granularity change converts: ] ] Home → → → is PTE step 3", async () => {
    const { store } = await readyStore();
    const s = () => store.getState();
    void s().stepGranularity(1);
    void s().stepGranularity(1);
    expect(s().wantedGranularity).toBe("pte");
    s().seek(0);
    s().stepBy(1);
    s().stepBy(1);
    s().stepBy(1);
    await until(() => store.getState().isIdle(), "the store is idle");
    expect(s().granularity).toBe("pte");
    expect(s().position).toBe(3);
    expect(s().view!.position).toBe(3);
  });

  it("keeps every key while the worker answers a granularity change and the steps after it late", async () => {
    const slow = slowEngine(["view", "convert"]);
    const store = createAppStore(slow.api, { presetId: "teaching-small", position: 0 });
    await store.getState().init();
    await settle(store);
    const s = () => store.getState();
    slow.hold(true);
    void s().stepGranularity(1); // ] : the conversion waits for the worker
    s().stepBy(1); // →, queued behind it
    await slow.release(); // the conversion answers: table step 0, then → asks for step 1
    s().stepBy(1); // → while step 1's view is in flight
    await slow.release(); // the view of step 1 answers while step 2 waits
    s().stepBy(1); // → again: step 3
    await slow.releaseAll();
    await until(() => s().isIdle(), "the store is idle");
    expect(s().granularity).toBe("table");
    expect(s().position).toBe(3);
    expect(s().view!.position).toBe(3);
  });

  it("seekToEvent at action granularity goes to the end of the event's action", async () => {
    const { store } = await readyStore();
    const t = store.getState().run!.trace;
    const a = t.actions[2]!;
    await store.getState().seekToEvent(a.firstEvent);
    expect(store.getState().position).toBe(3);
    await store.getState().seekToEvent(-1);
    expect(store.getState().position).toBe(0);
  });

  it("selecting a page fetches its history", async () => {
    const { store } = await readyStore();
    store.getState().selectPage({ mm: 0, page: 0 });
    for (let i = 0; i < 500 && store.getState().pageHistory?.status !== "ready"; i++)
      await new Promise((r) => setTimeout(r, 2));
    const h = store.getState().pageHistory!;
    expect(h.status).toBe("ready");
    expect(h.page).toEqual({ mm: 0, page: 0 });
    expect(h.entries.length).toBeGreaterThan(0);
    store.getState().selectPage(null);
    expect(store.getState().pageHistory).toBeNull();
  });

  it("checks the editor's draft in the worker; only the newest draft's answer lands", async () => {
    const { store } = await readyStore();
    const good = store.getState().scenario;
    const postcopy = store.getState().presets.find((p) => p.id === "postcopy-hang-2017")!.scenario as {
      machine: object;
    };
    const bad = { ...postcopy, machine: { ...postcopy.machine, kernel: "x86_64" } };
    store.getState().checkDraft(bad);
    await until(() => store.getState().draftCheck !== null, "the check answers");
    expect(store.getState().draftCheck!.scenario).toBe(bad);
    expect(
      store
        .getState()
        .draftCheck!.issues.map((i) => i.message)
        .join(),
    ).toContain("storage keys exist only on s390");
    store.getState().checkDraft(bad);
    store.getState().checkDraft(good);
    await until(() => store.getState().draftCheck?.scenario === good, "the newest draft's check lands");
    expect(store.getState().draftCheck!.issues).toEqual([]);
    store.getState().checkDraft(null);
    expect(store.getState().draftCheck).toBeNull();
  });

  it("opening help pauses playback", async () => {
    const { store } = await readyStore();
    store.getState().togglePlaying();
    store.getState().setHelpOpen(true);
    expect(store.getState().playing).toBe(false);
    expect(store.getState().helpOpen).toBe(true);
  });
});
