import type { Preset } from "@vite-pwa/assets-generator/config";
import react from "@vitejs/plugin-react";
import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";

/**
 * The app's icons, made at build from public/favicon.svg (the minimal-2023 set: 64, 192 and 512
 * px, favicon.ico, a maskable 512 px and Apple's 180 px); the padded ones on the favicon's own blue.
 */
const ICONS: Preset = {
  transparent: { sizes: [64, 192, 512], favicons: [[48, "favicon.ico"]] },
  maskable: { sizes: [512], padding: 0.3, resizeOptions: { background: "#1d4ed8" } },
  apple: { sizes: [180], padding: 0.3, resizeOptions: { background: "#1d4ed8" } },
};

// The engine runs in a module worker (src/worker).
//
// Anywhere: `base: "./"` makes every URL in the build relative to the page (assets, the worker
// chunk, the favicon, the manifest and the service worker), so dist/ works unchanged at the site
// root or under any sub-path (https://example.edu/os/zeropage/). e2e/anywhere.spec.ts serves it
// under a deep path.
//
// Offline: vite-plugin-pwa (Workbox) writes a service worker that precaches the app shell, the
// worker chunk, the icons and the recorded QEMU check, and a web app manifest with icons generated
// at build from public/favicon.svg (@vite-pwa/assets-generator). registerType "prompt": a new
// deployment waits until the user accepts it (src/ui/offline/UpdatePrompt.tsx), so a page never
// switches engine semantics under an open run. The app registers the worker itself
// (src/ui/offline/register.ts): no inline script, so the CSP's script-src 'self' stays.
/** Test files that mock a module with vi.mock: they run isolated (see test.projects). */
const MOCKS_MODULES = ["tools/qemu-check/check.test.ts"];

export default defineConfig({
  base: "./",
  plugins: [
    react(),
    VitePWA({
      registerType: "prompt",
      injectRegister: null,
      pwaAssets: { image: "public/favicon.svg", preset: ICONS, overrideManifestIcons: true },
      manifest: {
        name: "Zeropage Lab",
        short_name: "Zeropage Lab",
        description:
          "Watch Linux memory management around the shared zeropage, step by step and per kernel variant: balloon, migration, KSM, userfaultfd.",
        start_url: "./",
        scope: "./",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#1d4ed8",
      },
      workbox: {
        // Everything the app needs to open and run offline. Source maps stay online-only.
        globPatterns: ["**/*.{js,css,html,svg,png,ico,json,woff2}"],
        // The engine worker chunk is the largest file; keep a margin above it.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        // No navigateFallback: the app is one page, addressed by its fragment; other paths
        // (qemu-check/index.html) are precached as themselves.
        navigateFallback: null,
        sourcemap: false,
      },
    }),
  ],
  worker: { format: "es" },
  build: { target: "es2022", sourcemap: true },
  preview: { host: "127.0.0.1" },
  test: {
    environment: "node",
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "tools/**/*.test.ts", "bench/**/*.test.ts"],
          exclude: MOCKS_MODULES,
          // The files of a worker share one module graph: importing the engine once per worker
          // instead of once per file halves the run on 2 cores. No file may leave state behind.
          isolate: false,
        },
      },
      // Files that replace a module (vi.mock) get a module graph of their own.
      { extends: true, test: { name: "isolated", include: MOCKS_MODULES } },
    ],
  },
});
