/**
 * The migration: source → destination, with zero pages and normal pages flowing between the two
 * QEMUs, QEMU's counters under query-migrate's names (ram.duplicate, ram.normal,
 * ram.transferred, ram.postcopy-requests), the mode and the zero-page detection, and in
 * postcopy the destination's UFFDIO_ZEROPAGE and UFFDIO_COPY placements. A hung vCPU is shown
 * with its reason. Numbers come from the trace's extra columns (hypervisor/machine.ts
 * EXTRA_KEYS); the run's QEMU setup from RunInfo.migration.
 */

import type { RunInfo } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { useApp } from "../store-context.tsx";
import { extraAfter, extraAt, stepStartEvent } from "./memory-map/extra.ts";
import { useReducedMotion } from "./memory-map/hooks.ts";
import "./memory-map/maps.css";
import { PAGE_SIZE } from "../../base/units.ts";

/** migPhase values (hypervisor/machine.ts PHASE). */
const PHASES = ["not started", "precopy", "postcopy", "completed", "failed"] as const;

const DETECTION: Readonly<Record<string, string>> = {
  legacy:
    "legacy: the migration thread checks every page (buffer_is_zero) and sends an all-zero page as a short RAM_SAVE_FLAG_ZERO record, counted in ram.duplicate",
  multifd:
    "multifd: the multifd send threads check every page and send zero pages as offsets only; they still count in ram.duplicate",
  none: "none: no page is checked; every page goes out in full and counts in ram.normal",
};

function signed(n: number, fmt: (v: number) => string): string {
  if (n === 0) return "";
  return `${n > 0 ? "+" : "−"}${fmt(Math.abs(n))}`;
}

