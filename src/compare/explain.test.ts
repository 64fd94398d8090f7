/** The sentence builders (explain.ts). */
import { expect, test } from "vitest";
import { ruleById } from "../engine/index.ts";
import { decisionBetween, verbs } from "./explain.ts";

test("verbs: the event's name is said once", () => {
  expect(verbs("read fault maps the shared zeropage", "read fault allocates a page", "read fault")).toEqual([
    "maps the shared zeropage",
    "allocates a page",
  ]);
  expect(verbs("A: zaps", "s390 unshares", "first storage-key instruction")).toBeNull();
});

test("decisionBetween finds mm_forbids_zeropage() answering differently", () => {
  const a = ruleById("do_anonymous_page.forbidden")!;
  const b = ruleById("do_anonymous_page.zeropage")!;
  expect(decisionBetween(a.path, b.path)).toEqual({
    fn: "mm_forbids_zeropage",
    how: "answer",
    left: "= true",
    right: "= false",
  });
});

test("decisionBetween finds a check only one path makes", () => {
  const a = ruleById("mfill_atomic_pte_zeropage")!;
  const b = ruleById("mfill_atomic_pte_zeroed_folio") ?? ruleById("mfill_atomic_pte_zeropage.forbidden");
  if (!b) return;
  const d = decisionBetween(a.path, b.path);
  expect(d?.fn).toBeTruthy();
});
