import { describe, expect, it } from "vitest";
import { latestWins } from "./latest.ts";

/** A send whose answers the test releases one at a time. */
function gated() {
  const sent: number[] = [];
  const gates: (() => void)[] = [];
  const send = (t: number) =>
    new Promise<void>((resolve) => {
      sent.push(t);
      gates.push(resolve);
    });
  const answer = async () => {
    gates.shift()!();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { sent, send, answer };
}

describe("latestWins", () => {
  it("sends one request at a time, and only the newest target after each answer", async () => {
    const g = gated();
    const l = latestWins(g.send);
    void l.ask(1);
    void l.ask(2);
    void l.ask(3);
    expect(g.sent).toEqual([1]);
    expect(l.waiting()).toBe(true);
    await g.answer();
    expect(g.sent).toEqual([1, 3]);
    expect(l.waiting()).toBe(false);
    expect(l.idle()).toBe(false);
    await g.answer();
    expect(g.sent).toEqual([1, 3]);
    expect(l.idle()).toBe(true);
  });

  it("resolves ask() once nothing is left to send", async () => {
    const g = gated();
    const l = latestWins(g.send);
    let done = false;
    void l.ask(1).then(() => {
      done = true;
    });
    void l.ask(2);
    await g.answer();
    expect(done).toBe(false);
    await g.answer();
    expect(done).toBe(true);
  });

  it("drop() forgets the waiting target; the one in flight still answers", async () => {
    const g = gated();
    const l = latestWins(g.send);
    void l.ask(1);
    void l.ask(2);
    l.drop();
    await g.answer();
    expect(g.sent).toEqual([1]);
    expect(l.idle()).toBe(true);
  });

  it("a send that throws does not stop the next target", async () => {
    const sent: number[] = [];
    const l = latestWins(async (t: number) => {
      sent.push(t);
      if (t === 1) throw new Error("worker gone");
    });
    const first = l.ask(1);
    void l.ask(2);
    await first;
    expect(sent).toEqual([1, 2]);
    expect(l.idle()).toBe(true);
  });
});
