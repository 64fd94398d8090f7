/**
 * The zeropage fan-in, drawn: the PTE grid on the left, a band from each grid row to the frames
 * its PTEs map on the right, the arrows of PTEs that left a shared frame this step and the ghosts
 * of the bands they had, and the selected PTE's own arrow. Geometry from fan-in.ts and paths.ts;
 * this file only turns it into SVG elements.
 */
import { useMemo } from "react";
import { PAGE_SIZE } from "../../../base/units.ts";
import type { RunInfo, TableDetail } from "../../../worker/api.ts";
import { formatBytesShort, formatInt } from "../../format.ts";
import { hasPgste } from "./derive.ts";
import {
  type Band,
  cellRect,
  type FanInLayout,
  FRAME_SVG_PX,
  type FrameKind,
  frameRectOf,
  LABEL_SVG_PX,
  OWN_COLUMNS,
  ownFrameRect,
  PTE_COLUMNS,
} from "./fan-in.ts";
import { stateGlyph } from "./glyphs.ts";
import { arrivalByOwnFrame, bandPath, selectedArrowPath, type UnshareArrow, unshareArrows } from "./paths.ts";

type Departure = { readonly slot: number; readonly from: "zeropage" | "ksm" };

interface FanInSvgProps {
  readonly run: RunInfo;
  readonly detail: TableDetail;
  readonly fan: FanInLayout;
  readonly cell: number;
  readonly frames: readonly FrameKind[];
  readonly prev: Uint8Array | null;
  readonly activeSlots: Uint8Array;
  readonly leaving: readonly Departure[];
  readonly ghosts: readonly Band[];
  readonly reduced: boolean;
  readonly selectedSlot: number | null;
  readonly inRam: (slot: number) => boolean;
  /** Changes with every step: the step's animations start again. */
  readonly stepKey: string;
}

export function FanInSvg(props: FanInSvgProps) {
  const { detail, fan, leaving, reduced, stepKey } = props;
  const arrows = useMemo(() => unshareArrows(fan, leaving), [fan, leaving]);
  const x0 = fan.grid.x + fan.grid.w;
  const x1 = fan.framesX;
  return (
    <svg
      className={`zl-fan${reduced ? " zl-reduced" : ""}`}
      viewBox={`0 0 ${fan.width} ${fan.height}`}
      width={fan.width}
      height={fan.height}
      role="img"
      aria-label="Zeropage fan-in: each PTE's arrow to the frame it maps"
      data-testid="fan-in"
    >
      <defs>
        <marker
          id="zl-arrow"
          viewBox="0 0 8 8"
          refX="7"
          refY="4"
          markerWidth="6"
          markerHeight="6"
          orient="auto"
        >
          <path d="M0,0 L8,4 L0,8 z" className="zl-arrowhead" />
        </marker>
      </defs>
      <text x={0} y={LABEL_SVG_PX - 8} className="zl-svg-label">
        {detail.present ? "the page table's PTEs" : "no page table"}
      </text>
      {/* Bands, behind everything. */}
      <g className="zl-bands">
        {fan.bands.map((b) => (
          <path key={`${b.kind}-${b.row}`} d={bandPath(x0, x1, b)} className={`zl-band zl-band-${b.kind}`} />
        ))}
      </g>
      <PteGrid {...props} />
      {/* Unshare / COW: an arrow from the shared frame to each new frame, drawn along its length.
          Behind the frames, so that a block of many new frames stays readable; labels have halos. */}
      <UnshareArrows key={`u-${stepKey}`} arrows={arrows} />
      <Frames run={props.run} detail={detail} fan={fan} leaving={leaving} arrows={arrows} />
      {/* Unshare / COW: the bands these PTEs had into the shared frame, fading out. */}
      <g className="zl-ghosts" key={stepKey}>
        {props.ghosts.map((b) => (
          <path
            key={`${b.kind}-${b.row}`}
            d={bandPath(x0, x1, b)}
            className={`zl-ghost zl-ghost-${b.kind}`}
            data-count={b.count}
          />
        ))}
      </g>
      <SelectedPte fan={fan} frames={props.frames} cell={props.cell} slot={props.selectedSlot} />
    </svg>
  );
}

