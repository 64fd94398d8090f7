import { defineConfig } from "vite";

/**
 * The command line, compiled: `npm run build:cli` (run by `prepare`, so `npm ci` and `npm install`
 * build it) bundles src/cli/main.ts and everything it imports, packages included, into one ES
 * module, dist-cli/main.js, which bin/zeropage-lab.mjs loads. Node runs it as it is: nothing is
 * compiled when the CLI starts. Vite's SSR build is used because it targets Node (node: builtins
 * stay imports); `noExternal: true` takes the packages in too, so the CLI loads one file.
 */
export default defineConfig({
  logLevel: "warn",
  publicDir: false,
  ssr: { noExternal: true, target: "node" },
  build: {
    ssr: "src/cli/main.ts",
    outDir: "dist-cli",
    emptyOutDir: true,
    target: "node20",
    sourcemap: true,
    minify: false,
    rolldownOptions: { output: { entryFileNames: "main.js" } },
  },
});
