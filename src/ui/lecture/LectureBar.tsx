/**
 * The strip under the header for a lecture: the narration's headline (in large type in
 * presentation mode), the guided story's caption when playback paused at a key moment, and at
 * step 0 the invitation to press Play.
 */

import { eventLabel } from "../narration/summarize.ts";
import { useLinks } from "../share/context.tsx";
import { useApp } from "../store-context.tsx";
import { BeforeAfterActions } from "./BeforeAfter.tsx";
import { useGuided } from "./guided.ts";

export function LectureBar() {
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const position = useApp((s) => s.position);
  const playing = useApp((s) => s.playing);
  const presenting = useLinks((s) => s.present);
  const caption = useGuided((s) => s.caption);
  const guided = useGuided((s) => s.guided);
  if (!run || !view) return null;
  const shownCaption = caption && caption.position === position && !playing ? caption : null;
  const atStart = position === 0 && !playing;
  const actions = run.trace.actions.length;
  const headline =
    view.action < 0
      ? `${run.title}: nothing has happened yet`
      : view.granularity === "action"
        ? `${view.action + 1} of ${actions}: ${run.trace.actions[view.action]?.label ?? ""}`
        : `${view.action + 1} of ${actions}: ${eventLabel(run, view.event)}`;
  return (
    <div className="lecture-bar" data-testid="lecture-bar" data-presenting={presenting ? "true" : "false"}>
      {/* Shown in presentation mode and on a phone (lecture.css); the narration panel says it elsewhere. */}
      <div className="lecture-head">
        <p className="lecture-headline" data-testid="lecture-headline">
          {headline}
        </p>
        {presenting && <BeforeAfterActions />}
      </div>
      {shownCaption ? (
        <p
          className="lecture-caption"
          data-testid="story-caption"
          role="status"
          title={shownCaption.sentence}
        >
          <strong>{shownCaption.title}.</strong>{" "}
          <span className="lecture-caption-sentence">{shownCaption.sentence}</span>{" "}
          <span className="lecture-next">Space plays on, → steps on.</span>
        </p>
      ) : atStart ? (
        <p className="lecture-caption lecture-invite" data-testid="story-invite">
          Press <kbd>Space</kbd> or ▶ to play the story
          {guided ? "; it pauses at the key moments" : ""}. ← and → step by hand.
        </p>
      ) : null}
    </div>
  );
}