export function MigrationView() {
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const storeReduced = useApp((s) => s.reducedMotion);
  const mediaReduced = useReducedMotion();
  const reduced = storeReduced || mediaReduced;
  if (!run || !view) return null;
  const mig = run.migration;
  const t = run.trace;
  if (mig.mode === null) {
    return (
      <section className="zl-migration" aria-labelledby="zl-mig-h" data-testid="migration">
        <h2 className="zl-h2" id="zl-mig-h">
          Migration
        </h2>
        <p className="muted">This scenario does not migrate the guest.</p>
      </section>
    );
  }
  const point = { event: view.event, stepInEvent: view.stepInEvent, stepsInEvent: view.stepsInEvent };
  const since = stepStartEvent(t, view);
  const get = (key: string) => extraAt(t, point, key, since);
  const duplicate = get("migDuplicate");
  const normal = get("migNormal");
  const transferred = get("migTransferredBytes");
  const requests = get("migRequests");
  const uffdZero = get("migUffdZeropage");
  const uffdCopy = get("migUffdCopy");
  const phase = extraAfter(t, view.event, "migPhase");
  const guestOn = extraAfter(t, view.event, "guestOn");
  const hung = extraAfter(t, view.event, "hung") > 0;
  const guestPages = t.mmPages[0] ?? 0;
  const phaseName = PHASES[phase] ?? "unknown";
  const postcopy = mig.mode === "postcopy";
  const note = view.action >= 0 ? (t.actions[view.action]?.note ?? "") : "";
  const flowing = duplicate.delta > 0 || normal.delta > 0 || uffdZero.delta > 0 || uffdCopy.delta > 0;
  // The stream runs while the migration is in precopy or postcopy (and no vCPU is stuck on it).
  const running = (phase === 1 || phase === 2) && !hung;
  const sent = duplicate.value + normal.value;
  const dupShare = guestPages > 0 ? Math.min(1, duplicate.value / guestPages) : 0;
  const normShare = guestPages > 0 ? Math.min(1 - dupShare, normal.value / guestPages) : 0;
  const source = t.mmNames[0] ?? "source";
  const destination = t.mmNames[1] ?? "destination";

  return (
    <section
      className="zl-migration"
      aria-labelledby="zl-mig-h"
      data-testid="migration"
      data-phase={phaseName}
      data-duplicate={duplicate.value}
      data-normal={normal.value}
    >
      <h2 className="zl-h2" id="zl-mig-h">
        Migration{" "}
        <span className="zl-badges">
          <span className="zl-badge">
            mode: <span data-testid="mig-mode">{mig.mode}</span>
          </span>
          <span className="zl-badge">zero-page detection: {mig.zeroPageDetection}</span>
          <span className="zl-badge">multifd {mig.multifd ? "on" : "off"}</span>
          <span className={`zl-badge zl-phase-${phaseName.replace(/\s/g, "-")}`}>
            now: <span data-testid="mig-phase">{phaseName}</span>
          </span>
        </span>
      </h2>
      <p className="zl-mig-detection muted">
        {mig.zeroPageDetection === "multifd" && !mig.multifd
          ? "multifd is off, so the migration thread itself checks every page (buffer_is_zero), as in legacy mode, and sends an all-zero page as a short RAM_SAVE_FLAG_ZERO record, counted in ram.duplicate"
          : (DETECTION[mig.zeroPageDetection] ?? mig.zeroPageDetection)}
        .
      </p>
      {hung && (
        <div className="zl-hung" data-testid="mig-hung">
          <strong>A vCPU is hung on the {guestOn === 1 ? destination : source} host.</strong>{" "}
          {run.outcomeReason || note}
          {note && note !== run.outcomeReason ? <p className="zl-hung-note">{note}</p> : null}
        </div>
      )}
      <FlowDiagram
        source={source}
        destination={destination}
        guestOn={guestOn}
        hung={hung}
        postcopy={postcopy}
        requesting={running && phase === 2 && requests.delta > 0}
        zeroFlow={running && duplicate.value + uffdZero.value > 0}
        normalFlow={running && normal.value + uffdCopy.value > 0}
        flowing={flowing}
        reduced={reduced}
        stepKey={`${view.granularity}:${view.position}`}
      />
      {postcopy && <PostcopyLanes run={run} event={view.event} />}
      <div className="zl-mig-progress" aria-hidden="true">
        <div className="zl-mig-dup" style={{ width: `${dupShare * 100}%` }} />
        <div className="zl-mig-norm" style={{ width: `${normShare * 100}%` }} />
      </div>
      <p className="zl-mig-sent">
        Sent so far: {formatInt(sent)} of {formatInt(guestPages)} guest pages
        {guestPages > 0 ? ` (${((sent / guestPages) * 100).toFixed(0)} %)` : ""}
        {sent > guestPages ? "; pages the guest dirtied again were sent again" : ""}.
      </p>
      <table className="zl-table zl-mig-table" data-testid="mig-counters">
        <caption>QEMU's counters (query-migrate) after this step</caption>
        <thead>
          <tr>
            <th scope="col">counter</th>
            <th scope="col">value</th>
            <th scope="col">this step</th>
          </tr>
        </thead>
        <tbody>
          <tr data-counter="duplicate">
            <th scope="row">
              <span className="zl-dot zl-dot-zero" aria-hidden="true" />
              ram.duplicate <span className="muted">(zero pages)</span>
            </th>
            <td>
              {formatInt(duplicate.value)} pages ({formatBytesShort(duplicate.value * PAGE_SIZE)})
            </td>
            <td>{signed(duplicate.delta, formatInt)}</td>
          </tr>
          <tr data-counter="normal">
            <th scope="row">
              <span className="zl-dot zl-dot-normal" aria-hidden="true" />
              ram.normal <span className="muted">(full pages)</span>
            </th>
            <td>
              {formatInt(normal.value)} pages ({formatBytesShort(normal.value * PAGE_SIZE)})
            </td>
            <td>{signed(normal.delta, formatInt)}</td>
          </tr>
          <tr data-counter="transferred">
            <th scope="row">ram.transferred</th>
            <td>{formatBytesShort(transferred.value)}</td>
            <td>{signed(transferred.delta, formatBytesShort)}</td>
          </tr>
          {postcopy && (
            <>
              <tr data-counter="postcopy-requests">
                <th scope="row">ram.postcopy-requests</th>
                <td>{formatInt(requests.value)}</td>
                <td>{signed(requests.delta, formatInt)}</td>
              </tr>
              <tr data-counter="uffdio-zeropage">
                <th scope="row">UFFDIO_ZEROPAGE (destination)</th>
                <td>{formatInt(uffdZero.value)} pages</td>
                <td>{signed(uffdZero.delta, formatInt)}</td>
              </tr>
              <tr data-counter="uffdio-copy">
                <th scope="row">UFFDIO_COPY (destination)</th>
                <td>{formatInt(uffdCopy.value)} pages</td>
                <td>{signed(uffdCopy.delta, formatInt)}</td>
              </tr>
            </>
          )}
        </tbody>
      </table>
    </section>
  );
}

interface FlowProps {
  readonly postcopy: boolean;
  /** The destination asked the source for pages during this step (postcopy page requests). */
  readonly requesting: boolean;
  readonly source: string;
  readonly destination: string;
  readonly guestOn: number;
  readonly hung: boolean;
  readonly zeroFlow: boolean;
  readonly normalFlow: boolean;
  readonly flowing: boolean;
  readonly reduced: boolean;
  readonly stepKey: string;
}

