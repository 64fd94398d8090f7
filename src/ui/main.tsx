/**
 * Entry point: create the store (reading the URL once), start the worker, follow the system's
 * reduced-motion setting, expose a tiny test hook, then render. React and the views load as a
 * separate chunk (mount.tsx): the worker is already computing the link's scenario while the
 * browser fetches and parses them, instead of starting after them.
 */
import { appEngine } from "../state/app-engine.ts";
import { createBeforeAfterStore } from "../state/before-after.ts";
import { compareOf, connectCompareLinks } from "../state/compare.ts";
import { connectEmbedControl } from "../state/embed-control.ts";
import { LinkSync } from "../state/link-sync.ts";
import { createAppStore } from "../state/store.ts";
import { createStudy } from "../state/study.ts";
import { studyWorker } from "../state/study-engine.ts";
import { readUrlState } from "../state/url.ts";
import { registerOffline } from "./offline/register.ts";

// The worker behind a cancellable wrapper (the editor's Cancel), and the URL kept in step with the
// store (src/state/link-sync.ts: history entries, Back/Forward, the link's self-check).
const engine = appEngine();
// No link at all (the default story): open at step 0 and invite the viewer to press Play. A link
// opens where it says (no step: the end).
const hash = window.location.hash.replace(/^#/, "");
const store = createAppStore(engine.api, {
  ...readUrlState(window.location.hash),
  ...(hash === "" ? { position: 0 } : {}),
});
const sync = new LinkSync(store, window);
// Compare mode: the store's compare slice, read as a store of its own by the compare views, and
// following the link's compare= parameter.
const compare = compareOf(store);
connectCompareLinks(compare, sync);
// The story's patch, before and after, in the main view.
const beforeAfter = createBeforeAfterStore(engine.api, store);
// Embed mode (embed=1&origin=…): the host pages the link names may drive it by postMessage.
connectEmbedControl(store, sync.links, window);
// Exercises and sweeps: the exercise being played over this engine; sweeps and answer
// keys on a second worker, started on the first sweep.
const study = createStudy(store, engine.api, studyWorker(), sync);
void store.getState().init();
// The service worker (offline use, and the prompt when a new version is deployed).
registerOffline();

const motion = window.matchMedia("(prefers-reduced-motion: reduce)");
store.getState().setReducedMotion(motion.matches);
motion.addEventListener("change", (e) => store.getState().setReducedMotion(e.matches));

/**
 * Test hook for e2e and the UI benchmark: whether the view shows the target step with nothing in
 * flight, and a seek that bypasses the pointer. Rendered positions are on `.app[data-view-position]`.
 */
declare global {
  interface Window {
    __zeropage?: { idle(): boolean; seek(position: number): void; viewMs(): number; runMs(): number };
  }
}
window.__zeropage = {
  idle: () =>
    store.getState().isIdle() && store.getState().compare.isIdle() && beforeAfter.getState().isIdle(),
  seek: (p) => store.getState().seek(p),
  /** How long the worker took to compute the view on screen. */
  viewMs: () => store.getState().view?.elapsedMs ?? Number.NaN,
  /** How long the worker took to load the run on screen (a run it kept or computed ahead: ~0). */
  runMs: () => store.getState().run?.elapsedMs ?? Number.NaN,
};

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
const { mount } = await import("./mount.tsx");
mount(root, { store, compare, sync, engine, beforeAfter, study });
