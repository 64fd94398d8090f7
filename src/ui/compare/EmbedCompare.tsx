/**
 * Compare mode in embed mode (`embed=1&compare=…`): the reduced compare page for an iframe. Both
 * sides' labels, the divergence panel with the shared timeline, the two runs' memory maps with
 * the diff map, and the delta table; no charts, no pickers. "Open in full app" keeps everything
 * the link carries (both scenarios and kernels, the shared position, the zoom), without `embed`.
 */
import { useMemo } from "react";
import { useLinkSync, useLinks } from "../share/context.tsx";
import { LinkBanner } from "../share/LinkBanner.tsx";
import { OpenInFullApp } from "../share/OpenInFullApp.tsx";
import { useApp } from "../store-context.tsx";
import { CompareControls } from "./CompareControls.tsx";
import { CompareSides, CompareTitle, RightCheckBanner, useCompareAttributes } from "./CompareView.tsx";
import { useCompare } from "./context.tsx";
import { DeltaTable } from "./DeltaTable.tsx";
import { DivergencePanel } from "./DivergencePanel.tsx";
import { PairMaps } from "./PairMaps.tsx";
import "./compare.css";

export function EmbedCompare() {
  const sync = useLinkSync();
  const error = useCompare((s) => s.error);
  const left = useCompare((s) => s.left);
  const right = useCompare((s) => s.right);
  const info = useCompare((s) => s.info);
  const view = useCompare((s) => s.view);
  const appRun = useApp((s) => s.run);
  const attributes = useCompareAttributes();
  // Subscribed so that the link below is re-read whenever what it carries changes.
  useLinks((s) => s.compare);
  useLinks((s) => s.zoom);
  useApp((s) => s.position);
  const full = sync ? sync.linkTo({ embed: null }) : window.location.href;
  const runs = useMemo(() => (left && right ? ([left, right] as const) : null), [left, right]);
  return (
    <div className="app embed cmp cmp-embed" data-embed="true" {...attributes}>
      <header className="zl-embed-head cmp-embed-head">
        <CompareTitle left={left ?? appRun} right={right} />
        <OpenInFullApp href={full} />
        <CompareSides left={left ?? appRun} right={right} />
      </header>
      <LinkBanner />
      <RightCheckBanner />
      {attributes["data-compare-status"] === "loading" && (
        <p className="cmp-status" role="status">
          Computing both runs and aligning them in the worker…
        </p>
      )}
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {info && runs && view && (
        <>
          <DivergencePanel info={info} view={view} />
          <CompareControls info={info} view={view} />
          <section className="panel cmp-main" aria-label="Memory of both runs">
            <PairMaps runs={runs} view={view} />
          </section>
          <DeltaTable info={info} />
        </>
      )}
    </div>
  );
}
