/**
 * What the QEMU check needs on the host, found or fetched, and the guest it boots:
 *
 * - QEMU (`qemu-system-x86_64`, Debian's qemu-system-x86) and a static busybox (busybox-static):
 *   installed with apt-get when missing and we are root (one line says so), else a skip reason;
 * - a guest kernel: Debian's linux-image-<version>-cloud-amd64 (the package the
 *   linux-image-cloud-amd64 metapackage points at), fetched with `apt-get download` and unpacked
 *   with `dpkg-deb -x` into build/ (never installed). Its virtio, virtio_pci and virtio_balloon are
 *   modules, loaded by the guest's init in dependency order (read from each module's .modinfo);
 * - thp-off (thp-off.c) and the guest's memfill (guest/memfill.c, static), compiled with $CC;
 * - the initramfs: busybox, memfill, the modules, /dev/console and the init script (init.ts),
 *   written as a gzipped newc cpio by this file.
 *
 * Everything built or fetched lives in tools/qemu-check/build/ (git-ignored) and is reused.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { initScript } from "./init.ts";

const run = promisify(execFile);

export const HERE = path.dirname(new URL(import.meta.url).pathname);
export const BUILD_DIR = path.join(HERE, "build");

/** The guest kernel modules the check needs; their dependencies come along. */
export const GUEST_MODULES = ["virtio_pci", "virtio_balloon"];

export interface Assets {
  readonly qemu: string;
  readonly qemuVersion: string;
  readonly thpOff: string;
  readonly kernel: string;
  readonly kernelPackage: string;
  readonly initrd: string;
  /** Modules in load order (names). */
  readonly modules: readonly string[];
}

export type Found<T> = { ok: true; value: T } | { ok: false; skip: string };

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return null;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

