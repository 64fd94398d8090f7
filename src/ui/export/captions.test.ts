/**
 * Captions and transcript of the narration, from real runs (in-process engine), checked with the
 * W3C's WebVTT parser and validator (webvtt-parser, from w3c/webvtt.js): no parse errors, every cue
 * well-formed and in order, and its timing the playback loop's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { WebVTTParser } from "webvtt-parser";
import { presetById } from "../../scenario/presets/index.ts";
import type { Granularity, RunInfo } from "../../worker/api.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import { advance } from "../controls/playback.ts";
import { stepCount, traceAxis } from "../views/trace-axis.ts";
import {
  type CaptionMeta,
  narrationCues,
  positionTime,
  toTranscript,
  toWebVtt,
  vttText,
  vttTime,
} from "./captions.ts";

const HOSTILE =
  "Balloon --> <b>bold</b> & <script>x</script>\n\nWEBVTT\r\nNOTE 00:00:01.000 --> 00:00:02.000";

let story: RunInfo;
let small: RunInfo;

async function load(id: string, kernel: string, title?: string): Promise<RunInfo> {
  const base = presetById(id)!.scenario as object;
  const scenario = title ? { ...base, title } : base;
  const r = await new EngineHost("main").load({ scenario, kernel: kernel as never });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

beforeAll(async () => {
  story = await load("commit-06201e00", "s390-fa41ba0d");
  small = await load("teaching-small", "x86_64", HOSTILE);
});

function meta(run: RunInfo, g: Granularity, speed: number): CaptionMeta {
  return {
    title: run.title,
    kernel: run.kernel.id,
    granularity: g,
    speed,
    link: "https://example.edu/os/zeropage/#v=1&preset=commit-06201e00",
  };
}

function parse(vtt: string) {
  return new WebVTTParser().parse(vtt, "subtitles");
}

describe("WebVTT captions of the narration", () => {
  for (const [name, g, speed] of [
    ["the story by action at 1×", "action", 1],
    ["the story by page table at 2×", "table", 2],
    ["the story by PTE at 8×", "pte", 8],
    ["the small preset by PTE at 0.25×", "pte", 0.25],
  ] as const) {
    it(`${name}: parses without an error, every cue well-formed and in order`, () => {
      const run = name.includes("small") ? small : story;
      const cues = narrationCues(run, g, speed);
      const vtt = toWebVtt(cues, meta(run, g, speed));
      const tree = parse(vtt);
      expect(tree.errors).toEqual([]);
      expect(tree.cues).toHaveLength(cues.length);
      const ids = new Set<string>();
      let last = 0;
      for (const c of tree.cues) {
        expect(c.id).toMatch(/^step-\d+$/);
        expect(ids.has(c.id), `cue id ${c.id} twice`).toBe(false);
        ids.add(c.id);
        expect(c.endTime).toBeGreaterThan(c.startTime);
        expect(c.startTime).toBeGreaterThanOrEqual(last);
        last = c.endTime;
        // Two lines: the headline and the sentence; no blank line inside a cue.
        const lines = c.text.split("\n");
        expect(lines).toHaveLength(2);
        for (const l of lines) expect(l.trim().length).toBeGreaterThan(0);
      }
      // The whole run is covered: the last cue shows the last step.
      const ax = traceAxis(run.trace);
      expect(cues.at(-1)!.lastStep).toBe(stepCount(ax, g));
    });
  }

  it("by action: one cue for the start and one per action, with the narration's headline", () => {
    const cues = narrationCues(story, "action", 1);
    expect(cues.map((c) => c.headline)).toEqual([
      "Start",
      ...story.trace.actions.map((a, i) => `Action ${i + 1} of ${story.trace.actions.length}: ${a.label}`),
    ]);
    const balloon = cues.find((c) => c.headline.includes("balloon inflates"))!;
    expect(balloon.text).toMatch(/40 GiB/);
  });

  it("by page table: one cue per event, over exactly that event's steps", () => {
    const cues = narrationCues(story, "table", 1);
    const ax = traceAxis(story.trace);
    expect(cues).toHaveLength(1 + story.trace.events);
    cues.slice(1).forEach((c, e) => {
      expect(c.firstStep).toBe(ax.cumTable[e]! + 1);
      expect(c.lastStep).toBe(ax.cumTable[e + 1]!);
    });
    // The story's first read of ballooned memory on the source under fa41ba0d: its PTE changes by rule.
    const read = cues.find(
      (c) => c.headline.includes("precopy") && c.text.startsWith("read fault on the source"),
    )!;
    expect(read.text).toMatch(/pages none → .*\(/);
  });

  it("times each step as the playback loop shows it, at the speed given", () => {
    // The loop (usePlayback): half a step carried at the start, then advance() per frame.
    for (const [g, speed] of [
      ["action", 1],
      ["table", 4],
      ["pte", 0.5],
    ] as const) {
      let carry = 0.5;
      let position = 0;
      let now = 0;
      const shownAt: number[] = [0];
      while (position < 40) {
        const a = advance(carry, 16, speed, g);
        carry = a.carry;
        now += 16;
        for (let i = 0; i < a.steps; i++) shownAt[++position] = now / 1000;
      }
      for (let p = 1; p <= 40; p++) {
        // Frames are 16 ms apart: a step shows on the first frame at or after its time.
        expect(
          shownAt[p]! - positionTime(p, (g === "action" ? 1 : g === "table" ? 16 : 64) * speed),
        ).toBeGreaterThanOrEqual(-1e-9);
        expect(
          shownAt[p]! - positionTime(p, (g === "action" ? 1 : g === "table" ? 16 : 64) * speed),
        ).toBeLessThan(0.0161);
      }
    }
    const at2 = narrationCues(story, "action", 2);
    const at1 = narrationCues(story, "action", 1);
    expect(at2[2]!.start).toBeCloseTo(at1[2]!.start / 2, 9);
    expect(at1[1]!.start).toBeCloseTo(0.5, 9);
    expect(at1[2]!.start).toBeCloseTo(1.5, 9);
  });

  it("escapes what a scenario title or label could smuggle in: no cue ends early, no tag, no arrow", () => {
    const cues = narrationCues(small, "action", 1);
    const vtt = toWebVtt(
      [
        ...cues,
        { ...cues.at(-1)!, start: 1000, end: 1001, firstStep: 999, headline: HOSTILE, text: HOSTILE },
      ],
      meta(small, "action", 1),
    );
    const tree = parse(vtt);
    expect(tree.errors).toEqual([]);
    const last = tree.cues.at(-1)!;
    expect(last.text.split("\n")).toHaveLength(2);
    expect(last.text).not.toMatch(/<|-->/);
    expect(vttText("a --> b")).toBe("a --&gt; b");
    // The title in the header and the NOTE stays on one line without an arrow.
    const header = vtt.split("\n\n")[0]!;
    expect(header.split("\n")).toHaveLength(1);
    expect(header).not.toContain("-->");
  });

  it("writes timestamps as WebVTT does, hours included", () => {
    expect(vttTime(0)).toBe("00:00:00.000");
    expect(vttTime(61.2345)).toBe("00:01:01.235");
    expect(vttTime(3 * 3600 + 5.5)).toBe("03:00:05.500");
  });
});

describe("plain transcript", () => {
  it("has the same steps with their timestamps, and the link", () => {
    const cues = narrationCues(story, "action", 1);
    const text = toTranscript(cues, meta(story, "action", 1));
    const stamps = [...text.matchAll(/^\[(\d\d:\d\d:\d\d\.\d{3})\] (.*)$/gm)];
    expect(stamps.map((m) => m[2])).toEqual(cues.map((c) => c.headline));
    expect(stamps.map((m) => m[1])).toEqual(cues.map((c) => vttTime(Math.round(c.start * 1000) / 1000)));
    expect(text).toContain("https://example.edu/os/zeropage/");
    expect(text).toContain("at 1×");
  });
});
