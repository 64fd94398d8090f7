/** What the current step did and why, with the call path that did it. */
import { useApp } from "../store-context.tsx";

export function Narration() {
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  if (!run || !view) return null;
  const t = run.trace;
  const e = view.event;
  if (e < 0) {
    return (
      <div aria-live="polite">
        <h2>Start</h2>
        <p>Nothing has happened yet: guest RAM is mapped but not a single page table exists.</p>
      </div>
    );
  }
  const label = t.strings[t.label[e]!] ?? "";
  const cause = t.strings[t.cause[e]!] ?? "";
  const start = t.effStart[e]!;
  const effects = Array.from({ length: t.effCount[e]! }, (_, i) => ({
    from: t.effects[(start + i) * 4]!,
    to: t.effects[(start + i) * 4 + 1]!,
    rule: t.effects[(start + i) * 4 + 2]!,
    count: t.effects[(start + i) * 4 + 3]!,
  }));
  const stepRules = Array.from(t.steps.subarray(t.stepStart[e]!, t.stepStart[e]! + t.stepCount[e]!));
  const rules = [...stepRules, ...effects.map((x) => x.rule)].filter((r, i, a) => a.indexOf(r) === i);
  return (
    <div aria-live="polite" data-testid="narration">
      <h2>
        {label} <span className="muted">({t.mmNames[t.mm[e]!]})</span>
      </h2>
      {cause && <p className="cause">{cause}</p>}
      {rules.map((r) => {
        const rule = run.rules[r];
        if (!rule || rule.id === "unchanged") return null;
        return (
          <div key={rule.id} className="rule">
            <h3>{rule.title}</h3>
            <p className="path">{rule.path.map((f) => (f.note ? `${f.fn} ${f.note}` : f.fn)).join(" → ")}</p>
            <p>{rule.explain}</p>
            {rule.assumption && <p className="assumption">Modelling choice: {rule.assumption}</p>}
          </div>
        );
      })}
    </div>
  );
}
