/**
 * What happened at this step and why, in plain language. At action granularity it sums up the
 * whole action (its events by kind, PTE transitions by rule, counter changes); at page-table and
 * PTE granularity it describes the one step (which pages, from → to). Below: the QEMU or guest
 * call path that issued the event and the kernel call path of each rule, every function linked to
 * its source at the run's kernel and QEMU versions; a rule that stands in for an unconfirmed fact
 * says so and quotes its modelling choice.
 *
 * The visible panel is not live; one polite live region (NarrationLive) reads a one-sentence
 * version once the view settles, and stays quiet while playing.
 */
import { useEffect, useMemo, useState } from "react";
import type { RunInfo, ViewState } from "../../worker/api.ts";
import { formatInt } from "../format.ts";
import { type Aside, actionAsides, eventAsides, messageNumbers } from "../narration/asides.ts";
import { causeLines, causesShown } from "../narration/causes.ts";
import { causeParts, frameParts, type PathPart, type SourceVersions } from "../narration/source-links.ts";
import {
  type ActionSummary,
  actionSentence,
  actionSummary,
  eventCause,
  eventLabel,
  eventRules,
  failureText,
  formatDelta,
  formatValue,
  pagesText,
  ruleTitle,
  stepPages,
  stepPagesText,
  stepSentence,
  transitionText,
} from "../narration/summarize.ts";
import { useApp } from "../store-context.tsx";
import { NoRun } from "./NoRun.tsx";
import { QemuCheckLink } from "./QemuCheckLink.tsx";
import "../narration/asides.css";

function versions(run: RunInfo): SourceVersions {
  return { kernelTag: run.kernel.sourceTag, qemuVersion: run.qemuVersion };
}

function Path({ parts, label }: { parts: readonly PathPart[]; label: string }) {
  return (
    <ol className="call-path" aria-label={label}>
      {parts.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a path may name a function twice; order is the identity.
        <li key={i} className={p.note ? "decision" : undefined}>
          {p.href ? (
            <a
              href={p.href}
              target="_blank"
              rel="noreferrer"
              title={`${p.ident} in ${p.where === "qemu" ? "QEMU" : "Linux"} on Elixir`}
            >
              {p.ident}
            </a>
          ) : (
            p.ident
          )}
          {p.rest && <span className="rest">{p.rest}</span>}
          {p.note && <span className="note"> {p.note}</span>}
        </li>
      ))}
    </ol>
  );
}

function Cause({ run, cause, did }: { run: RunInfo; cause: string; did?: readonly string[] }) {
  const c = causeParts(cause, versions(run));
  const who = c.who.startsWith("qemu") ? `QEMU${c.who.slice(4)}` : c.who || "caller";
  const path = (
    <div className="cause">
      <span className="path-label">{who}</span>
      <Path parts={c.parts} label={`${who} call path`} />
    </div>
  );
  if (!did || did.length === 0) return path;
  return (
    <div className="cause-block">
      {path}
      <p className="cause-did">{did.join("; ")}</p>
    </div>
  );
}

/** The explanations a student needs at this step (narration/asides.ts). */
function Asides({ asides }: { asides: readonly Aside[] }) {
  if (asides.length === 0) return null;
  return (
    <div className="asides" data-testid="asides">
      {asides.map((a) => (
        <section key={a.id} className="aside" data-aside={a.id} aria-label={a.title}>
          <h4>{a.title}</h4>
          <p>{a.text}</p>
        </section>
      ))}
    </div>
  );
}

/** The story's patch caveat (the commit message's own numbers), or "". */
function useCaveat(): string {
  const presets = useApp((s) => s.presets);
  const presetId = useApp((s) => s.presetId);
  return presets.find((p) => p.id === presetId)?.patch?.caveat ?? "";
}

function RuleBlock({ run, rule }: { run: RunInfo; rule: number }) {
  const r = run.rules[rule];
  if (!r) return null;
  return (
    <section className="rule" aria-label={`Rule: ${r.title}`}>
      <h4>{r.title}</h4>
      {r.path.length > 0 && (
        <div className="kernel-path">
          <span className="path-label">
            {r.path.some((f) => f.file && !f.file.startsWith("qemu:"))
              ? `Linux ${run.kernel.sourceTag}`
              : "path"}
          </span>
          <Path parts={frameParts(r.path, versions(run))} label="kernel call path" />
        </div>
      )}
      <p className="explain">{r.explain}</p>
      {r.assumption && (
        <p className="assumption">
          <strong>Modelling choice, not a confirmed kernel fact:</strong> “{r.assumption}”
        </p>
      )}
    </section>
  );
}