const W = 560;
const BOX_W = 150;

/** Two hosts and the migration stream between them: a lane of zero pages and one of full pages. */
function FlowDiagram(p: FlowProps) {
  const H = p.postcopy ? 128 : 118;
  const laneX0 = BOX_W + 8;
  const laneX1 = W - BOX_W - 8;
  const reqY = 26;
  const zeroY = p.postcopy ? 56 : 44;
  const normY = p.postcopy ? 88 : 78;
  const particles = [0, 1, 2, 3, 4, 5];
  const vcpu = (x: number) => (
    <g className={p.hung ? "zl-vcpu zl-vcpu-hung" : "zl-vcpu"}>
      <rect x={x + 12} y={H - 44} width={BOX_W - 24} height={26} rx={13} />
      <text x={x + BOX_W / 2} y={H - 27}>
        {p.hung ? "vCPU hung" : "guest runs here"}
      </text>
    </g>
  );
  return (
    <svg
      className={`zl-flow${p.reduced ? " zl-reduced" : ""}${p.flowing ? " zl-flowing" : ""}`}
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={`Migration stream from the ${p.source} host to the ${p.destination} host${p.zeroFlow || p.normalFlow ? ": pages are flowing" : ""}${p.flowing ? ", and this step sent some" : ""}. The guest runs on the ${p.guestOn === 1 ? p.destination : p.source} host${p.hung ? ", where a vCPU is hung" : ""}.`}
      data-testid="mig-flow"
    >
      <g className="zl-host-box">
        <rect x={1} y={10} width={BOX_W} height={H - 14} rx={8} />
        <text x={BOX_W / 2 + 1} y={34}>
          {p.source} QEMU
        </text>
      </g>
      <g className="zl-host-box">
        <rect x={W - BOX_W - 1} y={10} width={BOX_W} height={H - 14} rx={8} />
        <text x={W - BOX_W / 2 - 1} y={34}>
          {p.destination} QEMU
        </text>
      </g>
      {vcpu(p.guestOn === 1 ? W - BOX_W - 1 : 1)}
      {p.postcopy && (
        // Postcopy: the destination's faulting vCPU makes QEMU ask the source for the page on the
        // return path (MIG_RP_MSG_REQ_PAGES, migrate_send_rp_req_pages); the source sends it
        // ahead of the background stream.
        <g
          className={`zl-lane zl-lane-request${p.requesting ? " zl-active" : ""}`}
          data-testid="mig-request-lane"
          data-active={p.requesting ? "true" : "false"}
        >
          <line x1={laneX1} y1={reqY} x2={laneX0} y2={reqY} markerEnd="url(#zl-flow-arrow)" />
          <text x={(laneX0 + laneX1) / 2} y={reqY - 6}>
            page requests: destination → source
          </text>
        </g>
      )}
      <g className={`zl-lane zl-lane-zero${p.zeroFlow ? " zl-active" : ""}`}>
        <line x1={laneX0} y1={zeroY} x2={laneX1} y2={zeroY} markerEnd="url(#zl-flow-arrow)" />
        <text x={(laneX0 + laneX1) / 2} y={zeroY - 8}>
          zero pages: header only
        </text>
      </g>
      <g className={`zl-lane zl-lane-normal${p.normalFlow ? " zl-active" : ""}`}>
        <line x1={laneX0} y1={normY} x2={laneX1} y2={normY} markerEnd="url(#zl-flow-arrow)" />
        <text x={(laneX0 + laneX1) / 2} y={normY + 18}>
          normal pages: 4 KiB each
        </text>
      </g>
      <defs>
        <marker
          id="zl-flow-arrow"
          viewBox="0 0 8 8"
          refX="7"
          refY="4"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L8,4 L0,8 z" className="zl-arrowhead" />
        </marker>
      </defs>
      <g key={p.stepKey}>
        {p.zeroFlow &&
          particles.map((i) => (
            <circle
              key={`z${i}`}
              className="zl-particle zl-particle-zero"
              cx={laneX0 + ((laneX1 - laneX0 - 20) * (i + 0.5)) / particles.length}
              cy={zeroY}
              r={4}
              style={{ animationDelay: `${-i * 0.25}s` }}
            />
          ))}
        {p.normalFlow &&
          particles.map((i) => (
            <rect
              key={`n${i}`}
              className="zl-particle zl-particle-normal"
              x={laneX0 + ((laneX1 - laneX0 - 20) * (i + 0.5)) / particles.length - 5}
              y={normY - 5}
              width={10}
              height={10}
              style={{ animationDelay: `${-i * 0.25}s` }}
            />
          ))}
      </g>
    </svg>
  );
}

