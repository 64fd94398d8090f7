/**
 * The embed's postMessage API over a real store and in-process engine, with a fake window: only
 * the origins the link names may drive it, each command is validated, and the host hears ready
 * and step events.
 */
import { describe, expect, it } from "vitest";
import type { LinkEmbed } from "../permalink/index.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { connectEmbedControl, type EmbedWindow, type MessageTarget } from "./embed-control.ts";
import { type AppStore, createAppStore } from "./store.ts";

const DECK = "https://slides.example.edu";
const OTHER = "https://elsewhere.example";

class FakeWindow implements MessageTarget {
  readonly got: { message: unknown; targetOrigin: string }[] = [];
  postMessage(message: unknown, targetOrigin: string) {
    this.got.push({ message, targetOrigin });
  }
  /** What a browser would deliver to a window of `origin`. */
  delivered(origin: string): { type: string; [k: string]: unknown }[] {
    return this.got
      .filter((m) => m.targetOrigin === origin || m.targetOrigin === "*")
      .map((m) => m.message as { type: string });
  }
}

function setup(embed: LinkEmbed | null) {
  const store = createAppStore(new EngineHost("main"), { presetId: "teaching-small" });
  const parent = new FakeWindow();
  let listener: ((e: MessageEvent) => void) | null = null;
  const host: EmbedWindow = {
    parent,
    addEventListener: (_t, l) => {
      listener = l;
    },
    removeEventListener: () => {
      listener = null;
    },
  };
  const control = connectEmbedControl(store, { getState: () => ({ embed }) }, host);
  const send = (data: unknown, origin = DECK, source: MessageTarget = parent) =>
    listener?.({ data, origin, source } as unknown as MessageEvent);
  return { store, parent, send, control };
}