function Deltas({ run, s }: { run: RunInfo; s: ActionSummary }) {
  if (s.deltas.length === 0 && s.extras.length === 0) return <p className="muted">No counter changed.</p>;
  return (
    <dl className="deltas">
      {s.deltas.map((d) => (
        <div key={`${d.mm}-${d.key}`} className={d.tone} data-tone={d.tone} data-counter={d.key}>
          <dt>
            {run.trace.mmNames[d.mm]} {d.label}
          </dt>
          <dd>
            {formatDelta(d)} <span className="muted">→ {formatValue(d.unit, d.after)}</span>
          </dd>
        </div>
      ))}
      {s.extras.map((d) => (
        <div key={d.key} className="extra">
          <dt>{d.label}</dt>
          <dd>
            {formatDelta(d)} <span className="muted">→ {formatValue(d.unit, d.after)}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function ActionNarration({ run, index }: { run: RunInfo; index: number }) {
  const s = useMemo(() => actionSummary(run, index), [run, index]);
  const caveat = useCaveat();
  const asides = useMemo(() => actionAsides(run, s, caveat), [run, s, caveat]);
  const lines = useMemo(() => causeLines(run, s), [run, s]);
  const shown = causesShown(lines);
  const t = run.trace;
  return (
    <>
      <p className="kicker">
        Action {index + 1} of {t.actions.length} · <span className={`actor actor-${s.actor}`}>{s.actor}</span>
        {s.endEvent > s.firstEvent && (
          <span className="muted">
            {" "}
            · {formatInt(s.endEvent - s.firstEvent)} event
            {s.endEvent - s.firstEvent === 1 ? "" : "s"}
          </span>
        )}
      </p>
      <h2 className="headline">{s.label}</h2>
      {s.note && <p className="outcome-note">{s.note}</p>}
      <Deltas run={run} s={s} />
      {t.mmNames.map((name, mm) => {
        const groups = s.groups.filter((g) => g.mm === mm);
        const kernel = groups.filter((g) => !g.bookkeeping);
        const books = groups.filter((g) => g.bookkeeping).reduce((n, g) => n + g.events, 0);
        const eff = s.effects.filter((x) => x.mm === mm);
        if (groups.length === 0) return null;
        return (
          <section key={name} className="mm-block" aria-label={`On the ${name}`}>
            <h3>
              On the {name}
              {kernel.length > 0 && (
                <span className="muted">
                  {" "}
                  ·{" "}
                  {kernel
                    .map((g) => `${g.label}${g.events > 1 ? ` ×${formatInt(g.events)}` : ""}`)
                    .join(", ")}
                </span>
              )}
            </h3>
            {eff.length > 0 && (
              <ul className="effects">
                {eff.map((x) => (
                  <li key={`${x.rule}-${x.from}-${x.to}`}>
                    <span className="effect-count">{pagesText(x.count)}</span>
                    <span className="transition">{transitionText(run, x.from, x.to)}</span>
                    <span className="rule-title">{ruleTitle(run, x.rule)}</span>
                  </li>
                ))}
              </ul>
            )}
            {eff.length === 0 && kernel.length > 0 && <p className="muted small">No PTE changed.</p>}
            {books > 0 && (
              <p className="muted small">
                {formatInt(books)} bookkeeping step{books === 1 ? "" : "s"} outside the kernel (
                {groups
                  .filter((g) => g.bookkeeping)
                  .map((g) => g.label)
                  .join(", ")}
                )
              </p>
            )}
          </section>
        );
      })}
      <Asides asides={asides} />
      {lines.length > 0 && <h3 className="section-title">Who called</h3>}
      {lines.slice(0, shown).map((c) => (
        <Cause key={c.cause} run={run} cause={c.cause} did={c.did} />
      ))}
      {lines.length > shown && (
        <details className="more-causes">
          <summary className="muted small">
            {lines.length - shown} more call path{lines.length - shown === 1 ? "" : "s"} in this action (none
            changed a PTE)
          </summary>
          {lines.slice(shown).map((c) => (
            <Cause key={c.cause} run={run} cause={c.cause} />
          ))}
        </details>
      )}
      {s.rules.length > 0 && <h3 className="section-title">Why: the kernel rules</h3>}
      {s.rules.map((r) => (
        <RuleBlock key={r} run={run} rule={r} />
      ))}
    </>
  );
}

function StepNarration({ run, view }: { run: RunInfo; view: ViewState }) {
  const t = run.trace;
  const e = view.event;
  const pages = stepPages(run, view);
  const changes = view.changes ?? [];
  const changed = changes.filter((c) => c.from !== c.to);
  const unchanged = changes.filter((c) => c.from === c.to).reduce((n, c) => n + c.count, 0);
  const rules =
    changes.length > 0
      ? [...new Set(changes.map((c) => c.rule))].filter((r) => run.rules[r]?.id !== "unchanged")
      : eventRules(run, e);
  const a = t.actions[t.action[e]!];
  const cause = eventCause(run, e);
  const caveat = useCaveat();
  const asides = useMemo(() => eventAsides(run, e, caveat), [run, e, caveat]);
  return (
    <>
      <p className="kicker">
        Event {formatInt(e + 1)} of {formatInt(t.events)} · {t.mmNames[t.mm[e]!]}
        {view.stepsInEvent > 1 && (
          <span className="muted">
            {" "}
            · step {formatInt(view.stepInEvent)} of {formatInt(view.stepsInEvent)} in it
          </span>
        )}
      </p>
      <h2 className="headline">{eventLabel(run, e)}</h2>
      {a && (
        <p className="context muted small">
          in action {t.action[e]! + 1}: {a.label}
        </p>
      )}
      {pages && <p className="pages">{stepPagesText(pages)}</p>}
      {!t.ok[e] ? (
        <p className="outcome-note">The event failed{failureText(run, e)}; a failed event changes nothing.</p>
      ) : changed.length > 0 ? (
        <ul className="changes">
          {changed.map((c) => (
            <li key={`${c.from}-${c.to}-${c.rule}`}>
              <span className="transition">{transitionText(run, c.from, c.to)}</span>
              <span className="rule-title">
                {ruleTitle(run, c.rule)}
                {pages && pages.count > 1 ? ` · ${formatInt(c.count)} PTEs` : ""}
              </span>
            </li>
          ))}
          {unchanged > 0 && pages && pages.count > 1 && (
            <li className="muted">{formatInt(unchanged)} PTEs visited and left as they were</li>
          )}
        </ul>
      ) : changes.length > 0 ? (
        <p className="muted">
          {pages?.count === 1 ? "The PTE was" : "The PTEs were"} visited and left as they were (
          {transitionText(run, changes[0]!.from, changes[0]!.to)}).
        </p>
      ) : null}
      <Asides asides={asides} />
      {cause && (
        <>
          <h3 className="section-title">Who called</h3>
          <Cause run={run} cause={cause} />
        </>
      )}
      {rules.length > 0 && <h3 className="section-title">Why: the kernel rules</h3>}
      {rules.map((r) => (
        <RuleBlock key={r} run={run} rule={r} />
      ))}
    </>
  );
}

function StartNarration({ run }: { run: RunInfo }) {
  const presets = useApp((s) => s.presets);
  const presetId = useApp((s) => s.presetId);
  const preset = presets.find((p) => p.id === presetId);
  return (
    <>
      <p className="kicker">Start</p>
      <h2 className="headline">{run.title}</h2>
      <p>Nothing has happened yet: QEMU has not started, and no page table exists.</p>
      {preset && <p className="summary">{preset.summary}</p>}
      <Asides asides={[messageNumbers(preset?.patch?.caveat ?? "")].filter((a): a is Aside => a !== null)} />
      {preset?.id === "commit-06201e00" && <QemuCheckLink />}
      <p className="muted small">
        Linux {run.kernel.sourceTag} ({run.kernel.title}), QEMU {run.qemuVersion}. Press → to step, Space to
        play, ? for keys.
      </p>
    </>
  );
}

export function Narration() {
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  if (!run || !view || view.runId !== run.runId) return <NoRun />;
  const action = view.granularity === "action" ? view.position - 1 : -1;
  return (
    <article className="narration-body" data-testid="narration" data-event={view.event}>
      {view.event < 0 && view.position === 0 ? (
        <StartNarration run={run} />
      ) : view.granularity === "action" && action >= 0 ? (
        <ActionNarration run={run} index={action} />
      ) : (
        <StepNarration run={run} view={view} />
      )}
    </article>
  );
}

/** The page's one polite live region: a sentence per settled step, quiet while playing. */
export function NarrationLive() {
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const playing = useApp((s) => s.playing);
  const [text, setText] = useState("");
  useEffect(() => {
    if (playing) {
      setText("Playing.");
      return;
    }
    if (!run || !view || view.runId !== run.runId) return;
    const timer = setTimeout(() => {
      const s =
        view.position === 0
          ? `Start of ${run.title}.`
          : view.granularity === "action"
            ? actionSentence(run, actionSummary(run, view.position - 1))
            : stepSentence(run, view);
      setText(s);
    }, 250);
    return () => clearTimeout(timer);
  }, [run, view, playing]);
  return (
    <div className="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="live">
      {text}
    </div>
  );
}
