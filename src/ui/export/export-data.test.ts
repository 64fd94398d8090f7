/** Export formats from a real run (in-process engine): CSV, text summary, SVG card, trace JSON. */
import { beforeAll, describe, expect, it } from "vitest";
import { presetById } from "../../scenario/presets/index.ts";
import type { RunInfo } from "../../worker/api.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import {
  countersCsv,
  csvField,
  deltaCsv,
  fileBaseName,
  finalAndPeak,
  summarySvg,
  summaryText,
  traceJson,
  xmlText,
} from "./export-data.ts";

const HOSTILE = `<img src=x onerror="alert(1)"> & 'javascript:alert(1)' \u0000\u0007 ]]>`;
let run: RunInfo;

beforeAll(async () => {
  const scenario = { ...(presetById("teaching-small")!.scenario as object), title: HOSTILE };
  const r = await new EngineHost("main").load({ scenario, kernel: "s390-fa41ba0d" });
  if (!r.ok) throw new Error("no run");
  run = r.run;
});

describe("export formats", () => {
  it("writes one CSV row per event and mm, plus the initial state, with every counter", () => {
    const csv = countersCsv(run).trimEnd().split("\n");
    const mms = run.trace.mmNames.length;
    expect(csv).toHaveLength(1 + (run.trace.events + 1) * mms);
    expect(csv[0]).toBe(`event,action,action_label,mm,${run.counters.map((c) => c.key).join(",")}`);
    expect(csv[1]).toMatch(/^initial,-1,initial state,source,0,/);
    for (const line of csv.slice(1))
      expect(line.split(",").length).toBeGreaterThanOrEqual(4 + run.counters.length);
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField("a,b")).toBe('"a,b"');
  });

  it("summarizes for a mailing list: the variant, the link, final and peak per mm, in fixed width", () => {
    const text = summaryText(run, "https://example.org/#v=1&preset=teaching-small");
    const lines = text.split("\n");
    expect(lines[0]).toContain("<img src=x");
    expect([...text].some((ch) => ch.charCodeAt(0) < 9)).toBe(false);
    expect(text).toContain("Kernel:  B s390-fa41ba0d");
    expect(text).toContain("Link:    https://example.org/#v=1&preset=teaching-small");
    const table = lines.filter((l) => /^(RssAnon|VmPTE|host memory)\s/.test(l));
    expect(table).toHaveLength(3);
    for (const l of lines.filter((l) => !l.startsWith("Link:"))) expect(l.length).toBeLessThanOrEqual(100);
    // Columns line up: every table row is as wide as the header rule.
    const rule = lines.find((l) => /^-+$/.test(l))!;
    for (const l of table) expect(l.length).toBe(rule.length);
    const { final, peak } = finalAndPeak(run);
    const rss = run.counters.findIndex((c) => c.key === "rssAnonBytes");
    expect(peak[0]![rss]).toBeGreaterThanOrEqual(final[0]![rss]!);
  });

  it("draws an SVG card with every user string escaped", () => {
    const svg = summarySvg(run, { link: "https://x/#v=1&s=a<b", view: null, stepLabel: "step 3 of 5" });
    expect(
      svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'),
    ).toBe(true);
    expect(svg).not.toContain("<img");
    expect(svg).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect([...svg].some((ch) => ch.charCodeAt(0) < 9)).toBe(false);
    expect(svg.match(/<text /g)?.length).toBe(svg.match(/<\/text>/g)?.length);
    expect(svg).toContain("<polyline");
    expect(xmlText("a\ud800b")).toBe("a\ufffdb");
  });

  it("writes the trace as JSON with its columns and context", () => {
    const doc = JSON.parse(traceJson(run, "L"));
    expect(doc.format).toBe("zeropage-lab-trace");
    expect(doc.traceHash).toBe(run.traceHash);
    expect(doc.columns.counters).toHaveLength(run.trace.counters.length);
    expect(doc.events).toBe(run.trace.events);
  });

  it("names files after the scenario and kernel, safely", () => {
    expect(fileBaseName(run)).toMatch(/^zeropage-lab-img-src-x-onerror-alert-1-[a-z0-9-]*s390-fa41ba0d$/);
  });
});

describe("the compare view's delta table as CSV", () => {
  it("writes both sides, the differences and the per cent, with the labels and link as comments", () => {
    const csv = deltaCsv(
      {
        labels: ["s390-fa41ba0d · =cmd", "s390-06201e00"],
        rows: [
          {
            mm: "source",
            counter: "rssAnonBytes",
            label: "RssAnon",
            unit: "bytes",
            sense: "cost",
            final: [100, 60],
            peak: [100, 100],
            finalDiff: -40,
            peakDiff: 0,
            finalDiffBytes: -40,
            peakDiffBytes: 0,
            finalTone: "gain",
            peakTone: "neutral",
            finalPct: -40,
            peakPct: 0,
          },
          {
            mm: "destination",
            counter: "zeropagePtes",
            label: "zeropage PTEs",
            unit: "pages",
            sense: "saving",
            final: [null, 5],
            peak: [null, 5],
            finalDiff: 5,
            peakDiff: 5,
            finalDiffBytes: null,
            peakDiffBytes: null,
            finalTone: "gain",
            peakTone: "gain",
            finalPct: null,
            peakPct: null,
          },
        ],
      },
      "http://app.test/#v=1&compare=s390-06201e00",
    )
      .trimEnd()
      .split("\n");
    expect(csv[0]).toBe("# left: s390-fa41ba0d · =cmd");
    expect(csv[2]).toBe("# http://app.test/#v=1&compare=s390-06201e00");
    expect(csv[3]).toMatch(/^mm,counter,unit,left_final,right_final,final_diff,final_diff_bytes,final_pct,/);
    expect(csv[4]).toBe("source,rssAnonBytes,bytes,100,60,-40,-40,-40,100,100,0,0,0");
    expect(csv[5]).toBe("destination,zeropagePtes,pages,,5,5,,,,5,5,,");
  });
});
