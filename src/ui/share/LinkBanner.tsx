/**
 * What the app has to say about the link it was opened with: why it could not be shown (and that
 * the default scenario is shown instead), and whether its expected result still holds. Everything
 * here is React text: a link's content is never interpreted as HTML.
 */
import { Fragment, useState } from "react";
import { KEY_COUNTER_LABELS, KEY_COUNTERS } from "../../permalink/index.ts";
import { formatBytesShort } from "../format.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { useLinkSync, useLinks } from "./context.tsx";
import "./share.css";

const UNITS: Record<(typeof KEY_COUNTERS)[number], "bytes" | "pages"> = {
  rssAnonBytes: "bytes",
  vmPteBytes: "bytes",
  zeropagePtes: "pages",
  hostMemBytes: "bytes",
};

function fmt(k: (typeof KEY_COUNTERS)[number], v: number | undefined): string {
  if (v === undefined) return "—";
  return UNITS[k] === "bytes" ? formatBytesShort(v) : Math.round(v).toLocaleString("en-US");
}

export function LinkBanner() {
  const sync = useLinkSync();
  const error = useLinks((s) => s.error);
  const notes = useLinks((s) => s.notes);
  const report = useLinks((s) => s.report);
  const [showBoth, setShowBoth] = useState(false);
  if (!sync) return null;
  return (
    <>
      {error && (
        <div className="banner banner-error zl-link-banner" role="alert" data-testid="link-error">
          <strong>
            {error.kind === "newer"
              ? "This link is from a newer Zeropage Lab."
              : "This link could not be opened."}
          </strong>
          <p className="zl-pre">{error.message}</p>
          <p>Showing the default scenario instead.</p>
          <button type="button" onClick={() => sync.dismissError()}>
            Dismiss
          </button>
        </div>
      )}
      {notes.length > 0 && !error && (
        <div className="banner zl-link-note" role="status" data-testid="link-notes">
          {notes.map((n) => (
            <p key={n}>{n}</p>
          ))}
        </div>
      )}
      {report && !report.matches && (
        <div className="banner zl-link-warning" role="alert" data-testid="link-check">
          <p>
            <strong>{report.message}</strong>
          </p>
          <p>
            What you see is today's result. The link's expectation is kept in the address bar until you load
            something else.
          </p>
          <div className="zl-row">
            {report.step !== null && <GoToStep step={report.step} />}
            <button type="button" onClick={() => setShowBoth((v) => !v)} aria-expanded={showBoth}>
              {showBoth ? "Hide the comparison" : "Show both"}
            </button>
            <button type="button" onClick={() => sync.dismissReport()}>
              Dismiss
            </button>
          </div>
          {showBoth && <BothResults />}
        </div>
      )}
      {report?.matches && report.linkEngine !== report.engine && (
        <p className="zl-link-ok" role="status">
          This link was made with engine version {report.linkEngine}; its result is unchanged in version{" "}
          {report.engine}.
        </p>
      )}
    </>
  );
}

function GoToStep({ step }: { step: number }) {
  const store = useAppStore();
  const label = useApp((s) => s.run?.trace.actions[step - 1]?.label ?? "");
  return (
    <button
      type="button"
      onClick={async () => {
        const st = store.getState();
        if (st.granularity !== "action") await st.setGranularity("action");
        store.getState().seek(step);
      }}
    >
      Go to action {step}
      {label ? `: ${label}` : ""}
    </button>
  );
}

/** The link's expected end values beside this run's, per mm. */
function BothResults() {
  const report = useLinks((s) => s.report);
  const mmNames = useApp((s) => s.run?.trace.mmNames ?? []);
  if (!report) return null;
  const { expected, current } = report;
  const count = Math.max(expected?.values.length ?? 0, current.values.length);
  const mms = Array.from({ length: count }, (_, m) => ({ name: mmNames[m] ?? `mm ${m}`, m }));
  return (
    <div data-testid="link-both">
      <p>
        Outcome: the link expected <strong>{expected ? expected.outcome : "(not stored)"}</strong>; now{" "}
        <strong className={expected && expected.outcome !== current.outcome ? "zl-differs" : ""}>
          {current.outcome}
        </strong>
        .
      </p>
      <table className="counters zl-both">
        <caption>
          End of the run: what the link expected (engine version {report.linkEngine}) and what it is now
          (version {report.engine})
        </caption>
        <thead>
          <tr>
            <th scope="col">counter</th>
            {mms.map(({ name }) => (
              <th scope="colgroup" colSpan={2} key={name}>
                {name}
              </th>
            ))}
          </tr>
          <tr>
            <th scope="col" />
            {mms.map(({ name }) => (
              <Fragment key={name}>
                <th scope="col">link</th>
                <th scope="col">now</th>
              </Fragment>
            ))}
          </tr>
        </thead>
        <tbody>
          {KEY_COUNTERS.map((k, i) => (
            <tr key={k}>
              <th scope="row">{KEY_COUNTER_LABELS[i]}</th>
              {mms.map(({ name, m }) => {
                const e = expected?.values[m]?.[i];
                const c = current.values[m]?.[i];
                return (
                  <Fragment key={name}>
                    <td>{fmt(k, e)}</td>
                    <td className={e !== undefined && e !== c ? "zl-differs" : ""}>{fmt(k, c)}</td>
                  </Fragment>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {!expected && <p>This link carries only a hash of its expected end state, not the values.</p>}
    </div>
  );
}
