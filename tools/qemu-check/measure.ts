/**
 * Runs the check's scenarios on real QEMUs and measures them. One scenario:
 *
 *   1. the source QEMU boots the guest (the balloon driver loaded)            phase "booted"
 *   2. the guest writes `dataMiB` of data and keeps it                        phase "data"
 *   3. the guest writes all its free memory but `leaveMiB`, then frees it     phase "filled"
 *   4. balloon scenarios: QMP `balloon` down to `balloonLeaveMiB`, until the
 *      guest's balloon stops growing; query-balloon says how big it got        phase "ballooned"
 *   5. the destination QEMU starts with -incoming defer                        phase "started" (destination)
 *   6. migration over TCP on 127.0.0.1, bandwidth unlimited; postcopy scenarios
 *      turn on postcopy-ram on both sides and switch right after `migrate`
 *   7. both QEMUs once both say "completed"                                    phase "migrated" (both)
 *
 * At each phase: RssAnon and VmPTE from /proc/<pid>/status of that QEMU, and the guest-RAM
 * mapping's Rss from /proc/<pid>/smaps. After the migration: query-migrate's RAM counters on the
 * source. Scenarios run one after another (TCG needs the CPU).
 */
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { MiB } from "../../src/base/units.ts";
import type { Assets } from "./assets.ts";
import { type GuestConfig, type ProcMemory, QemuProcess } from "./qemu.ts";

export type Mode = "precopy" | "postcopy";
export type Phase = "booted" | "data" | "filled" | "ballooned" | "started" | "migrated";
export type HostName = "source" | "destination";

export interface ScenarioSpec {
  readonly id: string;
  readonly balloon: boolean;
  readonly mode: Mode;
}

/** The check's four runs: balloon and control, precopy and postcopy. */
export const SCENARIOS: readonly ScenarioSpec[] = [
  { id: "balloon-precopy", balloon: true, mode: "precopy" },
  { id: "control-precopy", balloon: false, mode: "precopy" },
  { id: "balloon-postcopy", balloon: true, mode: "postcopy" },
  { id: "control-postcopy", balloon: false, mode: "postcopy" },
];

export interface Setup extends GuestConfig {
  /** The balloon leaves the guest this much (QMP `balloon` value, MiB). */
  readonly balloonLeaveMiB: number;
}

export const DEFAULT_SETUP: Setup = { ramMiB: 1024, dataMiB: 256, leaveMiB: 48, balloonLeaveMiB: 512 };

export interface PhaseMemory extends ProcMemory {
  readonly phase: Phase;
  readonly host: HostName;
  /** Since the scenario started. */
  readonly atMs: number;
}

/** query-migrate's RAM counters (QAPI MigrationStats) and times, from the source. */
export interface MigrationStats {
  readonly duplicate: number;
  readonly normal: number;
  readonly transferred: number;
  readonly postcopyRequests: number;
  readonly precopyBytes: number | null;
  readonly postcopyBytes: number | null;
  readonly totalTimeMs: number;
  readonly downtimeMs: number | null;
}

export interface ScenarioMeasurement extends ScenarioSpec {
  /** Pages memfill wrote and kept, and wrote and freed (guest's own count). */
  readonly dataPages: number;
  readonly fillPages: number;
  /** Guest RAM the balloon holds at the end of inflation (query-balloon: RAM − actual), bytes. */
  readonly balloonBytes: number;
  readonly phases: readonly PhaseMemory[];
  readonly migration: MigrationStats;
  readonly timings: Readonly<Record<"boot" | "data" | "fill" | "balloon" | "migrate" | "total", number>>;
}
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface QueryMigrate {
  status: string;
  "error-desc"?: string;
  "total-time"?: number;
  downtime?: number;
  ram?: Record<string, number>;
}

/** Inflates the balloon to leave `leaveBytes`; waits until it stops growing. Returns its size. */
async function inflate(src: QemuProcess, ramBytes: number, leaveBytes: number): Promise<number> {
  await src.qmp.command("balloon", { value: leaveBytes });
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { actual } = await src.qmp.command<{ actual: number }>("query-balloon");
    if (actual <= leaveBytes) return ramBytes - actual;
    if (actual !== last) {
      last = actual;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 1500) {
      // The guest keeps some memory free and may stop short of the target: take what it gave.
      return ramBytes - actual;
    }
    if (Date.now() > deadline) throw new Error(`the balloon did not settle within 60 s (actual ${actual})`);
    await sleep(100);
  }
}

