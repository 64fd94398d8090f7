/**
 * Where a measured run's values sit on the counter charts: each measured phase at the end of the
 * scenario action it follows (on the shared trace axis, trace-axis.ts), per host.
 *
 *   RssAnon track   the Rss of QEMU's guest-RAM mapping (/proc/<pid>/smaps): the model's mm is
 *                   guest RAM, the process's RssAnon adds QEMU's own heap and TCG buffers
 *   VmPTE track     VmPTE of the whole QEMU process (no per-mapping figure exists)
 *   balloon track   the balloon query-balloon reported, from the "ballooned" phase on
 *
 * Pure: no DOM. The model's trace has one more action than the scenario ("QEMU starts" first).
 */
import { KiB } from "../../base/units.ts";
import type { MeasuredRun } from "../../state/measured.ts";
import type { TraceAxis } from "./trace-axis.ts";

export interface MeasuredPoint {
  readonly u: number;
  readonly value: number;
  readonly phase: string;
}

export interface MeasuredSeries {
  /** mm index (0 source, 1 destination), or −1 for the guest (balloon). */
  readonly mm: number;
  readonly points: readonly MeasuredPoint[];
}

/** What each track's measured series is, for the legend and titles. */
export const MEASURED_MEANING: Readonly<Record<string, string>> = {
  rssAnonBytes: "measured: Rss of QEMU's guest-RAM mapping (smaps)",
  vmPteBytes: "measured: VmPTE of the whole QEMU process",
  balloon: "measured: the balloon query-balloon reported",
};

/** u at the end of scenario action `action` (−1: the end of "QEMU starts"). */
function uAfter(ax: TraceAxis, action: number): number | null {
  const traceAction = action + 1;
  if (traceAction < 0 || traceAction >= ax.actions) return null;
  return ax.actionStart_u[traceAction + 1]!;
}

export function measuredSeries(
  run: MeasuredRun,
  ax: TraceAxis,
  mms: number,
  trackId: string,
): MeasuredSeries[] {
  if (!(trackId in MEASURED_MEANING)) return [];
  const out: MeasuredSeries[] = [];
  const hosts = trackId === "balloon" ? (["source"] as const) : (["source", "destination"] as const);
  let ballooned = false;
  for (const host of hosts) {
    const mm = host === "source" ? 0 : 1;
    if (mm >= mms) continue;
    const points: MeasuredPoint[] = [];
    for (const p of run.phases) {
      if (p.host !== host || p.action === null) continue;
      const u = uAfter(ax, p.action);
      if (u === null) continue;
      if (p.phase === "ballooned") ballooned = true;
      const value =
        trackId === "rssAnonBytes"
          ? p.guestRamRssKiB * KiB
          : trackId === "vmPteBytes"
            ? p.vmPteKiB * KiB
            : ballooned
              ? run.balloonBytes
              : 0;
      points.push({ u, value, phase: p.phase });
    }
    if (points.length > 0) out.push({ mm: trackId === "balloon" ? -1 : mm, points });
  }
  return out;
}

export function maxOfMeasured(ss: readonly MeasuredSeries[]): number {
  let m = 0;
  for (const s of ss) for (const p of s.points) if (p.value > m) m = p.value;
  return m;
}
