/**
 * npm run docs:rules: writes docs/rules.md from the rule registry (src/engine/rules.ts), the one
 * place every transition of the model is named. Per rule: its id and title, the kernel variants
 * under which it can fire, its call path as each variant's kernel tag names it (linked to Elixir),
 * the plain explanation, and the modelling choice where a fact is unconfirmed.
 *
 * "Can fire" is measured, not declared: the same fixed-seed random event sequences the rule tests
 * run (every rule must be reached by them) are run per variant here, and a rule lists the variants
 * where it fired. QEMU-side rules fire from scenarios, not kernel events: they list every variant.
 *
 * The file is generated, never edited by hand; tools/docs-rules.test.ts fails when it is stale.
 *   npm run docs:rules            write docs/rules.md
 *   npm run docs:rules -- --check exit 1 if docs/rules.md differs from what would be written
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import {
  allRules,
  applyEvent,
  type Frame,
  type Rule,
  VARIANT_IDS,
  VARIANTS,
  type VariantId,
  variantPath,
  World,
} from "../src/engine/index.ts";
import { setupArb } from "../src/engine/test-support/arbitraries.ts";
import "../src/scenario/compile.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const RULES_MD = path.join(ROOT, "docs", "rules.md");

/** Rule indices each variant reaches under the rule tests' exploration (rules.test.ts). */
function reached(variant: VariantId): Set<number> {
  const seen = new Set<number>();
  fc.assert(
    fc.property(setupArb(variant), ({ cfg, events }) => {
      const w = new World([cfg]);
      for (const e of events) {
        const r = applyEvent(w, e);
        for (const ef of r.rec.effects) seen.add(ef.rule);
        for (const s of r.rec.steps) seen.add(s);
      }
    }),
    { numRuns: 1000, seed: 20240411 },
  );
  return seen;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/** "v6.9.3" → 6009003, for picking the newest tag. */
function tagOrder(tag: string): number {
  const [a = 0, b = 0, c = 0] = tag.replace(/^v/, "").split(".").map(Number);
  return a * 1e6 + b * 1e3 + c;
}

function elixir(tag: string, ident: string, qemu: boolean): string {
  return qemu
    ? `https://elixir.bootlin.com/qemu/latest/A/ident/${ident}`
    : `https://elixir.bootlin.com/linux/${tag}/A/ident/${ident}`;
}

/** One frame as Markdown: a linked identifier where it names code, then its note. */
function frameMd(f: Frame, tag: string): string {
  const qemu = f.file?.startsWith("qemu:") ?? false;
  const id = IDENT.exec(f.fn)?.[0];
  const code = id && (f.file || id.includes("_") || f.fn.slice(id.length).startsWith("("));
  const text = code
    ? `[\`${id}\`](${elixir(f.tag ?? tag, id, qemu)})${f.fn.slice(id.length).replace(/[`|]/g, "")}`
    : f.fn.replace(/[`|]/g, "");
  if (!f.note) return text;
  // Emphasis as Biome's Markdown formatter writes it: underscores, or asterisks when the note
  // holds an underscore of its own (an identifier such as has_pgste).
  const note = f.note.replace(/[*|]/g, "");
  const mark = note.includes("_") ? "*" : "_";
  return `${text} ${mark}${note}${mark}`;
}

function pathMd(frames: readonly Frame[], tag: string): string {
  return frames.length === 0 ? "(no call path)" : frames.map((f) => frameMd(f, tag)).join(" → ");
}

function ruleMd(rule: Rule, variants: readonly VariantId[]): string {
  const out = [`### \`${rule.id}\``, "", `**${rule.title}**`, ""];
  const letters = variants.map((v) => `${VARIANTS[v].letter} (\`${v}\`)`);
  out.push(
    `Fires under: ${letters.length ? letters.join(", ") : "no kernel event (scenario actions only)"}.`,
    "",
  );
  // The path as each variant's tag names it: variants whose paths name the same functions share a
  // line, linked at the newest of their tags (the names exist at every tag of the line).
  const groups = new Map<string, VariantId[]>();
  for (const v of variants.length ? variants : VARIANT_IDS) {
    const key = JSON.stringify(variantPath(rule, v).map((f) => [f.fn, f.file ?? "", f.note ?? ""]));
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const line = (vs: readonly VariantId[]) => {
    const newest = vs.reduce((a, b) =>
      tagOrder(VARIANTS[b].sourceTag) > tagOrder(VARIANTS[a].sourceTag) ? b : a,
    );
    const who = vs.map((v) => `${VARIANTS[v].letter} (${VARIANTS[v].sourceTag})`).join(", ");
    return `${who}: ${pathMd(variantPath(rule, newest), VARIANTS[newest].sourceTag)}`;
  };
  if (groups.size === 1) out.push(`Call path, ${line([...groups.values()][0]!)}`, "");
  else out.push("Call paths:", "", ...[...groups.values()].map((vs) => `- ${line(vs)}`), "");
  out.push(rule.explain, "");
  if (rule.assumption) out.push(`> **Modelling choice:** ${rule.assumption}`, "");
  return out.join("\n");
}

/** The whole document, deterministic for a given registry and exploration. */
export function rulesMarkdown(): string {
  const reach = new Map(VARIANT_IDS.map((v) => [v, reached(v)]));
  const rules = allRules()
    .filter((r) => r.id !== "unchanged")
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const head = [
    "# The model's rules",
    "",
    "Generated by `npm run docs:rules` from the rule registry (`src/engine/rules.ts` and the rooms that",
    "declare rules); do not edit by hand. Every transition the engine makes is one of these rules. Each",
    "names the kernel (or QEMU) functions it models, linked to Elixir at the tag the variant reads, and",
    "says in plain words what happens. A modelling choice marks a fact the sources did not settle.",
    "",
    "Variants: " +
      VARIANT_IDS.map((v) => `${VARIANTS[v].letter} = \`${v}\` (${VARIANTS[v].sourceTag})`).join(", ") +
      '. "Fires under" lists the variants where the rule fired in the rule tests\' fixed-seed random',
    "event sequences; rules of QEMU's side fire from scenario actions and list no kernel event.",
    "",
    `${rules.length} rules.`,
    "",
  ];
  const body = rules.map((r) => {
    const vs = VARIANT_IDS.filter((v) => reach.get(v)!.has(r.index));
    return ruleMd(r, vs);
  });
  return `${[...head, ...body].join("\n").trimEnd()}\n`;
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const text = rulesMarkdown();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(RULES_MD, "utf8");
    } catch {}
    if (current !== text) {
      console.error("docs/rules.md is stale: run npm run docs:rules");
      process.exit(1);
    }
    console.log("docs/rules.md is up to date");
  } else {
    writeFileSync(RULES_MD, text);
    console.log(`wrote ${path.relative(process.cwd(), RULES_MD)} (${allRules().length - 1} rules)`);
  }
}
