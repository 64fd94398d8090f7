/** Presentation mode in the link: present=1 opens it, turning it on or off writes the link. */
import { describe, expect, it } from "vitest";
import { decodeLink } from "../permalink/index.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { createAppStore } from "./store.ts";
import { FakeHost, settle } from "./test-support/url-host.ts";
import { readUrlState } from "./url.ts";
import { createUrlSync } from "./url-sync.ts";

async function open(hash: string) {
  const host = new FakeHost(hash);
  const store = createAppStore(new EngineHost("main"), readUrlState(hash));
  const sync = createUrlSync(store, host, { replaceDelayMs: 0 });
  await store.getState().init();
  await settle(store);
  return { store, host, sync };
}

describe("present=1", () => {
  it("a link opens presentation mode and keeps it; leaving it drops the flag", async () => {
    const { store, host, sync } = await open(
      "#v=1&preset=teaching-small&kernel=s390-fa41ba0d&g=action&step=1&present=1",
    );
    expect(sync.links.getState().present).toBe(true);
    expect(sync.linkTo()).toContain("&present=1");
    sync.setPresent(false);
    await settle(store);
    expect(host.location.hash).not.toContain("present");
    sync.setPresent(true);
    await settle(store);
    const r = decodeLink(host.location.hash);
    expect(r.ok && r.state.present).toBe(true);
  });

  it("a malformed flag is dropped with a note, and the ordinary layout opens", async () => {
    const { sync } = await open("#v=1&preset=teaching-small&kernel=s390-fa41ba0d&present=yes");
    expect(sync.links.getState().present).toBe(false);
    expect(sync.links.getState().notes.join(" ")).toContain("not presentation mode");
  });
});
