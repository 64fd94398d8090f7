/**
 * A tiny static server for the production build under a sub-path, for the "anywhere" tests: it
 * serves the build folder (scripts/e2e.mjs passes it as E2E_OUT_DIR) at http://127.0.0.1:<port>
 * <prefix>, answers 404 for everything outside the prefix, and logs every request's path, so a
 * test can check that nothing was fetched from the site root. `deploy()` stands for publishing a
 * new version: the service worker script changes (as any rebuild changes its precache revisions).
 */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
  ".woff2": "font/woff2",
};

export interface StaticDist {
  /** http://127.0.0.1:<port><prefix> (ends with "/"). */
  readonly url: string;
  /** Paths of every request so far, in order. */
  readonly requests: readonly string[];
  /** Publish "a new version": the service worker script differs from now on. */
  deploy(label: string): void;
  close(): Promise<void>;
}

export async function serveDist(
  prefix: string,
  root = process.env.E2E_OUT_DIR || "dist",
): Promise<StaticDist> {
  const dir = path.resolve(root);
  if (!existsSync(path.join(dir, "index.html")))
    throw new Error(`no build in ${dir}: run through scripts/e2e.mjs`);
  const requests: string[] = [];
  let deployment = "";
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(url.pathname);
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("outside the app's path");
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length));
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const headers = {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    };
    if (rel === "sw.js" && deployment) {
      res.writeHead(200, headers).end(`${readFileSync(file, "utf8")}\n// ${deployment}\n`);
      return;
    }
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    deploy(label) {
      deployment = label;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
