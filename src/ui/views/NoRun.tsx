/**
 * What a view shows while it has no run to draw: "Computing…" while one loads, and, when the last
 * load was refused (a scenario that is not valid, or a kernel that cannot run it), that there is
 * no run, pointing at the message that says why. A view that said "Computing…" there promised a
 * run that was not coming.
 */
import { useApp } from "../store-context.tsx";

export function NoRun({ loading = "Computing…" }: { readonly loading?: string }) {
  const status = useApp((s) => s.status);
  return (
    <p className="muted">
      {status === "error"
        ? "No run to show: the scenario did not run (the message above says why)."
        : loading}
    </p>
  );
}
