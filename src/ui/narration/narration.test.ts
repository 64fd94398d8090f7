/** Narration text builders and source links, on the commit story and the teaching preset. */
import { beforeAll, describe, expect, it } from "vitest";
import { GiB } from "../../base/units.ts";
import { ERRNOS } from "../../engine/index.ts";
import { PRESETS } from "../../scenario/presets/index.ts";
import type { RunInfo } from "../../worker/api.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import {
  causeParts,
  codeIdent,
  framePart,
  kernelIdentUrl,
  pathText,
  qemuIdentUrl,
  qemuTag,
} from "./source-links.ts";
import {
  actionSentence,
  actionSummary,
  formatDelta,
  stepPages,
  stepPagesText,
  stepSentence,
} from "./summarize.ts";

const V = { kernelTag: "v6.10", qemuVersion: "9.2" };

async function load(host: EngineHost, id: string, kernel: string): Promise<RunInfo> {
  const r = await host.load({
    scenario: PRESETS.find((p) => p.id === id)!.scenario,
    kernel: kernel as never,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

describe("source links", () => {
  it("point kernel functions at Elixir at the variant's tag", () => {
    expect(kernelIdentUrl("v6.10", "do_anonymous_page")).toBe(
      "https://elixir.bootlin.com/linux/v6.10/A/ident/do_anonymous_page",
    );
    const p = framePart({ fn: "mm_forbids_zeropage", file: "mm/memory.c", note: "= true" }, V);
    expect(p.href).toBe("https://elixir.bootlin.com/linux/v6.10/A/ident/mm_forbids_zeropage");
    expect(p.note).toBe("= true");
  });

  it("point qemu: frames and QEMU cause strings at QEMU's tree with a full version tag", () => {
    expect(qemuTag("9.2")).toBe("v9.2.0");
    expect(qemuTag("8.2.1")).toBe("v8.2.1");
    expect(qemuIdentUrl("9.2", "ram_save_iterate")).toBe(
      "https://elixir.bootlin.com/qemu/v9.2.0/A/ident/ram_save_iterate",
    );
    expect(framePart({ fn: "ram_handle_zero", file: "qemu:migration/ram.c" }, V).href).toBe(
      "https://elixir.bootlin.com/qemu/v9.2.0/A/ident/ram_handle_zero",
    );
    const c = causeParts(
      "qemu: virtio_balloon_handle_output → ram_block_discard_range → madvise(MADV_DONTNEED), one 4 KiB page per call",
      V,
    );
    expect(c.who).toBe("qemu");
    expect(c.parts.map((x) => x.ident)).toEqual([
      "virtio_balloon_handle_output",
      "ram_block_discard_range",
      null,
    ]);
    expect(c.parts[0]!.href).toContain("/qemu/v9.2.0/A/ident/virtio_balloon_handle_output");
  });

  it("link only what reads as code", () => {
    expect(codeIdent("is_zero_pfn()")).toBe("is_zero_pfn");
    expect(codeIdent("vm_normal_page() = NULL")).toBe("vm_normal_page");
    expect(codeIdent("checksum unchanged since last scan")).toBeNull();
    expect(codeIdent("mm->context.has_pgste = 1")).toBeNull();
    expect(framePart({ fn: "checksum unchanged since last scan" }, V).href).toBeNull();
    const c = causeParts("qemu (destination): ram_load_precopy → every page starts dirty (bulk stage)", V);
    expect(c.who).toBe("qemu (destination)");
    expect(c.parts[1]!.href).toBeNull();
  });

  it("never link guest call paths", () => {
    const c = causeParts("guest: virtio_balloon driver allocates the pages", V);
    expect(c.who).toBe("guest");
    expect(c.parts.every((p) => p.href === null)).toBe(true);
    expect(pathText(c.parts)).toBe("virtio_balloon driver allocates the pages");
  });
});

describe("narration of the commit story", () => {
  const host = new EngineHost("main");
  let b: RunInfo;
  let c: RunInfo;
  beforeAll(async () => {
    b = await load(host, "commit-06201e00", "s390-fa41ba0d");
    c = await load(host, "commit-06201e00", "s390-06201e00");
  });

  it("sums the migration's effects by rule under fa41ba0d", () => {
    const s = actionSummary(b, 3);
    const src = s.effects.filter((x) => x.mm === 0);
    const forbidden = b.rules.findIndex((r) => r.id === "do_anonymous_page.forbidden");
    expect(src.find((x) => x.rule === forbidden)?.count).toBe(10_485_760);
    const rss = s.deltas.find((d) => d.mm === 0 && d.key === "rssAnonBytes")!;
    expect(rss.after - rss.before).toBe(40 * GiB);
    expect(formatDelta(rss)).toBe("+40 GiB");
    const sentence = actionSentence(b, s);
    expect(sentence).toContain("Action 4 of 4: precopy migration.");
    expect(sentence).toContain(
      "read fault allocates a zeroed anonymous page (zeropage forbidden) (10,485,760 pages)",
    );
    expect(sentence).toContain("Source RssAnon +40 GiB");
    expect(sentence).toContain("destination RssAnon +100 GiB");
  });

  it("says the same reads map the shared zeropage under 06201e00", () => {
    const s = actionSummary(c, 3);
    const sentence = actionSentence(c, s);
    expect(sentence).toContain("read fault maps the shared zeropage (10,485,760 pages)");
    expect(s.deltas.some((d) => d.mm === 0 && d.key === "rssAnonBytes")).toBe(false);
    expect(s.extras.find((x) => x.key === "migDuplicate")!.after).toBeGreaterThan(0);
  });

  it("says the balloon inflate frees 40 GiB with MADV_DONTNEED", () => {
    const s = actionSummary(b, 2);
    expect(s.groups.some((g) => g.label === "MADV_DONTNEED" && g.pages === 10_485_760)).toBe(true);
    expect(actionSentence(b, s)).toContain("Source RssAnon −40 GiB");
    expect(s.causes.some((x) => x.includes("virtio_balloon_handle_output"))).toBe(true);
  });

  it("describes a single PTE step: which page, from → to, and the rule", async () => {
    const v = await host.view({ runId: c.runId, granularity: "pte", position: 100_000_000, selection: null });
    const p = stepPages(c, v)!;
    expect(p.count).toBe(1);
    expect(stepPagesText(p)).toMatch(/^guest page [\d,]+ \(page table [\d,]+, PTE \d+\)$/);
    expect(stepSentence(c, v)).toContain("none → zeropage: read fault maps the shared zeropage.");
  });

  it("describes a page-table step as a range with counts", async () => {
    const v = await host.view({ runId: b.runId, granularity: "table", position: 1000, selection: null });
    const p = stepPages(b, v)!;
    expect(p.count).toBe(256);
    expect(stepPagesText(p)).toMatch(/^page table [\d,]+: guest pages [\d,]+–[\d,]+ \(256 PTEs\)$/);
    expect(stepSentence(b, v)).toContain("(256 PTEs)");
  });
});

describe("trace constants mirrored in the UI", () => {
  it("errno names follow engine/trace.ts", async () => {
    // summarize.ts keeps its own copy because the UI may not import engine values.
    const src = await import("node:fs").then((fs) =>
      fs.readFileSync(new URL("./summarize.ts", import.meta.url), "utf8"),
    );
    const m = /const ERRNO_NAMES = (\[.*\]);/.exec(src)!;
    expect(JSON.parse(m[1]!)).toEqual([...ERRNOS]);
  });
});
