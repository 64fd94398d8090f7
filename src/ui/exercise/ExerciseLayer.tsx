/**
 * Everything an exercise adds to the page, in one component for App to place: the bar
 * under the header, the question card, and the answer key's dialog. Nothing without one.
 */
import { useStudy } from "../study/context.tsx";
import { AnswerKey } from "./AnswerKey.tsx";
import { CheckpointCard } from "./CheckpointCard.tsx";
import { ExerciseBar } from "./ExerciseBar.tsx";
import "./exercise.css";

export function ExerciseLayer() {
  if (!useStudy()) return null;
  return (
    <>
      <ExerciseBar />
      <CheckpointCard />
      <AnswerKey />
    </>
  );
}
