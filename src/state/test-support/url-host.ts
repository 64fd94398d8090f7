/**
 * A fake window for the URL sync's tests: a history stack with push/replace counts and popstate
 * listeners, and a wait until a store shows its target step with nothing in flight. Tests only.
 */

import type { UrlHost } from "../link-sync.ts";
import type { AppStore } from "../store.ts";

/** location, history and popstate over an array of hashes; go() is Back/Forward. */
export class FakeHost implements UrlHost {
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

/** Polls until the store is ready and idle (the view shows the target step). */
export async function settle(store: AppStore, tries = 2000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    await new Promise((r) => setTimeout(r, 2));
    const s = store.getState();
    if (s.status !== "loading" && s.status !== "idle" && s.isIdle()) {
      await new Promise((r) => setTimeout(r, 5));
      if (store.getState().isIdle() && store.getState().status !== "loading") return;
    }
  }
  throw new Error("the store did not settle");
}
