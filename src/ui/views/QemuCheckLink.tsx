/**
 * The commit story's link to its check against real QEMU (tools/qemu-check): "checked against real
 * QEMU 7.2 on x86_64, on <date>", to the measured table the check publishes (public/qemu-check/).
 * Its words come from src/ui/narration/qemu-check.json, which `npm run qemu-check -- --publish`
 * writes after a passing check; nothing here is written by hand.
 */
import summary from "../narration/qemu-check.json";

export function QemuCheckLink() {
  return (
    <p className="muted small" data-testid="qemu-check-link">
      QEMU's side of this story (the balloon and the migration, the same under every kernel) is{" "}
      <a href={summary.href}>
        checked against real QEMU {summary.qemu} on {summary.arch}, on {summary.date}
      </a>
      : the same runs, measured and modelled side by side ({summary.rows} rows
      {summary.passed ? ", all within tolerance" : ", not all within tolerance"}).
    </p>
  );
}
