/**
 * "What a real machine would print": at this step, per host, the files and monitor commands a
 * reviewer reads on a real system, each command followed by the lines it prints, in the file's own
 * format. The values, the formats and the notes come from the worker (ViewState.ledger, built by
 * scenario/ledger.ts from the engine's state); this view only lays them out. "Copy" gives the same
 * transcript as `zeropage-lab run --ledger`.
 */
import { Fragment, useState } from "react";
import { ledgerText } from "../../state/ledger.ts";
import type { HostLedger, LedgerSection } from "../../worker/api.ts";
import { copyText } from "../share/clipboard.ts";
import { useApp } from "../store-context.tsx";
import "./ledger.css";

/** `note` null: the host beside this one already says the same. */
function Section({ s, note }: { s: LedgerSection; note: string | null }) {
  return (
    <div className="zl-ledger-section" data-source={s.source}>
      <pre className="zl-ledger-term">
        <code>
          <span className="zl-ledger-cmd">$ {s.command}</span>
          {s.lines.map((l) => (
            <Fragment key={l.name}>
              {"\n"}
              <span
                className={l.missing === null ? "zl-ledger-out" : "zl-ledger-missing"}
                data-field={l.name}
              >
                {l.missing === null ? l.printed : `# ${l.name}: ${l.missing}`}
              </span>
            </Fragment>
          ))}
        </code>
      </pre>
      {note !== null && <p className="zl-ledger-note">{note}</p>}
    </div>
  );
}

function Host({ h, before }: { h: HostLedger; before: HostLedger | null }) {
  const said = new Map(before?.sections.map((s) => [s.source, s.note]));
  return (
    <section className="zl-ledger-host" aria-label={`${h.host} host`} data-host={h.host}>
      <h3 className="zl-ledger-host-h">{h.host} host</h3>
      {h.sections.map((s) => (
        <Section key={s.source} s={s} note={said.get(s.source) === s.note ? null : s.note} />
      ))}
    </section>
  );
}

export function Ledger() {
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  // The outcome of the last copy, with the step it copied: stepping on clears the message.
  const [copied, setCopied] = useState<{ readonly position: number; readonly ok: boolean } | null>(null);
  if (!run || !view) return null;
  const step = `step ${view.position}`;
  const heading = `What a real machine would print at ${step} (${run.kernel.id}, Linux ${run.kernelVersion}, QEMU ${run.qemuVersion})`;
  const onCopy = async () => {
    const position = view.position;
    setCopied({ position, ok: await copyText(ledgerText(view.ledger, heading)) });
  };
  return (
    <section className="zl-ledger" aria-labelledby="zl-ledger-h" data-testid="ledger">
      <div className="zl-head">
        <h2 className="zl-h2" id="zl-ledger-h">
          What a real machine would print
        </h2>
        <button type="button" onClick={onCopy} aria-describedby="zl-ledger-copied">
          Copy as text
        </button>
      </div>
      <p className="zl-scale">
        At {step}, under Linux {run.kernelVersion} ({run.kernel.letter}) and QEMU {run.qemuVersion}: the
        commands a reviewer runs on each host, and what they would print for this guest's memory.{" "}
        <span id="zl-ledger-copied" role="status">
          {copied?.position !== view.position
            ? ""
            : copied.ok
              ? "Copied."
              : "This browser did not allow copying."}
        </span>
      </p>
      <div className="zl-ledger-hosts">
        {view.ledger.map((h, i) => (
          <Host key={h.host} h={h} before={i > 0 ? (view.ledger[i - 1] ?? null) : null} />
        ))}
      </div>
    </section>
  );
}
