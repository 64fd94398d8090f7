/** Placeholder: being built for issue 5 (see App.tsx for where it is placed). */
export function BalloonView() {
  return null;
}
