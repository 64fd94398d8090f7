/**
 * linkStateOf: the permalink as a pure function of the app's state and the link status. The same
 * state gives the same link, with nothing read from an address bar.
 */
import { describe, expect, it } from "vitest";
import { decodeLink, defaultLinkState, encodeLink } from "../permalink/index.ts";
import { linkStateOf, linkStatusOf, runCheck } from "./link-state.ts";
import { readyStore } from "./test-support/ready-store.ts";

const status = { error: null, notes: [], ...linkStatusOf(defaultLinkState(null)) };

describe("linkStateOf", () => {
  it("names the scenario, kernel, granularity, step and selection, and the run's own check", async () => {
    const { store } = await readyStore({ presetId: "teaching-small", granularity: "table", position: 7 });
    store.getState().select({ mm: 0, table: 2 });
    const s = store.getState();
    const link = linkStateOf(s, status, { step: true, fresh: true });
    expect(link.scenario).toMatchObject({ kind: "preset", id: "teaching-small" });
    expect(link.kernel).toBe(s.run!.kernel.id);
    expect(link.granularity).toBe("table");
    expect(link.step).toBe(7);
    expect(link.selection).toEqual({ mm: 0, table: 2 });
    expect(link.check).toEqual(runCheck(s.run!));
    // Round trip: what the link encodes decodes to the same state.
    const back = decodeLink(`#${encodeLink(link)}`);
    expect(back.ok && back.state.step).toBe(7);
    expect(back.ok && back.state.selection).toEqual({ mm: 0, table: 2 });
  });

  it("leaves out step and selection for a link to the scenario alone, and before a run is ready", async () => {
    const { store } = await readyStore({ presetId: "teaching-small", position: 2 });
    store.getState().select({ mm: 0, table: 1 });
    const alone = linkStateOf(store.getState(), status, { step: false, fresh: true });
    expect(alone.step).toBeNull();
    expect(alone.selection).toBeNull();
    const loading = linkStateOf({ ...store.getState(), status: "loading" }, status, {
      step: true,
      fresh: true,
    });
    expect(loading.step).toBeNull();
    expect(loading.check).toBeNull();
  });

  it("carries a pinned expectation unless asked for a fresh link, and the status's zoom and compare", async () => {
    const { store } = await readyStore();
    const s = store.getState();
    const own = runCheck(s.run!);
    const pinned = { ...own, end: "0".repeat(own.end.length) };
    const compare = {
      kernel: "x86_64" as const,
      right: null,
      position: 3,
      report: null,
      hash: { left: s.run!.runId, end: "abc" },
      pinned: "def",
    };
    const links = { ...status, pinned, zoom: 4, viewStart: 64, compare };
    const shown = linkStateOf(s, links, { step: true, fresh: false });
    expect(shown.check).toEqual(pinned);
    expect(shown.compareCheck).toBe("def");
    expect(shown.compare).toBe("x86_64");
    expect(shown.compareStep).toBe(3);
    expect([shown.zoom, shown.viewStart]).toEqual([4, 64]);
    const copied = linkStateOf(s, links, { step: true, fresh: true });
    expect(copied.check).toEqual(own);
    expect(copied.compareCheck).toBe("abc");
    // A right hash made against another left run is not this comparison's.
    const stale = { ...links, compare: { ...compare, hash: { left: -1, end: "abc" } } };
    expect(linkStateOf(s, stale, { step: true, fresh: true }).compareCheck).toBeNull();
  });

  it("is a function of its arguments: the same state gives the same link", async () => {
    const { store } = await readyStore();
    const s = store.getState();
    const a = encodeLink(linkStateOf(s, status, { step: true, fresh: true }));
    store.getState().seek(1);
    const b = encodeLink(linkStateOf(s, status, { step: true, fresh: true }));
    expect(b).toBe(a);
    expect(encodeLink(linkStateOf(store.getState(), status, { step: true, fresh: true }))).not.toBe(a);
  });
});
