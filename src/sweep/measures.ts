/**
 * What a sweep's points are measured by: a counter's final or peak value on each side.
 * The small multiples draw one panel per measure and side; the CSV has one column per pair.
 */

export const MEASURES = [
  { id: "rssAnonFinal", counter: "rssAnonBytes", stat: "final", label: "RssAnon, final" },
  { id: "rssAnonPeak", counter: "rssAnonBytes", stat: "peak", label: "RssAnon, peak" },
  { id: "hostMemFinal", counter: "hostMemBytes", stat: "final", label: "host memory, final" },
  { id: "hostMemPeak", counter: "hostMemBytes", stat: "peak", label: "host memory, peak" },
] as const;
export type MeasureId = (typeof MEASURES)[number]["id"];

export const SIDES = ["source", "destination"] as const;
export type Side = (typeof SIDES)[number];