/** The postcopy counters, as lanes over the events that moved them. */
const LANES = [
  { key: "migRequests", label: "requests, destination → source", cls: "request" },
  { key: "migUffdZeropage", label: "UFFDIO_ZEROPAGE on the destination", cls: "zero" },
  { key: "migUffdCopy", label: "UFFDIO_COPY on the destination", cls: "normal" },
] as const;

const LANE_W = 560;
const LANE_LABEL_W = 210;
const LANE_H = 18;

interface LaneEvent {
  readonly event: number;
  readonly deltas: readonly number[];
}

/** Events of the trace that changed a postcopy counter, with how much each one added. */
function postcopyEvents(run: RunInfo): { events: LaneEvent[]; max: number[] } {
  const t = run.trace;
  const events: LaneEvent[] = [];
  const max = LANES.map(() => 0);
  for (let e = 0; e < t.events; e++) {
    const deltas = LANES.map((l) => extraAfter(t, e, l.key) - extraAfter(t, e - 1, l.key));
    if (deltas.every((d) => d <= 0)) continue;
    deltas.forEach((d, i) => {
      max[i] = Math.max(max[i]!, d);
    });
    events.push({ event: e, deltas });
  }
  return { events, max };
}

const laneCache = new WeakMap<RunInfo, ReturnType<typeof postcopyEvents>>();

/**
 * Postcopy as the destination sees it, Perfetto-style: one lane for the page requests it sent the
 * source over the return path, one for the pages userfaultfd placed with UFFDIO_ZEROPAGE (the
 * source sent a zero page: map the zeropage, no copy) and one for UFFDIO_COPY (a page's 4 KiB
 * copied in). Each event that moved a counter is a bar, its height the square root of its share
 * of the lane's largest, so small request bursts stay visible beside a bulk placement; the ones
 * still to come are faded, and the rule marks this step.
 */
function PostcopyLanes({ run, event }: { run: RunInfo; event: number }) {
  let data = laneCache.get(run);
  if (!data) {
    data = postcopyEvents(run);
    laneCache.set(run, data);
  }
  const { events, max } = data;
  if (events.length === 0) {
    return (
      <p className="muted small" data-testid="mig-postcopy-lanes" data-events={0}>
        No page was requested or placed by userfaultfd in this run.
      </p>
    );
  }
  const plotW = LANE_W - LANE_LABEL_W;
  const slot = plotW / events.length;
  let done = 0;
  while (done < events.length && events[done]!.event <= event) done++;
  const cursorX = LANE_LABEL_W + done * slot;
  const totals = LANES.map((l) => extraAfter(run.trace, event, l.key));
  return (
    <svg
      className="zl-pc-lanes"
      viewBox={`0 0 ${LANE_W} ${LANES.length * LANE_H + 6}`}
      width={LANE_W}
      height={LANES.length * LANE_H + 6}
      role="img"
      aria-label={`Postcopy on the destination: ${LANES.map((l, i) => `${l.label} ${formatInt(Math.max(0, totals[i]!))}`).join(", ")}; ${done} of ${events.length} events so far.`}
      data-testid="mig-postcopy-lanes"
      data-events={events.length}
      data-done={done}
    >
      {LANES.map((l, i) => {
        const y = i * LANE_H + 3;
        return (
          <g key={l.key} className={`zl-pc-lane zl-pc-${l.cls}`} data-lane={l.key}>
            <text x={0} y={y + LANE_H / 2 + 3} className="zl-svg-note">
              {l.label}
            </text>
            <line
              x1={LANE_LABEL_W}
              x2={LANE_W}
              y1={y + LANE_H - 2}
              y2={y + LANE_H - 2}
              className="zl-pc-base"
            />
            {events.map((ev, j) => {
              const d = ev.deltas[i]!;
              if (d <= 0) return null;
              const h = Math.max(2, (LANE_H - 4) * Math.sqrt(d / Math.max(1, max[i]!)));
              return (
                <rect
                  key={ev.event}
                  x={LANE_LABEL_W + j * slot + 0.5}
                  y={y + LANE_H - 2 - h}
                  width={Math.max(1, slot - 1)}
                  height={h}
                  className={j < done ? "zl-pc-bar" : "zl-pc-bar zl-pc-later"}
                />
              );
            })}
          </g>
        );
      })}
      <line x1={cursorX} x2={cursorX} y1={0} y2={LANES.length * LANE_H + 6} className="zl-pc-cursor" />
    </svg>
  );
}