/** The PTE grid: the contents of the page-table page, a cell per PTE with its class, glyph and marks. */
function PteGrid({ run, detail, fan, cell, prev, activeSlots, inRam }: FanInSvgProps) {
  return (
    <g className="zl-grid">
      <rect
        x={fan.grid.x - 2}
        y={fan.grid.y - 2}
        width={fan.grid.w + 4}
        height={fan.grid.h + 4}
        className={detail.present ? "zl-grid-frame" : "zl-grid-frame zl-absent"}
        rx={3}
      />
      {Array.from(detail.states, (s, slot) => {
        const r = cellRect(fan, slot, PTE_COLUMNS, cell);
        const info = run.pteStates[s];
        const cls = info ? info.contentClass : 0;
        const changed = prev !== null && prev[slot] !== s;
        const outside = !inRam(slot);
        const glyph = stateGlyph(info?.key ?? "none");
        return (
          <g
            // biome-ignore lint/suspicious/noArrayIndexKey: PTE slots are positions; the slot is the identity
            key={slot}
            className={`zl-pte zl-pte-c${cls}${outside ? " zl-outside" : ""}${changed ? " zl-changed" : ""}`}
            data-slot={slot}
            data-state={info?.key ?? "none"}
          >
            <rect x={r.x + 0.5} y={r.y + 0.5} width={r.w - 1} height={r.h - 1} rx={1.5} />
            {glyph && cell >= 13 && (
              <text x={r.x + r.w / 2} y={r.y + r.h / 2 + 0.5} className="zl-glyph">
                {glyph}
              </text>
            )}
            {detail.balloon[slot] ? (
              <path
                d={`M${r.x + r.w - 6},${r.y + 1} L${r.x + r.w - 1},${r.y + 1} L${r.x + r.w - 1},${r.y + 6} z`}
                className="zl-balloon-flag"
              />
            ) : null}
            {activeSlots[slot] ? (
              <rect x={r.x + 1} y={r.y + 1} width={r.w - 2} height={r.h - 2} className="zl-active-ring" />
            ) : null}
          </g>
        );
      })}
    </g>
  );
}

function UnshareArrows({ arrows }: { readonly arrows: readonly UnshareArrow[] }) {
  return (
    <g
      className={`zl-unshares${arrows.length > 32 ? " zl-many" : ""}`}
      data-testid="unshare-arrows"
      data-count={arrows.length}
    >
      {arrows.map((a) => (
        <g key={a.slot} className={`zl-unshare zl-unshare-${a.from}`} data-slot={a.slot}>
          <path
            d={a.d}
            pathLength={1}
            className="zl-unshare-path"
            style={{ animationDelay: `${a.delay}s` }}
          />
          <path d={a.head} className="zl-unshare-head" style={{ animationDelay: `${a.delay}s` }} />
        </g>
      ))}
    </g>
  );
}

interface FramesProps {
  readonly run: RunInfo;
  readonly detail: TableDetail;
  readonly fan: FanInLayout;
  readonly leaving: readonly Departure[];
  readonly arrows: readonly UnshareArrow[];
}

/** The frames on the right: the page-table page itself, the shared zeropage, a KSM page, own frames. */
function Frames({ run, detail, fan, leaving, arrows }: FramesProps) {
  const labelX = fan.framesX + FRAME_SVG_PX + 6;
  const zeroLeft = leaving.filter((l) => l.from === "zeropage").length;
  return (
    <g className="zl-frames">
      <TablePage run={run} detail={detail} fan={fan} labelX={labelX} />
      <rect
        x={fan.zeroFrame.x}
        y={fan.zeroFrame.y}
        width={fan.zeroFrame.w}
        height={fan.zeroFrame.h}
        className={`zl-frame zl-frame-zero${fan.counts.zeropage ? "" : " zl-unused"}`}
      />
      <text x={fan.zeroFrame.x} y={fan.zeroFrame.y - 6} className="zl-svg-label">
        shared zeropage: one frame for the whole host
      </text>
      <text x={labelX} y={fan.zeroFrame.y + fan.zeroFrame.h / 2 + 4} className="zl-svg-count">
        ← {formatInt(fan.counts.zeropage)} PTE{fan.counts.zeropage === 1 ? "" : "s"}, no memory of their own
        {zeroLeft > 0 ? ` (${formatInt(zeroLeft)} just left)` : ""}
      </text>
      {fan.ksmFrame && (
        <>
          <rect
            x={fan.ksmFrame.x}
            y={fan.ksmFrame.y}
            width={fan.ksmFrame.w}
            height={fan.ksmFrame.h}
            className="zl-frame zl-frame-ksm"
          />
          <text x={fan.ksmFrame.x} y={fan.ksmFrame.y - 6} className="zl-svg-label">
            KSM page (shared, merged)
          </text>
          <text x={labelX} y={fan.ksmFrame.y + fan.ksmFrame.h / 2 + 4} className="zl-svg-count">
            ← {formatInt(fan.counts.ksm)} PTE{fan.counts.ksm === 1 ? "" : "s"}
          </text>
        </>
      )}
      {fan.ownBlock && <OwnFrames fan={fan} leaving={leaving} arrows={arrows} />}
    </g>
  );
}

