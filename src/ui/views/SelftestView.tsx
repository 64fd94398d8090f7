/**
 * The kernel's own test of the patch, as a reviewer would run it: the s390 KVM selftest
 * shared_zeropage_test.c (which came with 06201e00) evaluated on the model of every kernel, one row
 * per kernel and one cell per check, the current kernel's TAP below. The reports come from the
 * worker (EngineApi.selftests, engine/selftests/shared_zeropage_test.ts): this view asks once and
 * lays them out.
 */
import { useEffect } from "react";
import type { SelftestReport } from "../../worker/api.ts";
import { useApp } from "../store-context.tsx";

const VERDICT: Readonly<Record<SelftestReport["exitCode"], string>> = { 0: "pass", 1: "fail", 4: "skip" };

function Cell({ r, n }: { r: SelftestReport; n: number }) {
  const c = r.checks.find((x) => x.n === n);
  if (!c) return <td className="zl-selftest-skip">—</td>;
  return (
    <td
      className={c.ok ? "zl-selftest-ok" : "zl-selftest-fail"}
      title={`${c.description}: found ${c.found} (${c.rules.join(", ")})`}
    >
      {c.ok ? "ok" : "not ok"}
    </td>
  );
}

export function SelftestView() {
  const reports = useApp((s) => s.selftests);
  const variants = useApp((s) => s.variants);
  const current = useApp((s) => s.run?.kernel.id ?? null);
  const load = useApp((s) => s.loadSelftests);
  useEffect(() => {
    void load();
  }, [load]);
  if (!reports) return <p className="muted">Running the selftest on the model…</p>;
  const first = reports.find((r) => r.checks.length > 0);
  const shown = reports.find((r) => r.kernel === current) ?? null;
  return (
    <section className="zl-selftest" aria-labelledby="zl-selftest-h" data-testid="selftest">
      <h2 className="zl-h2" id="zl-selftest-h">
        The kernel's own test: shared_zeropage_test.c
      </h2>
      <p className="zl-scale">
        The s390 KVM selftest that came with 06201e00 (tools/testing/selftests/kvm/s390x), run on the model of
        each kernel: it reads a page before and after KVM_CREATE_VM and after storage keys are enabled, and
        asks pagemap whether each maps the shared zeropage. On a real s390 host it prints the same TAP.
      </p>
      <table className="zl-selftest-table">
        <thead>
          <tr>
            <th scope="col">kernel</th>
            {(first?.checks ?? []).map((c) => (
              <th key={c.n} scope="col" title={c.description}>
                {c.n}. {c.description}
              </th>
            ))}
            <th scope="col">result</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => {
            const v = variants.find((x) => x.id === r.kernel);
            return (
              <tr
                key={r.kernel}
                aria-current={r.kernel === current ? "true" : undefined}
                data-kernel={r.kernel}
              >
                <th scope="row">
                  {v ? `${v.letter} · ${r.kernel}` : r.kernel}
                  <span className="muted"> (Linux {r.kernelVersion})</span>
                </th>
                {r.skip !== null ? (
                  <td colSpan={first?.checks.length ?? 3} className="zl-selftest-skip">
                    skipped: {r.skip}
                  </td>
                ) : (
                  (first?.checks ?? []).map((c) => <Cell key={c.n} r={r} n={c.n} />)
                )}
                <td className={`zl-selftest-${VERDICT[r.exitCode]}`}>{VERDICT[r.exitCode]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shown && (
        <>
          <h3 className="zl-ledger-host-h">
            TAP under {shown.kernel}, as kselftest prints it (exit status {shown.exitCode})
          </h3>
          <pre className="zl-ledger-term" data-testid="selftest-tap">
            <code>{shown.tap}</code>
          </pre>
        </>
      )}
    </section>
  );
}