let aptUpdated = false;
function aptGet(args: string[], cwd?: string): { ok: boolean; out: string } {
  const r = spawnSync("apt-get", ["-o", "APT::Sandbox::User=root", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function aptUpdate(): void {
  if (aptUpdated) return;
  aptUpdated = true;
  aptGet(["update", "-qq"]);
}

/** Whether an ELF file is statically linked (no PT_INTERP program header). */
export async function isStaticElf(file: string): Promise<boolean> {
  const b = await readFile(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    if (b.readUInt32LE(phoff + i * phentsize) === 3) return false;
  }
  return true;
}

const BUSYBOX_PATHS = ["/bin/busybox", "/usr/bin/busybox"];

async function staticBusybox(): Promise<string | null> {
  for (const p of BUSYBOX_PATHS) if (existsSync(p) && (await isStaticElf(p))) return p;
  return null;
}

/**
 * QEMU and a static busybox, installing Debian's qemu-system-x86 and busybox-static when root with
 * apt-get. `log` gets the one line that says so.
 */
export async function hostPackages(
  log: (line: string) => void,
): Promise<Found<{ qemu: string; busybox: string }>> {
  let qemu = which("qemu-system-x86_64");
  let busybox = await staticBusybox();
  const missing = [...(qemu ? [] : ["qemu-system-x86"]), ...(busybox ? [] : ["busybox-static"])];
  if (missing.length > 0) {
    if (!isRoot() || !which("apt-get")) {
      return {
        ok: false,
        skip: `${missing.join(" and ")} not installed (apt-get install ${missing.join(" ")}; the check installs ${missing.length > 1 ? "them" : "it"} itself when run as root on Debian)`,
      };
    }
    log(`qemu-check: installing ${missing.join(" ")} with apt-get`);
    aptUpdate();
    const r = aptGet(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
    if (!r.ok) return { ok: false, skip: `apt-get install ${missing.join(" ")} failed:\n${r.out.trim()}` };
    qemu = which("qemu-system-x86_64");
    busybox = await staticBusybox();
  }
  if (!qemu || !busybox)
    return { ok: false, skip: `apt-get installed ${missing.join(" ")}, but they are not found` };
  return { ok: true, value: { qemu, busybox } };
}

export async function qemuVersionOf(qemu: string): Promise<string> {
  const { stdout } = await run(qemu, ["--version"]);
  const m = /version (\d+\.\d+)(\.\d+)?/.exec(stdout);
  if (!m) throw new Error(`cannot read QEMU's version from: ${stdout.split("\n")[0]}`);
  return m[1]! + (m[2] ?? "");
}

/** Compiles `src` to `out` with $CC when the source is newer. */
async function compile(src: string, out: string, flags: string[]): Promise<Found<string>> {
  const cc = process.env.CC ?? "cc";
  if (!which(cc) && !existsSync(cc))
    return { ok: false, skip: `no C compiler (${cc}) to build ${path.basename(src)}` };
  const [s, o] = await Promise.all([stat(src), stat(out).catch(() => null)]);
  if (o && o.mtimeMs >= s.mtimeMs) return { ok: true, value: out };
  await mkdir(path.dirname(out), { recursive: true });
  try {
    await run(cc, ["-O2", "-Wall", "-Wextra", "-std=gnu11", ...flags, "-o", `${out}.tmp`, src]);
  } catch (e) {
    const msg = (e as { stderr?: string }).stderr ?? String(e);
    if (flags.includes("-static") && /cannot find -lc|crt1\.o/.test(msg))
      return {
        ok: false,
        skip: `cannot link ${path.basename(src)} statically: libc.a is missing (apt-get install libc6-dev)`,
      };
    throw new Error(`${cc} failed on ${path.basename(src)}:\n${msg}`);
  }
  await rename(`${out}.tmp`, out);
  return { ok: true, value: out };
}

/** The guest kernel package: the one Debian's linux-image-cloud-amd64 depends on. */
function kernelPackageName(): string | null {
  const ask = () =>
    spawnSync("apt-cache", ["depends", "linux-image-cloud-amd64"], { encoding: "utf8" }).stdout ?? "";
  let out = ask();
  if (!/Depends: linux-image-/.test(out) && isRoot()) {
    aptUpdate();
    out = ask();
  }
  return /Depends: (linux-image-[\w.+-]+-cloud-amd64)/.exec(out)?.[1] ?? null;
}

/** An unpacked guest kernel already in build/ (any version), or null. */
async function unpackedKernel(): Promise<{ pkg: string; root: string } | null> {
  const dir = path.join(BUILD_DIR, "kernel");
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const pkg of names.sort().reverse()) {
    const root = path.join(dir, pkg);
    if (existsSync(path.join(root, ".complete"))) return { pkg, root };
  }
  return null;
}

async function guestKernel(log: (line: string) => void): Promise<Found<{ pkg: string; root: string }>> {
  const have = await unpackedKernel();
  if (have) return { ok: true, value: have };
  if (!which("apt-get") || !which("dpkg-deb"))
    return {
      ok: false,
      skip: "no guest kernel in tools/qemu-check/build/kernel and no apt-get/dpkg-deb to fetch Debian's",
    };
  const pkg = kernelPackageName();
  if (!pkg)
    return {
      ok: false,
      skip: "apt-cache does not know linux-image-cloud-amd64 (not a Debian system, or no package lists)",
    };
  const dir = path.join(BUILD_DIR, "kernel");
  const root = path.join(dir, pkg);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  log(`qemu-check: fetching the guest kernel ${pkg} with apt-get download (unpacked, not installed)`);
  const dl = aptGet(["download", "-qq", pkg], dir);
  const debs = (await readdir(dir)).filter((n) => n.startsWith(`${pkg}_`) && n.endsWith(".deb"));
  if (!dl.ok || debs.length === 0)
    return { ok: false, skip: `apt-get download ${pkg} failed:\n${dl.out.trim()}` };
  const deb = path.join(dir, debs[0]!);
  await run("dpkg-deb", ["-x", deb, root]);
  await rm(deb);
  await writeFile(path.join(root, ".complete"), `${pkg}\n`);
  return { ok: true, value: { pkg, root } };
}

/** The `depends=` list of a kernel module, read from its .modinfo strings. */
export function moduleDepends(ko: Buffer): string[] {
  const key = Buffer.from("\0depends=");
  const at = ko.indexOf(key);
  if (at < 0) return [];
  const start = at + key.length;
  const end = ko.indexOf(0, start);
  const list = ko.subarray(start, end).toString("latin1");
  return list ? list.split(",").map((n) => n.replace(/-/g, "_")) : [];
}

/** Modules `wanted` and their dependencies, in load order (dependencies first). */
export async function moduleOrder(
  modulesDir: string,
  wanted: readonly string[],
): Promise<{ name: string; file: string }[]> {
  const files = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith(".ko")) files.set(e.name.slice(0, -3).replace(/-/g, "_"), p);
    }
  };
  await walk(modulesDir);
  const order: { name: string; file: string }[] = [];
  const seen = new Set<string>();
  const visit = async (name: string, chain: string[]): Promise<void> => {
    if (seen.has(name)) return;
    if (chain.includes(name)) throw new Error(`module dependency cycle: ${[...chain, name].join(" → ")}`);
    const file = files.get(name);
    if (!file)
      throw new Error(`module ${name} not found under ${modulesDir} (built into this kernel, or missing?)`);
    for (const dep of moduleDepends(await readFile(file))) await visit(dep, [...chain, name]);
    seen.add(name);
    order.push({ name, file });
  };
  for (const w of wanted) await visit(w, []);
  return order;
}

