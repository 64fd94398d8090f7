/**
 * The transport bar: jump to start, step back, play/pause, step forward, jump to end; speed; step
 * granularity (action, page table, PTE); "go to step N"; where we are; help. Titles and labels
 * come from the command registry, so the buttons say what the keys do.
 */
import { type FormEvent, type RefObject, useId, useState } from "react";
import { SPEEDS } from "../../state/store.ts";
import type { Granularity } from "../../worker/api.ts";
import { ariaKeys, type CommandId, command, titleOf } from "../commands.ts";
import { formatInt } from "../format.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { IconBack, IconEnd, IconForward, IconKeyboard, IconPause, IconPlay, IconStart } from "./Icons.tsx";

export const GRANULARITY_LABELS: Record<Granularity, string> = {
  action: "Action",
  table: "Page table",
  pte: "PTE",
};

function CommandButton({
  id,
  children,
  label,
  className,
}: {
  id: CommandId;
  children: React.ReactNode;
  label?: string;
  className?: string;
}) {
  const store = useAppStore();
  const enabled = useApp((s) => command(id).enabled(s));
  return (
    <button
      type="button"
      className={className ?? "icon-button"}
      aria-label={label ?? command(id).label}
      title={titleOf(id)}
      aria-keyshortcuts={ariaKeys(id)}
      disabled={!enabled}
      onClick={() => command(id).perform({ store, focusGoTo: () => {} })}
    >
      {children}
    </button>
  );
}

export function StepControls({ goToRef }: { goToRef: RefObject<HTMLInputElement | null> }) {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const granularity = useApp((s) => s.granularity);
  const wanted = useApp((s) => s.wantedGranularity);
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  const total = run ? run.counts[granularity] : 0;
  const [goTo, setGoTo] = useState("");
  const ids = useId();
  const s = () => store.getState();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(goTo.replace(/[,_\s]/g, ""));
    if (!run || !Number.isFinite(n)) return;
    s().setPlaying(false);
    s().seek(Math.max(0, Math.min(total, Math.round(n))));
  };

  return (
    <nav className="controls" aria-label="Playback">
      <fieldset className="transport">
        <legend className="sr-only">Transport</legend>
        <CommandButton id="jump-start">
          <IconStart />
        </CommandButton>
        <CommandButton id="step-back">
          <IconBack />
        </CommandButton>
        <CommandButton id="toggle-play" label={playing ? "Pause" : "Play"} className="icon-button play">
          {playing ? <IconPause /> : <IconPlay />}
        </CommandButton>
        <CommandButton id="step-forward">
          <IconForward />
        </CommandButton>
        <CommandButton id="jump-end">
          <IconEnd />
        </CommandButton>
      </fieldset>

      <label className="field compact">
        <span>Speed</span>
        <select
          value={speed}
          onChange={(e) => s().setSpeed(Number(e.target.value))}
          aria-label="Playback speed"
          title={`${command("slower").label} (−) / ${command("faster").label} (+)`}
        >
          {SPEEDS.map((v) => (
            <option key={v} value={v}>
              {v}×
            </option>
          ))}
        </select>
      </label>

      <span className="field-label" aria-hidden="true">
        Step by
      </span>
      <fieldset className="segmented" title={`${titleOf("coarser")}, ${titleOf("finer")}`}>
        <legend className="sr-only">Step by</legend>
        {(Object.keys(GRANULARITY_LABELS) as Granularity[]).map((g) => (
          <label key={g} className={g === wanted ? "segment checked" : "segment"}>
            <input
              type="radio"
              name={`${ids}-granularity`}
              value={g}
              checked={g === wanted}
              disabled={!run}
              onChange={() => void s().setGranularity(g)}
            />
            {GRANULARITY_LABELS[g]}
          </label>
        ))}
      </fieldset>

      <form className="goto" onSubmit={submit} title={titleOf("go-to-step")}>
        <label htmlFor={`${ids}-goto`}>Go to step</label>
        <input
          id={`${ids}-goto`}
          ref={goToRef}
          type="text"
          inputMode="numeric"
          pattern="[0-9,_ ]*"
          placeholder={run ? `0–${formatInt(total)}` : ""}
          value={goTo}
          onChange={(e) => setGoTo(e.target.value)}
          size={11}
          disabled={!run}
          aria-describedby={`${ids}-pos`}
        />
        <button type="submit" disabled={!run || goTo.trim() === ""}>
          Go
        </button>
      </form>

      <StepPosition id={`${ids}-pos`} />

      <CommandButton id="show-help" className="icon-button help-button" label="Keyboard shortcuts">
        <IconKeyboard />
      </CommandButton>
    </nav>
  );
}

/**
 * "step 12 of 4,096 · page table": the one part of the bar that changes at every step, so that a
 * step re-renders it alone (not the speed menu, the granularity radios and the go-to form).
 */
function StepPosition({ id }: { id: string }) {
  const run = useApp((s) => s.run);
  const refused = useApp((s) => s.status === "error");
  const position = useApp((s) => s.position);
  const granularity = useApp((s) => s.granularity);
  const total = run ? run.counts[granularity] : 0;
  return (
    <span className="position" id={id} data-testid="position">
      {run ? (
        <>
          step <strong>{formatInt(position)}</strong> of {formatInt(total)}
          <span className="muted"> · {GRANULARITY_LABELS[granularity].toLowerCase()}</span>
        </>
      ) : (
        // No run yet, or none at all (the kernel cannot run the scenario): no step to count.
        <span className="muted">{refused ? "no run" : "loading"}</span>
      )}
    </span>
  );
}
