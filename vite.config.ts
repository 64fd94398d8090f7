import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The app is served from the site root; the engine runs in a module worker (src/worker).
export default defineConfig({
  plugins: [react()],
  worker: { format: "es" },
  build: { target: "es2022", sourcemap: true },
  preview: { host: "127.0.0.1" },
  test: {
    include: ["src/**/*.test.ts", "tools/**/*.test.ts", "bench/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
  },
});
