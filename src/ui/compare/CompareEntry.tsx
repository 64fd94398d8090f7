/**
 * Ways into compare mode from the single view: a "Compare with" picker for the header (the current
 * scenario and kernel on the left, the chosen variant on the right), and the gallery's "compare
 * fa41ba0d vs 06201e00" button for presets that tell a before/after story (COMPARE_PRESETS).
 * Both render nothing when the page has no compare store.
 */
import { COMPARE_PRESETS } from "../../state/compare.ts";
import type { VariantId } from "../../worker/api.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { useCompareStoreOrNull } from "./context.tsx";

export function CompareEntry() {
  const cmp = useCompareStoreOrNull();
  const variants = useApp((s) => s.variants);
  const current = useApp((s) => s.run?.kernel.id ?? null);
  if (!cmp) return null;
  return (
    <label className="cmp-entry">
      Compare with{" "}
      <select
        value=""
        onChange={(e) => {
          if (e.target.value) void cmp.getState().open(e.target.value as VariantId);
        }}
        aria-label="Compare this run with"
        data-testid="compare-with"
      >
        <option value="">…</option>
        {variants
          .filter((v) => v.id !== current)
          .map((v) => (
            <option key={v.id} value={v.id}>
              {v.letter} · {v.id}
            </option>
          ))}
      </select>
    </label>
  );
}

export function GalleryCompare({ presetId, onOpen }: { presetId: string; onOpen?: () => void }) {
  const cmp = useCompareStoreOrNull();
  const app = useAppStore();
  const pair = COMPARE_PRESETS[presetId];
  if (!cmp || !pair) return null;
  const [left, right] = pair;
  const short = (k: string) => k.replace(/^s390-/, "");
  return (
    <button
      type="button"
      className="cmp-gallery-button"
      data-testid={`gallery-compare-${presetId}`}
      onClick={() => {
        void app.getState().loadPreset(presetId, left);
        void cmp.getState().open(right);
        onOpen?.();
      }}
    >
      compare {short(left)} vs {short(right)}
    </button>
  );
}
