/**
 * docs/rules.md is generated from the rule registry (tools/docs-rules.ts): it must be what the
 * generator writes now, so a rule added, renamed or reworded without `npm run docs:rules` fails.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { allRules } from "../src/engine/index.ts";
import { RULES_MD, rulesMarkdown } from "./docs-rules.ts";

test("docs/rules.md is up to date (run npm run docs:rules)", () => {
  const now = rulesMarkdown();
  expect(readFileSync(RULES_MD, "utf8"), "docs/rules.md is stale: run npm run docs:rules").toBe(now);
  // Every rule is in it, with its call path linked at a kernel tag.
  for (const r of allRules()) if (r.id !== "unchanged") expect(now).toContain(`### \`${r.id}\``);
  expect(now).toContain("](https://elixir.bootlin.com/linux/v6.10/A/ident/__s390_unshare_zeropages)");
}, 60_000);
