/**
 * One QEMU process of the check: started through thp-off (THP disabled for it), with the guest on
 * its serial console (stdin/stdout), QMP on a Unix socket, and its memory read from /proc.
 *
 * The command line is the same on both hosts (QEMU requires it for migration); the destination
 * adds `-incoming defer` and is pointed at its port over QMP after its capabilities are set.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Assets } from "./assets.ts";
import { Qmp } from "./qmp.ts";

export interface GuestConfig {
  /** Guest RAM (MiB). */
  readonly ramMiB: number;
  /** Data memfill writes and keeps (MiB). */
  readonly dataMiB: number;
  /** Free memory memfill leaves untouched when it fills the rest (MiB). */
  readonly leaveMiB: number;
}

/** /proc/<pid>/status and the guest-RAM mapping's share of /proc/<pid>/smaps, in KiB. */
export interface ProcMemory {
  readonly rssAnonKiB: number;
  readonly vmPteKiB: number;
  /** Rss of the mapping that holds guest RAM (QEMU's "pc.ram"). */
  readonly guestRamRssKiB: number;
}

export function qemuArgs(a: Assets, g: GuestConfig, qmpSocket: string, incoming: boolean): string[] {
  return [
    "-nodefaults",
    "-no-user-config",
    // mem-merge=off: no MADV_MERGEABLE on guest RAM (KSM, if running on this host, stays out).
    "-machine",
    "pc,mem-merge=off",
    "-accel",
    "tcg,tb-size=64",
    "-cpu",
    "qemu64",
    "-smp",
    "1",
    "-m",
    `${g.ramMiB}M`,
    "-kernel",
    a.kernel,
    "-initrd",
    a.initrd,
    "-append",
    [
      "console=ttyS0",
      "quiet",
      "loglevel=1",
      // Pages keep their contents when freed and are not zeroed when allocated (the fill's data
      // stays where it was, and the balloon's pages are not written before QEMU discards them).
      "init_on_free=0",
      "init_on_alloc=0",
      "panic=-1",
      `qc_data=${g.dataMiB}`,
      `qc_leave=${g.leaveMiB}`,
    ].join(" "),
    "-device",
    "virtio-balloon-pci,id=balloon0",
    "-display",
    "none",
    "-serial",
    "stdio",
    "-qmp",
    `unix:${qmpSocket},server=on,wait=off`,
    ...(incoming ? ["-incoming", "defer"] : []),
  ];
}

export class QemuProcess {
  readonly lines: string[] = [];
  private partial = "";
  private waiters: (() => void)[] = [];
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  stderr = "";

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly qmp: Qmp,
  ) {}

  static async start(
    name: string,
    a: Assets,
    g: GuestConfig,
    dir: string,
    incoming: boolean,
  ): Promise<QemuProcess> {
    const sock = path.join(dir, `${name}.qmp`);
    const child = spawn(a.thpOff, [a.qemu, ...qemuArgs(a, g, sock, incoming)], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let early: QemuProcess | null = null;
    const pre = {
      stderr: "",
      lines: [] as string[],
      exit: null as null | { code: number | null; signal: NodeJS.Signals | null },
    };
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => {
      if (early) early.stderr += d;
      else pre.stderr += d;
    });
    child.on("exit", (code, signal) => {
      pre.exit = { code, signal };
      if (early) {
        early.exited = { code, signal };
        for (const w of early.waiters.splice(0)) w();
      }
    });
    let qmp: Qmp;
    try {
      qmp = await Promise.race([
        Qmp.connect(sock, 15_000),
        new Promise<never>((_, reject) =>
          child.once("exit", (code) =>
            reject(new Error(`QEMU (${name}) exited with ${code}: ${pre.stderr.trim()}`)),
          ),
        ),
      ]);
    } catch (e) {
      child.kill("SIGKILL");
      throw e;
    }
    const q = new QemuProcess(name, child, qmp);
    early = q;
    q.stderr = pre.stderr;
    if (pre.exit) q.exited = pre.exit;
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => q.onSerial(d));
    return q;
  }

  get pid(): number {
    return this.child.pid!;
  }

  private onSerial(d: string): void {
    this.partial += d.replace(/\r/g, "");
    for (let nl = this.partial.indexOf("\n"); nl >= 0; nl = this.partial.indexOf("\n")) {
      this.lines.push(this.partial.slice(0, nl));
      this.partial = this.partial.slice(nl + 1);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first serial line starting with `prefix` (seen so far or later). */
  async waitLine(prefix: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const err = this.lines.find((l) => l.startsWith("QC:error"));
      if (err) throw new Error(`guest on ${this.name}: ${err}\n${this.tail()}`);
      const hit = this.lines.find((l) => l.startsWith(prefix));
      if (hit) return hit;
      if (this.exited)
        throw new Error(
          `QEMU (${this.name}) exited (${this.exited.code ?? this.exited.signal}) before '${prefix}'\n${this.tail()}`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for '${prefix}' from the guest on ${this.name}\n${this.tail()}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The last serial lines and stderr, for error messages. */
  tail(): string {
    const out = [...this.lines.slice(-15), ...(this.partial ? [this.partial] : [])];
    return [
      `serial (${this.name}), last lines:`,
      ...out.map((l) => `  | ${l}`),
      ...(this.stderr.trim() ? [`stderr: ${this.stderr.trim()}`] : []),
    ].join("\n");
  }

  /** Sends a line to the guest's console (the init script waits for one between steps). */
  go(): void {
    this.child.stdin!.write("go\n");
  }

  async memory(ramBytes: number): Promise<ProcMemory> {
    return readProcMemory(this.pid, ramBytes);
  }

  /** Ends QEMU: QMP quit, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.exited) {
      this.qmp.command("quit").catch(() => {});
      await new Promise<void>((resolve) => {
        if (this.exited) return resolve();
        const t = setTimeout(() => {
          this.child.kill("SIGKILL");
          resolve();
        }, graceMs);
        this.child.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.qmp.close();
  }
}

/** Parses `Name:   123 kB` fields of /proc/<pid>/status. */
export function parseStatus(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/**
 * The Rss (KiB) of the mapping that holds guest RAM: the one anonymous mapping at least as big as
 * guest RAM (QEMU maps a RAM block with a little extra for alignment and a guard page).
 */
export function guestRamRss(smaps: string, ramBytes: number): number {
  let best: { size: number; rss: number } | null = null;
  let cur: { size: number; rss: number; anon: boolean } | null = null;
  const close = () => {
    if (cur?.anon && cur.size >= ramBytes && (!best || cur.size < best.size))
      best = { size: cur.size, rss: cur.rss };
  };
  for (const line of smaps.split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      close();
      const size = Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16);
      cur = { size, rss: 0, anon: head[3] === "0" && head[4] === "" };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && cur) cur.rss = Number(rss[1]);
  }
  close();
  if (!best)
    throw new Error(`no anonymous mapping of at least ${ramBytes} bytes in smaps: where is guest RAM?`);
  return (best as { rss: number }).rss;
}

export async function readProcMemory(pid: number, ramBytes: number): Promise<ProcMemory> {
  const [status, smaps] = await Promise.all([
    readFile(`/proc/${pid}/status`, "utf8"),
    readFile(`/proc/${pid}/smaps`, "utf8"),
  ]);
  const s = parseStatus(status);
  if (s.RssAnon === undefined || s.VmPTE === undefined)
    throw new Error(`/proc/${pid}/status has no RssAnon or VmPTE`);
  return { rssAnonKiB: s.RssAnon, vmPteKiB: s.VmPTE, guestRamRssKiB: guestRamRss(smaps, ramBytes) };
}