async function waitMigration(q: QemuProcess, timeoutMs: number): Promise<QueryMigrate> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await q.qmp.command<QueryMigrate>("query-migrate");
    if (r.status === "completed") return r;
    if (r.status === "failed" || r.status === "cancelled")
      throw new Error(`migration ${r.status} on the ${q.name}: ${r["error-desc"] ?? "(no reason given)"}`);
    if (Date.now() > deadline)
      throw new Error(`migration not completed on the ${q.name} after ${timeoutMs} ms (status ${r.status})`);
    await sleep(100);
  }
}

export async function measureScenario(
  a: Assets,
  setup: Setup,
  spec: ScenarioSpec,
  log: (line: string) => void = () => {},
): Promise<ScenarioMeasurement> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "qemu-check-"));
  const ramBytes = setup.ramMiB * MiB;
  const t0 = Date.now();
  const phases: PhaseMemory[] = [];
  const timings = { boot: 0, data: 0, fill: 0, balloon: 0, migrate: 0, total: 0 };
  let src: QemuProcess | null = null;
  let dst: QemuProcess | null = null;
  const record = async (q: QemuProcess, host: HostName, phase: Phase) => {
    phases.push({ phase, host, atMs: Date.now() - t0, ...(await q.memory(ramBytes)) });
  };
  try {
    src = await QemuProcess.start("source", a, setup, dir, false);
    await src.waitLine("QC:modules", 90_000);
    timings.boot = Date.now() - t0;
    await record(src, "source", "booted");
    let t = Date.now();
    src.go();
    const hold = await src.waitLine("QC:hold", 60_000);
    timings.data = Date.now() - t;
    await record(src, "source", "data");
    t = Date.now();
    src.go();
    const fill = await src.waitLine("QC:fill", 60_000);
    await src.waitLine("QC:idle", 10_000);
    timings.fill = Date.now() - t;
    await record(src, "source", "filled");
    t = Date.now();
    const balloonBytes = spec.balloon ? await inflate(src, ramBytes, setup.balloonLeaveMiB * MiB) : 0;
    timings.balloon = Date.now() - t;
    await record(src, "source", "ballooned");
    log(
      `  ${spec.id}: booted in ${(timings.boot / 1000).toFixed(1)} s, data ${(timings.data / 1000).toFixed(1)} s, fill ${(timings.fill / 1000).toFixed(1)} s${spec.balloon ? `, balloon ${(balloonBytes / MiB).toFixed(0)} MiB in ${(timings.balloon / 1000).toFixed(1)} s` : ""}`,
    );

    dst = await QemuProcess.start("destination", a, setup, dir, true);
    await record(dst, "destination", "started");
    const caps = [{ capability: "postcopy-ram", state: spec.mode === "postcopy" }];
    await dst.qmp.command("migrate-set-capabilities", { capabilities: caps });
    const port = await freePort();
    const uri = `tcp:127.0.0.1:${port}`;
    await dst.qmp.command("migrate-incoming", { uri });
    await src.qmp.command("migrate-set-capabilities", { capabilities: caps });
    // QEMU's default limit is 32 MiB/s; on one machine there is no reason for one.
    await src.qmp.command("migrate-set-parameters", { "max-bandwidth": 64 * 1024 * MiB });
    t = Date.now();
    await src.qmp.command("migrate", { uri });
    if (spec.mode === "postcopy") await src.qmp.command("migrate-start-postcopy");
    const done = await waitMigration(src, 120_000);
    await waitMigration(dst, 30_000);
    timings.migrate = Date.now() - t;
    await record(src, "source", "migrated");
    await record(dst, "destination", "migrated");
    const ram = done.ram ?? {};
    const num = (k: string) => (typeof ram[k] === "number" ? ram[k] : null);
    const migration: MigrationStats = {
      duplicate: num("duplicate") ?? 0,
      normal: num("normal") ?? 0,
      transferred: num("transferred") ?? 0,
      postcopyRequests: num("postcopy-requests") ?? 0,
      precopyBytes: num("precopy-bytes"),
      postcopyBytes: num("postcopy-bytes"),
      totalTimeMs: done["total-time"] ?? 0,
      downtimeMs: done.downtime ?? null,
    };
    timings.total = Date.now() - t0;
    log(
      `  ${spec.id}: migrated (${spec.mode}) in ${(timings.migrate / 1000).toFixed(1)} s; ${(timings.total / 1000).toFixed(1)} s in all`,
    );
    return {
      ...spec,
      dataPages: Number(/pages=(\d+)/.exec(hold)?.[1] ?? 0),
      fillPages: Number(/pages=(\d+)/.exec(fill)?.[1] ?? 0),
      balloonBytes,
      phases,
      migration,
      timings,
    };
  } finally {
    await Promise.all([src?.stop(), dst?.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}
