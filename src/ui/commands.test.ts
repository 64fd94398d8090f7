/** The command registry: keys map to commands, and commands act on a real store. */
import { describe, expect, it } from "vitest";
import { type AppStore, createAppStore } from "../state/store.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { COMMANDS, type CommandId, command, commandForKey, titleOf } from "./commands.ts";

async function ready(): Promise<AppStore> {
  const store = createAppStore(new EngineHost("main"), { presetId: "commit-06201e00", position: 0 });
  await store.getState().init();
  await idle(store);
  return store;
}

async function idle(store: AppStore): Promise<void> {
  for (let i = 0; i < 2000 && !store.getState().isIdle(); i++) await new Promise((r) => setTimeout(r, 2));
}

function run(store: AppStore, id: CommandId, focusGoTo = () => {}): void {
  command(id).perform({ store, focusGoTo });
}

describe("command registry", () => {
  it("labels every command with a verb phrase and at least one key", () => {
    for (const c of COMMANDS) {
      expect(c.label).toMatch(/^(Play|Step|Jump|Go|Show)\b/);
      expect(c.keys.length).toBeGreaterThan(0);
    }
  });

  it("binds the issue's keys", () => {
    const id = (key: string) => commandForKey({ key })?.id;
    expect(id("ArrowRight")).toBe("step-forward");
    expect(id("ArrowLeft")).toBe("step-back");
    expect(id(" ")).toBe("toggle-play");
    expect(id("Home")).toBe("jump-start");
    expect(id("End")).toBe("jump-end");
    expect(id("[")).toBe("coarser");
    expect(id("]")).toBe("finer");
    expect(id("?")).toBe("show-help");
    expect(id("x")).toBeUndefined();
  });

  it("leaves chords to the browser", () => {
    expect(commandForKey({ key: "ArrowRight", ctrlKey: true })).toBeUndefined();
    expect(commandForKey({ key: "k", metaKey: true })).toBeUndefined();
  });

  it("gives buttons titles with their keys", () => {
    expect(titleOf("step-forward")).toBe("Step forward (→)");
    expect(titleOf("toggle-play")).toBe("Play or pause (Space or K)");
  });

  it("steps, jumps, changes granularity and opens help on a real store", async () => {
    const store = await ready();
    const s = () => store.getState();
    expect(command("step-back").enabled(s())).toBe(false);
    run(store, "step-forward");
    expect(s().position).toBe(1);
    run(store, "jump-end");
    expect(s().position).toBe(4);
    expect(command("step-forward").enabled(s())).toBe(false);
    run(store, "step-back");
    expect(s().position).toBe(3);
    run(store, "finer");
    await idle(store);
    expect(s().granularity).toBe("table");
    run(store, "coarser");
    await idle(store);
    expect(s().granularity).toBe("action");
    expect(s().position).toBe(3);
    run(store, "jump-start");
    expect(s().position).toBe(0);
    run(store, "faster");
    expect(s().speed).toBe(2);
    run(store, "slower");
    run(store, "slower");
    expect(s().speed).toBe(0.5);
    run(store, "show-help");
    expect(s().helpOpen).toBe(true);
    let focused = false;
    run(store, "go-to-step", () => {
      focused = true;
    });
    expect(focused).toBe(true);
  });

  it("jumps from marker to marker: inflate, then migration start", async () => {
    const store = await ready();
    run(store, "next-marker");
    expect(store.getState().position).toBe(3);
    run(store, "next-marker");
    expect(store.getState().position).toBe(4);
    run(store, "previous-marker");
    expect(store.getState().position).toBe(3);
  });

  it("play toggles, and stepping pauses", async () => {
    const store = await ready();
    run(store, "toggle-play");
    expect(store.getState().playing).toBe(true);
    run(store, "step-forward");
    expect(store.getState().playing).toBe(false);
  });
});