async function idle(store: AppStore): Promise<void> {
  for (let i = 0; i < 1000 && !store.getState().isIdle(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(store.getState().isIdle()).toBe(true);
}

async function started(embed: LinkEmbed | null) {
  const s = setup(embed);
  await s.store.getState().init();
  await idle(s.store);
  return s;
}

const DRIVEN: LinkEmbed = { hideEditor: true, autoplay: false, origins: [DECK] };

describe("embed control", () => {
  it("tells the named host page that it is ready, with the step, the step count and the kernel", async () => {
    const { store, parent } = await started(DRIVEN);
    const ready = parent.delivered(DECK).find((m) => m.type === "zeropage-lab:ready");
    const s = store.getState();
    expect(ready).toMatchObject({
      api: 1,
      step: s.position,
      steps: s.run!.counts.action,
      granularity: "action",
      kernel: s.run!.kernel.id,
      playing: false,
    });
    // Nothing is addressed to any other origin.
    expect(parent.got.every((m) => m.targetOrigin === DECK)).toBe(true);
  });

  it("seeks, pauses playback first, and reports the step it landed on", async () => {
    const { store, parent, send } = await started(DRIVEN);
    store.getState().togglePlaying();
    send({ type: "zeropage-lab:seek", step: 2 });
    expect(store.getState().playing).toBe(false);
    await idle(store);
    expect(store.getState().view!.position).toBe(2);
    const steps = parent.delivered(DECK).filter((m) => m.type === "zeropage-lab:step");
    expect(steps.at(-1)).toMatchObject({ step: 2, playing: false });
    expect(typeof steps.at(-1)!.action).toBe("string");
  });

  it("seeks at another granularity when asked", async () => {
    const { store, send } = await started(DRIVEN);
    send({ type: "zeropage-lab:seek", step: 5, granularity: "table" });
    for (let i = 0; i < 500 && store.getState().granularity !== "table"; i++)
      await new Promise((r) => setTimeout(r, 2));
    await idle(store);
    expect(store.getState().granularity).toBe("table");
    expect(store.getState().view!.position).toBe(5);
  });

  it("plays and pauses", async () => {
    const { store, send } = await started(DRIVEN);
    send({ type: "zeropage-lab:seek", step: 0 });
    send({ type: "zeropage-lab:play" });
    expect(store.getState().playing).toBe(true);
    send({ type: "zeropage-lab:pause" });
    expect(store.getState().playing).toBe(false);
  });

  it("runs another kernel on setKernel", async () => {
    const { store, send } = await started(DRIVEN);
    const before = store.getState().run!.kernel.id;
    const other = before === "x86_64" ? "s390-06201e00" : "x86_64";
    send({ type: "zeropage-lab:setKernel", kernel: other });
    for (let i = 0; i < 1000 && store.getState().run?.kernel.id !== other; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(store.getState().run!.kernel.id).toBe(other);
  });

  it("changes nothing for a message from an origin the link does not name, and answers nothing", async () => {
    const { store, parent, send } = await started(DRIVEN);
    const intruder = new FakeWindow();
    const before = { position: store.getState().position, kernel: store.getState().run!.kernel.id };
    const sent = parent.got.length;
    for (const data of [
      { type: "zeropage-lab:seek", step: 0 },
      { type: "zeropage-lab:play" },
      { type: "zeropage-lab:setKernel", kernel: "x86_64" },
      { type: "zeropage-lab:hello" },
      { type: "zeropage-lab:seek", step: "bad" },
    ]) {
      send(data, OTHER, intruder);
      send(data, "null", intruder);
      send(data, `${DECK}/`, intruder);
    }
    await new Promise((r) => setTimeout(r, 50));
    await idle(store);
    expect(store.getState().playing).toBe(false);
    expect({ position: store.getState().position, kernel: store.getState().run!.kernel.id }).toEqual(before);
    expect(intruder.got).toEqual([]);
    expect(parent.got.length).toBe(sent);
  });

  it("accepts nothing when the link names no origin, or is not an embed link", async () => {
    for (const embed of [{ hideEditor: false, autoplay: false }, null]) {
      const { store, parent, send } = await started(embed);
      const position = store.getState().position;
      send({ type: "zeropage-lab:seek", step: 0 });
      send({ type: "zeropage-lab:hello" });
      await idle(store);
      expect(store.getState().position).toBe(position);
      expect(parent.got).toEqual([]);
    }
  });

  it("answers a malformed command from a named origin with an error naming the problem, and changes nothing", async () => {
    const { store, parent, send } = await started(DRIVEN);
    const position = store.getState().position;
    const bad: [unknown, RegExp][] = [
      [{ type: "zeropage-lab:seek", step: -1 }, /seek: step: expected 0 or more/],
      [{ type: "zeropage-lab:seek", step: 1.5 }, /step: expected a whole number/],
      [{ type: "zeropage-lab:seek", step: "2" }, /step: expected a number/],
      [
        { type: "zeropage-lab:seek", step: 1, granularity: "page" },
        /granularity: expected action, table, pte/,
      ],
      [{ type: "zeropage-lab:setKernel", kernel: "linux-9.9" }, /kernel: expected one of .*x86_64/],
      [{ type: "zeropage-lab:jump", step: 1 }, /type: expected zeropage-lab:seek/],
    ];
    for (const [data, message] of bad) {
      parent.got.length = 0;
      send(data);
      const errors = parent.delivered(DECK).filter((m) => m.type === "zeropage-lab:error");
      expect(errors, JSON.stringify(data)).toHaveLength(1);
      expect(String(errors[0]!.message)).toMatch(message);
    }
    await idle(store);
    expect(store.getState().position).toBe(position);
  });

  it("ignores a deck's own messages (no zeropage-lab: type) without an answer", async () => {
    const { parent, send } = await started(DRIVEN);
    parent.got.length = 0;
    for (const data of [{ namespace: "reveal", eventName: "slidechanged" }, "hello", null, 42, { type: 7 }])
      send(data);
    expect(parent.got).toEqual([]);
  });

  it("answers hello with ready, and sends step events to another window of a named origin that drove it", async () => {
    const { store, send } = await started(DRIVEN);
    const speakerView = new FakeWindow();
    send({ type: "zeropage-lab:hello" }, DECK, speakerView);
    expect(speakerView.delivered(DECK).map((m) => m.type)).toEqual(["zeropage-lab:ready"]);
    send({ type: "zeropage-lab:seek", step: 1 }, DECK, speakerView);
    await idle(store);
    expect(speakerView.delivered(DECK).at(-1)).toMatchObject({ type: "zeropage-lab:step", step: 1 });
  });

  it("refuses commands until its first run is ready, saying so", async () => {
    const { parent, send } = setup(DRIVEN);
    send({ type: "zeropage-lab:seek", step: 1 });
    expect(parent.delivered(DECK)).toEqual([
      {
        type: "zeropage-lab:error",
        message: expect.stringMatching(/still computing.*after zeropage-lab:ready/),
      },
    ]);
  });

  it("stops listening when stopped", async () => {
    const { store, send, control } = await started(DRIVEN);
    control.stop();
    const position = store.getState().position;
    send({ type: "zeropage-lab:seek", step: 0 });
    await idle(store);
    expect(store.getState().position).toBe(position);
  });
});