/** One entry of a newc cpio archive. */
interface CpioEntry {
  readonly name: string;
  readonly mode: number;
  readonly data?: Buffer;
  readonly rdev?: [number, number];
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

/** A newc ("070701") cpio archive, as the kernel's initramfs unpacker reads it. */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  const pad = () => {
    const n = (4 - (offset % 4)) % 4;
    if (n) push(Buffer.alloc(n));
  };
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  let ino = 1;
  for (const e of [...entries, { name: "TRAILER!!!", mode: 0 }]) {
    const data = e.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${e.name}\0`);
    const [rmaj, rmin] = "rdev" in e && e.rdev ? e.rdev : [0, 0];
    const header = [
      "070701",
      hex(e.name === "TRAILER!!!" ? 0 : ino++),
      hex(e.mode),
      hex(0),
      hex(0),
      hex(e.mode & S_IFDIR ? 2 : 1),
      hex(0),
      hex(data.length),
      hex(0),
      hex(0),
      hex(rmaj),
      hex(rmin),
      hex(name.length),
      hex(0),
    ].join("");
    push(Buffer.from(header, "latin1"));
    push(name);
    pad();
    push(data);
    pad();
  }
  return Buffer.concat(parts);
}

/** Everything, found, fetched or built. */
export async function prepareAssets(log: (line: string) => void): Promise<Found<Assets>> {
  if (process.platform !== "linux" || process.arch !== "x64")
    return {
      ok: false,
      skip: `not Linux x86_64 (${process.platform} ${process.arch}): the check runs QEMU's x86_64 guests on an x86_64 host`,
    };
  const pk = await hostPackages(log);
  if (!pk.ok) return pk;
  const thpOff = await compile(path.join(HERE, "thp-off.c"), path.join(BUILD_DIR, "thp-off"), []);
  if (!thpOff.ok) return thpOff;
  const memfill = await compile(path.join(HERE, "guest", "memfill.c"), path.join(BUILD_DIR, "memfill"), [
    "-static",
  ]);
  if (!memfill.ok) return memfill;
  const k = await guestKernel(log);
  if (!k.ok) return k;
  const boot = path.join(k.value.root, "boot");
  const vmlinuz = (await readdir(boot)).find((n) => n.startsWith("vmlinuz-"));
  if (!vmlinuz) return { ok: false, skip: `${k.value.pkg} has no vmlinuz` };
  const release = vmlinuz.slice("vmlinuz-".length);
  const modules = await moduleOrder(path.join(k.value.root, "lib", "modules", release), GUEST_MODULES);
  const initrd = path.join(BUILD_DIR, `initrd-${release}.cpio.gz`);
  const entries: CpioEntry[] = [
    ...["bin", "dev", "proc", "sys", "lib", "lib/modules"].map((name) => ({ name, mode: S_IFDIR | 0o755 })),
    { name: "dev/console", mode: S_IFCHR | 0o600, rdev: [5, 1] },
    { name: "bin/busybox", mode: S_IFREG | 0o755, data: await readFile(pk.value.busybox) },
    { name: "bin/sh", mode: S_IFLNK | 0o777, data: Buffer.from("busybox") },
    { name: "bin/memfill", mode: S_IFREG | 0o755, data: await readFile(memfill.value) },
    ...(await Promise.all(
      modules.map(async (m) => ({
        name: `lib/modules/${m.name}.ko`,
        mode: S_IFREG | 0o644,
        data: await readFile(m.file),
      })),
    )),
    { name: "init", mode: S_IFREG | 0o755, data: Buffer.from(initScript(modules.map((m) => m.name))) },
  ];
  await writeFile(`${initrd}.tmp`, gzipSync(cpioNewc(entries), { level: 6 }));
  await rename(`${initrd}.tmp`, initrd);
  return {
    ok: true,
    value: {
      qemu: pk.value.qemu,
      qemuVersion: await qemuVersionOf(pk.value.qemu),
      thpOff: thpOff.value,
      kernel: path.join(boot, vmlinuz),
      kernelPackage: k.value.pkg,
      initrd,
      modules: modules.map((m) => m.name),
    },
  };
}
