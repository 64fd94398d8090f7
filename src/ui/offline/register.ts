/**
 * Offline and updates: registers the service worker that vite-plugin-pwa (Workbox) writes at
 * build (vite.config.ts), and keeps what the page should say about it in a small store:
 *
 *   offlineReady  the app shell, the engine worker chunk and the icons are cached: from now on the
 *                 app opens from this browser without a network;
 *   needRefresh   a new deployment has installed and is waiting. It takes over only when the user
 *                 accepts (update()), never by itself: a page keeps the engine it computed its run
 *                 with, and a link opened after the reload is self-checked by the new engine as
 *                 any link is (src/permalink/check.ts).
 *
 * In the dev server and in browsers without service workers, registration does nothing.
 */
import { registerSW } from "virtual:pwa-register";
import { createStore } from "zustand/vanilla";

export interface OfflineState {
  readonly offlineReady: boolean;
  /** The page is served by the service worker (a visit after the one that installed it). */
  readonly controlled: boolean;
  readonly needRefresh: boolean;
  /** Why the service worker could not be registered (the app works, but not offline). */
  readonly error: string | null;
  /** Activates the waiting version and reloads the page on it. */
  update(): Promise<void>;
  dismiss(): void;
}

let updateSW: ((reloadPage?: boolean) => Promise<void>) | null = null;

export const offline = createStore<OfflineState>()((set) => ({
  offlineReady: false,
  controlled: typeof navigator !== "undefined" && Boolean(navigator.serviceWorker?.controller),
  needRefresh: false,
  error: null,
  async update() {
    await updateSW?.(true);
  },
  dismiss() {
    set({ needRefresh: false });
  },
}));

let registered = false;

/** Registers the service worker once (main.tsx). */
export function registerOffline(): void {
  if (registered || typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  registered = true;
  updateSW = registerSW({
    immediate: true,
    onOfflineReady() {
      offline.setState({ offlineReady: true });
    },
    onNeedRefresh() {
      offline.setState({ needRefresh: true });
    },
    onRegisterError(e: unknown) {
      offline.setState({ error: e instanceof Error ? e.message : String(e) });
    },
  });
}
