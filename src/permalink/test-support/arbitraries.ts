/**
 * fast-check generators for link tests: valid scenarios (every field of the scenario schema, in
 * both the "40GiB" and the byte-count spelling), valid link states, and hostile text. Tests only.
 *
 * "Valid" means parseScenario() accepts it; compile-time checks (checkScenario) are not needed for
 * a link to round-trip, so the action lists are free-form.
 */
import fc from "fast-check";
import { KiB, PAGE_SIZE } from "../../base/units.ts";
import { VARIANT_IDS, VARIANTS, type VariantId } from "../../engine/variants.ts";
import { PRESETS } from "../../scenario/presets/index.ts";
import type { ScenarioInput } from "../../scenario/schema.ts";
import { makeSpec, type SweepSpec } from "../../sweep/spec.ts";
import { formatZoom } from "../encode.ts";
import { GRANULARITY_IDS, LINK_SECTIONS, LINK_VERSION, type LinkState, type ScenarioRef } from "../schema.ts";

/** Text that would run script if it were ever rendered as HTML or followed as a URL. */
export const HOSTILE_TEXTS = [
  `<img src=x onerror="window.__pwned=1">`,
  "javascript:window.__pwned=1",
  `"><script>window.__pwned=1</script>`,
  "</textarea><svg onload=window.__pwned=1>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, as data
  "${window.__pwned=1}",
  "\u202e\u0000\ud83d\ude00 __proto__ constructor",
];

const text = (max: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: Math.min(max, 80) }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: Math.min(max, 40) }) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_TEXTS) },
  );

/** A size of whole pages, up to `maxPages`, spelled as bytes or with a unit. */
export function sizeArb(maxPages: number): fc.Arbitrary<string | number> {
  return fc.integer({ min: 0, max: maxPages }).chain((pages) => {
    const bytes = pages * PAGE_SIZE;
    const spellings: fc.Arbitrary<string | number>[] = [
      fc.constant(bytes),
      fc.constant(String(bytes)),
      fc.constant(`${pages} pages`),
      fc.constant(`${bytes / KiB}KiB`),
    ];
    if (bytes % (KiB * KiB) === 0) spellings.push(fc.constant(`${bytes / KiB / KiB} MiB`));
    if (bytes % (KiB * KiB * KiB) === 0) spellings.push(fc.constant(`${bytes / KiB / KiB / KiB}GiB`));
    return fc.oneof(...spellings);
  });
}

const version = fc
  .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 30 }))
  .map(([a, b]) => `${a}.${b}`);
const side = fc.constantFrom("source", "destination");
const content = fc.constantFrom("data", "zero");
const mode = fc.constantFrom("precopy", "postcopy");

function regionArb(maxPages: number) {
  return { start: sizeArb(maxPages), size: sizeArb(maxPages) };
}

export function actionArb(maxPages: number): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    fc.record(
      { do: fc.constant("guest-touch"), size: sizeArb(maxPages), content },
      { requiredKeys: ["do", "size"] },
    ),
    fc.record({ do: fc.constant("guest-read"), ...regionArb(maxPages) }, { requiredKeys: ["do"] }),
    fc.record({ do: fc.constant("guest-write"), ...regionArb(maxPages), content }, { requiredKeys: ["do"] }),
    fc.record({ do: fc.constant("guest-skeys") }),
    fc.record({ do: fc.constant("guest-pv") }),
    fc.record({ do: fc.constant("balloon-inflate"), size: sizeArb(maxPages) }),
    fc.record({ do: fc.constant("balloon-deflate"), size: sizeArb(maxPages) }),
    fc.record({ do: fc.constant("ksm-merge"), on: side }, { requiredKeys: ["do"] }),
    fc.record(
      { do: fc.constant("madvise-dontneed"), on: side, ...regionArb(maxPages) },
      { requiredKeys: ["do"] },
    ),
    fc.record(
      {
        do: fc.constant("migrate"),
        mode,
        dirty: sizeArb(maxPages),
        pagemapCheck: fc.boolean(),
        precopyBeforeSwitch: sizeArb(maxPages),
      },
      { requiredKeys: ["do"] },
    ),
    fc.record(
      { do: fc.constant("migrate-start"), mode, pagemapCheck: fc.boolean() },
      { requiredKeys: ["do"] },
    ),
    fc.record({ do: fc.constant("migrate-transfer"), size: sizeArb(maxPages) }, { requiredKeys: ["do"] }),
    fc.record({ do: fc.constant("migrate-switchover") }),
    fc.record({ do: fc.constant("migrate-complete") }),
  ) as fc.Arbitrary<Record<string, unknown>>;
}