/** The page-table page: what the table itself costs (s390: PTEs and PGSTEs, split down the middle). */
function TablePage({
  run,
  detail,
  fan,
  labelX,
}: Omit<FramesProps, "leaving" | "arrows"> & { labelX: number }) {
  const g = run.geometry;
  const pgste = hasPgste(g);
  const page = fan.tablePage;
  return (
    <>
      <line
        x1={fan.grid.x + fan.grid.w + 2}
        y1={fan.grid.y - 2}
        x2={page.x}
        y2={page.y + page.h / 2}
        className="zl-table-link"
      />
      <rect
        x={page.x}
        y={page.y}
        width={page.w}
        height={page.h}
        className={detail.present ? "zl-table-page" : "zl-table-page zl-absent"}
      />
      {pgste && detail.present && (
        <line
          x1={page.x + page.w / 2}
          y1={page.y}
          x2={page.x + page.w / 2}
          y2={page.y + page.h}
          className="zl-table-split"
        />
      )}
      <text x={labelX} y={page.y + 5} className="zl-svg-label">
        {detail.present
          ? `this ${g.pteTableName}: 1 page, ${formatBytesShort(g.pteTableMemBytes)}`
          : "page table: not allocated"}
      </text>
      <text x={labelX} y={page.y + 17} className="zl-svg-note">
        {detail.present
          ? pgste
            ? `PTEs + PGSTEs; VmPTE counts ${formatBytesShort(g.pteTableVmPteBytes)}`
            : `${detail.states.length} PTEs × 8 B`
          : "costs nothing until a fault"}
      </text>
    </>
  );
}

/** One square per own frame; a frame new this step appears when its arrow arrives. */
function OwnFrames({ fan, leaving, arrows }: Omit<FramesProps, "run" | "detail">) {
  const block = fan.ownBlock;
  const arrivalByOwn = arrivalByOwnFrame(fan, arrows);
  const newOwn = new Set(leaving.map((l) => fan.ownIndexBySlot[l.slot]!));
  if (!block) return null;
  return (
    <>
      <text x={block.x} y={block.y - 6} className="zl-svg-label">
        own frames: {formatInt(fan.ownCount)} × 4 KiB = {formatBytesShort(fan.ownCount * PAGE_SIZE)}
      </text>
      {Array.from({ length: fan.ownCount }, (_, i) => {
        const r = ownFrameRect(fan, i, OWN_COLUMNS, FRAME_SVG_PX);
        return (
          <rect
            // biome-ignore lint/suspicious/noArrayIndexKey: frames are positional
            key={i}
            x={r.x}
            y={r.y}
            width={r.w}
            height={r.h}
            className={`zl-frame zl-frame-own${newOwn.has(i) ? " zl-new" : ""}`}
            style={arrivalByOwn.has(i) ? { animationDelay: `${arrivalByOwn.get(i)}s` } : undefined}
          />
        );
      })}
    </>
  );
}

interface SelectedPteProps {
  readonly fan: FanInLayout;
  readonly frames: readonly FrameKind[];
  readonly cell: number;
  readonly slot: number | null;
}

/** The selected PTE: a ring around its cell and an arrow to the frame it maps. */
function SelectedPte({ fan, frames, cell, slot }: SelectedPteProps) {
  if (slot === null) return null;
  const r = cellRect(fan, slot, PTE_COLUMNS, cell);
  const frame = frameRectOf(fan, frames, slot);
  return (
    <g className="zl-selected">
      {frame && <path d={selectedArrowPath(r, frame)} className="zl-sel-arrow" markerEnd="url(#zl-arrow)" />}
      <rect x={r.x - 1} y={r.y - 1} width={r.w + 2} height={r.h + 2} className="zl-sel-ring" />
    </g>
  );
}
