/**
 * End-to-end tests in real Chromium against the production build served on 127.0.0.1.
 * scripts/e2e.mjs picks the browser (Playwright's own, $CHROMIUM_PATH, /usr/bin/chromium) and
 * passes it in PW_CHROMIUM_PATH; screenshots go to test-results/.
 */
import { defineConfig, devices } from "@playwright/test";

const executablePath = process.env.PW_CHROMIUM_PATH || undefined;
const PORT = Number(process.env.E2E_PORT || 4321);
const OUT_DIR = process.env.E2E_OUT_DIR || "dist";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  // E2E_RESULTS_DIR keeps two concurrent runs (two worktrees, two people) out of each other's artifacts.
  outputDir: process.env.E2E_RESULTS_DIR || "test-results/artifacts",
  // The journeys' key frames (e2e/support.ts Journey.frame): one baseline per name, checked in;
  // `npm run test:update-screenshots` rewrites them after a change made on purpose.
  snapshotPathTemplate: "{testDir}/journeys/__screenshots__/{arg}{ext}",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  timeout: 60_000,
  expect: { timeout: 20_000 },
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    // No trace by default: recording one snapshots the DOM after every action, which made the
    // suite a third slower on 2 cores, and CI keeps only the printed log. To debug a failure,
    // run it again with E2E_TRACE=retain-on-failure and open the trace with `npx playwright show-trace`.
    trace: (process.env.E2E_TRACE as "on" | "off" | "retain-on-failure" | undefined) || "off",
    reducedMotion: "reduce",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1440, height: 900 },
        launchOptions: {
          ...(executablePath ? { executablePath } : {}),
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort --outDir ${OUT_DIR}`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