const host = fc.record(
  { memLimit: fc.oneof(fc.constant("unlimited"), sizeArb(1 << 20)) },
  { requiredKeys: [] },
);

function machineArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc.constantFrom(...VARIANT_IDS).chain((kernel: VariantId) =>
    fc.record(
      {
        arch: fc.constant(VARIANTS[kernel].arch),
        kernel: fc.constant(kernel),
        kernelVersion: version,
        guestRam: fc.oneof(
          sizeArb(1 << 20).filter((s) => s !== 0 && s !== "0" && !/^0\D/.test(String(s))),
          fc.constant("100GiB"),
        ),
        hosts: fc.record({ source: host, destination: host }, { requiredKeys: [] }),
        thp: fc.constantFrom("always", "madvise", "never"),
        ksm: fc.record({ enabled: fc.boolean(), useZeroPages: fc.boolean() }, { requiredKeys: [] }),
        qemu: fc.record(
          {
            version,
            multifd: fc.boolean(),
            zeroPageDetection: fc.constantFrom("legacy", "multifd", "none"),
            postcopyRam: fc.boolean(),
            memMerge: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ["kernel", "guestRam"] },
    ),
  );
}

/** Any scenario the schema accepts (as scenario JSON, sizes as written). */
export function scenarioArb(maxActions = 12): fc.Arbitrary<ScenarioInput> {
  return fc.record(
    {
      schemaVersion: fc.constant(1),
      title: text(200),
      description: text(4000),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      machine: machineArb(),
      actions: fc.array(actionArb(1 << 20), { maxLength: maxActions }),
    },
    { requiredKeys: ["schemaVersion", "machine", "actions"] },
  ) as unknown as fc.Arbitrary<ScenarioInput>;
}

/** A scenario close to a preset: the preset with a few fields changed (the "overrides" case). */
export function editedPresetArb(): fc.Arbitrary<ScenarioInput> {
  return fc
    .tuple(
      fc.constantFrom(...PRESETS),
      fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
      fc.option(text(200)),
      fc.option(fc.array(actionArb(1 << 16), { maxLength: 3 })),
    )
    .map(([p, seed, title, extra]) => {
      const s = JSON.parse(JSON.stringify(p.scenario)) as Record<string, unknown>;
      if (seed !== null) s.seed = seed;
      if (title !== null) s.title = title;
      if (extra !== null) s.actions = [...(s.actions as unknown[]), ...extra];
      return s as unknown as ScenarioInput;
    });
}

const scenarioRefArb: fc.Arbitrary<ScenarioRef> = fc.oneof(
  fc.constantFrom(...PRESETS).map((p): ScenarioRef => ({ kind: "preset", id: p.id })),
  fc
    .tuple(fc.constantFrom(...PRESETS), fc.integer({ min: 0, max: 2 ** 31 - 1 }), text(200))
    .map(([p, seed, title]): ScenarioRef => ({ kind: "preset", id: p.id, overrides: { seed, title } })),
  scenarioArb().map((scenario): ScenarioRef => ({ kind: "custom", scenario })),
);

const zoomArb = fc
  .oneof(fc.integer({ min: 1, max: 65536 }), fc.double({ min: 0.001, max: 65536, noNaN: true }))
  .map((z) => Number(formatZoom(z) ?? "1"));

/** Origins as MessageEvent.origin spells them (schema.ts isOrigin): the embed's `origin` list. */
export const originArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("http", "https"),
    fc.oneof(
      fc.domain(),
      fc.ipV4().map((ip) => ip),
      fc.constant("[::1]"),
    ),
    fc.option(fc.integer({ min: 1, max: 65535 })),
  )
  .map(([scheme, host, port]) =>
    port === null || (scheme === "http" && port === 80) || (scheme === "https" && port === 443)
      ? `${scheme}://${host.toLowerCase()}`
      : `${scheme}://${host.toLowerCase()}:${port}`,
  );

