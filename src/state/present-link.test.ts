/** Presentation mode in the link: present=1 opens it, turning it on or off writes the link. */
import { describe, expect, it } from "vitest";
import { decodeLink } from "../permalink/index.ts";
import { readyLinkedStore } from "./test-support/ready-store.ts";
import { settle } from "./test-support/url-host.ts";

describe("present=1", () => {
  it("a link opens presentation mode and keeps it; leaving it drops the flag", async () => {
    const { store, host, sync } = await readyLinkedStore(
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
    const { sync } = await readyLinkedStore("#v=1&preset=teaching-small&kernel=s390-fa41ba0d&present=yes");
    expect(sync.links.getState().present).toBe(false);
    expect(sync.links.getState().notes.join(" ")).toContain("not presentation mode");
  });
});
