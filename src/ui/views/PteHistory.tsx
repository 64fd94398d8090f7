/**
 * A PTE's life: every event that visited or changed the selected page, each as a cause chain
 * (narration/history.ts), with the step we are at marked. A page is selected in the table view
 * (store.selectPage), here by number, or as "the page this step touched"; its page table becomes
 * the selection, so the table view shows it. While a page is followed, the history takes most of
 * the column (the steps list keeps a few lines), so several events show at once.
 */
import { type FormEvent, useId, useMemo, useState } from "react";
import { IconClose } from "../controls/Icons.tsx";
import { formatInt } from "../format.ts";
import { chainText, currentEntry, historyItem } from "../narration/history.ts";
import { stepPages } from "../narration/summarize.ts";
import { useApp, useAppStore } from "../store-context.tsx";

export function PteHistory() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const page = useApp((s) => s.selectedPage);
  const history = useApp((s) => s.pageHistory);
  const ids = useId();
  const [mm, setMm] = useState("0");
  const [num, setNum] = useState("");
  const items = useMemo(
    () =>
      run && history && history.runId === run.runId ? history.entries.map((e) => historyItem(run, e)) : [],
    [run, history],
  );
  if (!run) return null;
  const t = run.trace;
  const stepped = view ? stepPages(run, view) : null;
  const now =
    history && page && view && history.runId === run.runId
      ? currentEntry(t, history.entries, page.page, view.cursor)
      : -1;

  const follow = (e: FormEvent) => {
    e.preventDefault();
    const p = Number(num.replace(/[,_\s]/g, ""));
    const m = Number(mm);
    if (!Number.isInteger(p) || p < 0 || p >= (t.mmPages[m] ?? 0)) return;
    followPage({ mm: m, page: p });
  };
  // Following a page selects its page table (store.selectPage); the table view stops following
  // the step, which would move it to another table on the next step.
  const followPage = (ref: { mm: number; page: number }) => {
    store.getState().setFollowStep(false);
    store.getState().selectPage(ref);
  };

  const per = (m: number) => 2 ** (t.mmPteShift[m] ?? 8);
  const where = (m: number, p: number) => {
    const abs = p + (t.mmPageOffset[m] ?? 0);
    return `page table ${formatInt(Math.floor(abs / per(m)))}, PTE ${abs % per(m)}`;
  };

  return (
    <div className="pte-history" data-testid="pte-history" data-following={page ? "true" : "false"}>
      <h2 className="panel-title">PTE history</h2>
      {!page ? (
        <>
          <p className="muted small">
            Follow one page: select a PTE in the table view, or enter a guest page number.
          </p>
          <form className="follow" onSubmit={follow}>
            <label className="sr-only" htmlFor={`${ids}-mm`}>
              Address space
            </label>
            <select id={`${ids}-mm`} value={mm} onChange={(e) => setMm(e.target.value)}>
              {t.mmNames.map((n, i) => (
                <option key={n} value={i}>
                  {n}
                </option>
              ))}
            </select>
            <label className="sr-only" htmlFor={`${ids}-page`}>
              Guest page number
            </label>
            <input
              id={`${ids}-page`}
              type="text"
              inputMode="numeric"
              placeholder="guest page"
              size={10}
              value={num}
              onChange={(e) => setNum(e.target.value)}
            />
            <button type="submit" disabled={num.trim() === ""}>
              Follow
            </button>
          </form>
          {stepped && (
            <button
              type="button"
              className="link-button"
              onClick={() => followPage({ mm: stepped.mm, page: stepped.first })}
            >
              Follow guest page {formatInt(stepped.first)} on the {t.mmNames[stepped.mm]}, the first this step
              touched
            </button>
          )}
        </>
      ) : (
        <>
          <div className="followed">
            <span>
              <strong>{t.mmNames[page.mm]}</strong> guest page {formatInt(page.page)}
              <span className="muted"> · {where(page.mm, page.page)}</span>
            </span>
            <button
              type="button"
              className="icon-button small"
              aria-label="Stop following this page"
              title="Stop following this page"
              onClick={() => store.getState().selectPage(null)}
            >
              <IconClose />
            </button>
          </div>
          {history?.status === "loading" && <p className="muted small">Reading the page's history…</p>}
          {history?.status === "error" && (
            <p className="error small">The worker could not read this page's history.</p>
          )}
          {history?.status === "ready" && items.length === 0 && (
            <p className="muted small">No event has touched this page yet.</p>
          )}
          <ol className="history">
            {items.map((it, i) => (
              <li
                key={`${it.entry.event}`}
                className={[it.quiet ? "quiet" : "", i === now ? "now" : "", i > now ? "future" : ""]
                  .join(" ")
                  .trim()}
                aria-current={i === now ? "step" : undefined}
              >
                <button
                  type="button"
                  className="history-entry"
                  title={chainText(it)}
                  onClick={() => {
                    const s = store.getState();
                    s.setPlaying(false);
                    void s.seekToEvent(it.entry.event);
                  }}
                >
                  <span className="history-event">
                    event {formatInt(it.entry.event + 1)}
                    {/* The outcome up front: the chain below may be cut to three lines. */}
                    <span className="history-result">
                      {" "}
                      → {it.chain.findLast((l) => l.kind === "result")?.text ?? ""}
                    </span>
                    {i === now && <span className="now-badge">now</span>}
                  </span>
                  <span className="chain">
                    {it.chain.map((l, k) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: chain links are positional.
                      <span key={k} className={`link link-${l.kind}`}>
                        {l.text}
                      </span>
                    ))}
                  </span>
                </button>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