const hashChars = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

/** Any state a link can carry. */
export function linkStateArb(): fc.Arbitrary<LinkState> {
  return (
    fc
      .record({
        v: fc.constant(LINK_VERSION),
        scenario: scenarioRefArb,
        kernel: fc.option(fc.constantFrom(...VARIANT_IDS)),
        granularity: fc.constantFrom(...GRANULARITY_IDS),
        step: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        selection: fc.option(
          fc.record(
            {
              mm: fc.integer({ min: 0, max: 1 }),
              table: fc.integer({ min: 0, max: 2 ** 32 }),
              page: fc.integer({ min: 0, max: 2 ** 40 }),
            },
            { requiredKeys: ["mm", "table"] },
          ),
        ),
        zoom: fc.option(zoomArb),
        viewStart: fc.option(fc.integer({ min: 0, max: 2 ** 40 })),
        section: fc.option(fc.constantFrom(...LINK_SECTIONS)),
        balloonHighlight: fc.boolean(),
        compare: fc.option(fc.constantFrom(...VARIANT_IDS)),
        compareScenario: fc.option(scenarioRefArb),
        compareStep: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        compareCheck: fc.option(fc.stringMatching(/^[0-9a-f]{12}$/)),
        embed: fc.option(
          fc.record(
            {
              hideEditor: fc.boolean(),
              autoplay: fc.boolean(),
              origins: fc.uniqueArray(originArb, { minLength: 1, maxLength: 3 }),
            },
            { requiredKeys: ["hideEditor", "autoplay"] },
          ),
        ),
        check: fc.option(
          fc.record({
            engine: fc.integer({ min: 0, max: 1000 }),
            end: fc.stringMatching(/^[0-9a-f]{12}$/),
            actions: fc
              .array(fc.string({ unit: hashChars, minLength: 4, maxLength: 4 }), { maxLength: 20 })
              .map((a) => a.join("")),
          }),
        ),
      })
      // The right run's hash (ch) rides with the left's self-check, whose engine version it uses.
      .map((st) => (st.check ? st : { ...st, compareCheck: null }))
      // The additive seed and sweep are absent keys when a link has none.
      .chain((st) =>
        fc
          .record(
            { seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), sweep: sweepSpecArb },
            { requiredKeys: [] },
          )
          .map((extra): LinkState => ({ ...st, ...extra })),
      )
  );
}

/** A sweep as a link spells it (src/sweep/spec.ts). */
const sweepSpecArb: fc.Arbitrary<SweepSpec> = fc
  .tuple(
    fc.constantFrom("balloon", "written", "guestRam", "migration", "zeroPageDetection"),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 2, max: 51 }),
    fc.uniqueArray(fc.constantFrom(...VARIANT_IDS), { minLength: 1, maxLength: 6 }),
  )
  .map(([param, a, b, points, kernels]) => {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const r =
      param === "migration"
        ? makeSpec({ param, values: ["postcopy", "precopy"].slice(0, 1 + (a % 2)), kernels })
        : param === "zeroPageDetection"
          ? makeSpec({ param, kernels })
          : param === "guestRam"
            ? makeSpec({ param, from: `${lo + 1}GiB`, to: `${hi + 1}GiB`, points, kernels })
            : makeSpec({ param, from: `${lo}%`, to: `${hi}%`, points, kernels });
    if (!r.ok) throw new Error(r.error);
    return r.spec;
  });
