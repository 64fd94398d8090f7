/**
 * The narration out of the screen, for a recorded walkthrough: WebVTT captions and a plain
 * transcript of the whole run, timed as playback plays it at the current granularity and speed.
 *
 * Timing follows the playback loop (controls/usePlayback.ts, controls/playback.ts): started at
 * position 0, it moves STEPS_PER_SECOND[g] × speed steps a second, and the first step comes after
 * half a step's interval (the loop starts with half a step carried). So position p is on screen from
 * (p − ½)/rate until (p + ½)/rate, position 0 from 0, and the last position is held one interval.
 *
 * Cues: at action granularity one per action (its headline, then the narration's sentence for the
 * whole action); at page-table and PTE granularity one per event, over all the steps of that event
 * (its label, the address space, the steps it spans and the PTE changes by rule), since every step
 * of an event narrates the same kernel work on the next pages. Texts come from the same builders
 * as the narration panel (narration/summarize.ts); nothing here knows kernel semantics.
 */
import type { Granularity } from "../../worker/api.ts";
import { STEPS_PER_SECOND } from "../controls/playback.ts";
import { formatInt } from "../format.ts";
import {
  actionSentence,
  actionSummary,
  countPages,
  eventLabel,
  eventRules,
  failureText,
  type NarrationRun,
  ruleTitle,
  transitionText,
} from "../narration/summarize.ts";
import { stepCount, traceAxis } from "../views/trace-axis.ts";
import { plainLine } from "./export-data.ts";

export interface Cue {
  /** Seconds from the start of playback. */
  readonly start: number;
  readonly end: number;
  /** The first and last position (at the granularity) the cue covers. */
  readonly firstStep: number;
  readonly lastStep: number;
  readonly headline: string;
  readonly text: string;
}

export interface CaptionMeta {
  readonly title: string;
  /** "s390-fa41ba0d (fa41ba0d: …)" */
  readonly kernel: string;
  readonly granularity: Granularity;
  readonly speed: number;
  readonly link: string;
}

const GRANULARITY_WORDS: Record<Granularity, string> = {
  action: "scenario action",
  table: "page table",
  pte: "PTE",
};

/** Steps per second while playing at granularity g and `speed`. */
export function playbackRate(g: Granularity, speed: number): number {
  return STEPS_PER_SECOND[g] * speed;
}

/** When position p first shows, playing from position 0 (seconds). */
export function positionTime(p: number, rate: number): number {
  return p <= 0 ? 0 : (p - 0.5) / rate;
}

function mmName(run: NarrationRun, mm: number): string {
  return run.trace.mmNames[mm] ?? `mm ${mm}`;
}

/** One sentence for a whole event: what it did to which PTEs, by rule. */
export function eventSentence(run: NarrationRun, e: number): string {
  const t = run.trace;
  const head = `${eventLabel(run, e)} on the ${mmName(run, t.mm[e]!)}${t.footprintPages[e]! > 0 ? ` over ${countPages(t.footprintPages[e]!)}` : ""}`;
  if (!t.ok[e]) return `${head}. It failed${failureText(run, e)}, and a failed event changes nothing.`;
  const changes: string[] = [];
  for (let i = 0; i < t.effCount[e]!; i++) {
    const o = (t.effStart[e]! + i) * 4;
    const from = t.effects[o]!;
    const to = t.effects[o + 1]!;
    if (from === to) continue;
    changes.push(
      `${countPages(t.effects[o + 3]!)} ${transitionText(run, from, to)} (${ruleTitle(run, t.effects[o + 2]!)})`,
    );
  }
  if (changes.length > 0) return `${head}: ${changes.join("; ")}.`;
  const rules = eventRules(run, e).map((r) => ruleTitle(run, r));
  return rules.length > 0 ? `${head}: ${rules.join("; ")}.` : `${head}.`;
}

/** The run's narration as timed cues at granularity g and playback speed `speed`. */
export function narrationCues(run: NarrationRun, g: Granularity, speed: number): Cue[] {
  const t = run.trace;
  const ax = traceAxis(t);
  const rate = playbackRate(g, speed);
  const n = stepCount(ax, g);
  const at = (p: number) => positionTime(p, rate);
  const cues: Cue[] = [
    {
      start: 0,
      end: at(Math.min(1, n)) || 1 / rate,
      firstStep: 0,
      lastStep: 0,
      headline: "Start",
      text: "Nothing has happened yet.",
    },
  ];
  if (g === "action") {
    t.actions.forEach((a, i) => {
      const s = actionSummary(run, i);
      const sentence = actionSentence(run, s);
      // The sentence opens with "Action k of N: label."; the headline says that already.
      // An action without kernel work on pages (QEMU starting) is told by its events instead.
      const events = Array.from({ length: Math.min(3, a.endEvent - a.firstEvent) }, (_, k) =>
        eventSentence(run, a.firstEvent + k),
      );
      const body = sentence.replace(/^Action \d+ of \d+: .*?\.\s*/, "") || events.join(" ") || a.label;
      cues.push({
        start: at(i + 1),
        end: at(i + 2),
        firstStep: i + 1,
        lastStep: i + 1,
        headline: `Action ${i + 1} of ${t.actions.length}: ${a.label}`,
        text: body,
      });
    });
    return cues;
  }
  const cum = g === "table" ? ax.cumTable : ax.cumPte;
  for (let e = 0; e < t.events; e++) {
    const first = cum[e]! + 1;
    const last = cum[e + 1]!;
    const a = t.actions[t.action[e]!];
    const steps =
      first === last ? `step ${formatInt(first)}` : `steps ${formatInt(first)}–${formatInt(last)}`;
    cues.push({
      start: at(first),
      end: at(last + 1),
      firstStep: first,
      lastStep: last,
      headline: `${a ? `Action ${t.action[e]! + 1}: ${a.label}` : "Event"} · ${steps} of ${formatInt(n)}`,
      text: eventSentence(run, e),
    });
  }
  return cues;
}

/** "00:01:02.345": WebVTT's timestamp, hours always written. */
export function vttTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (x: number, w = 2) => String(x).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * Cue text as WebVTT allows it: no line terminators inside a line (a blank line would end the
 * cue), and "&", "<" and ">" as character references (so "-->" cannot occur either).
 */
export function vttText(s: string): string {
  return s
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/\p{Cc}/gu, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .trim();
}

/** Text for a NOTE block or the header line: one line, and never "-->". */
function noteText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/-->/g, "→");
}

function speedText(speed: number): string {
  return `${speed}×`;
}

/** Whole milliseconds, each cue at least 1 ms long and starting where the last one ended or later. */
function msCues(cues: readonly Cue[]): { start: number; end: number; cue: Cue }[] {
  let last = 0;
  return cues.map((cue) => {
    const start = Math.max(last, Math.round(cue.start * 1000));
    const end = Math.max(start + 1, Math.round(cue.end * 1000));
    last = end;
    return { start, end, cue };
  });
}

/** The cues as a WebVTT file (https://www.w3.org/TR/webvtt1/). */
export function toWebVtt(cues: readonly Cue[], meta: CaptionMeta): string {
  const out = [
    `WEBVTT - ${noteText(`Zeropage Lab: ${meta.title}`)}`,
    "",
    `NOTE ${noteText(`Kernel ${meta.kernel}. Timed for playback by ${GRANULARITY_WORDS[meta.granularity]} at ${speedText(meta.speed)}, from step 0 (press Home, then Play). Link: ${meta.link}`)}`,
    "",
  ];
  for (const { start, end, cue } of msCues(cues)) {
    out.push(
      `step-${cue.firstStep}`,
      `${vttTime(start / 1000)} --> ${vttTime(end / 1000)}`,
      vttText(cue.headline),
      vttText(cue.text),
      "",
    );
  }
  return out.join("\n");
}

/** The cues as a plain-text transcript: a timestamp and the headline, then the sentence. */
export function toTranscript(cues: readonly Cue[], meta: CaptionMeta): string {
  const out = [
    `Zeropage Lab: ${plainLine(meta.title)}`,
    `Kernel ${meta.kernel}`,
    `Timed for playback by ${GRANULARITY_WORDS[meta.granularity]} at ${speedText(meta.speed)}, from step 0.`,
    meta.link,
    "",
  ];
  for (const { start, cue } of msCues(cues)) {
    out.push(`[${vttTime(start / 1000)}] ${plainLine(cue.headline)}`, plainLine(cue.text), "");
  }
  return out.join("\n");
}
