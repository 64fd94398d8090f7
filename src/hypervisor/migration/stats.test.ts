/**
 * The migration counters carry query-migrate's field names (stats.ts): QMP still prints the zero
 * page count as `duplicate` (QEMU's internal counter is mig_stats.zero_pages), and the request
 * counter as `postcopy-requests`.
 */
import { expect, test } from "vitest";
import { EXTRA_KEYS } from "../machine.ts";
import { testMachine } from "../test-support/machine.ts";
import { countRequest, countSent, QUERY_MIGRATE_FIELDS } from "./stats.ts";

test("each migration counter maps to its query-migrate field", () => {
  expect(QUERY_MIGRATE_FIELDS).toEqual({
    migDuplicate: "duplicate",
    migNormal: "normal",
    migTransferredBytes: "transferred",
    migRequests: "postcopy-requests",
  });
  for (const key of Object.keys(QUERY_MIGRATE_FIELDS)) expect(EXTRA_KEYS).toContain(key);
});

test("countSent and countRequest add to those counters", () => {
  const m = testMachine({ kernel: "s390-06201e00" });
  countSent(m, 3, 2);
  countRequest(m);
  countRequest(m);
  expect(m.extra("migDuplicate")).toBe(3);
  expect(m.extra("migNormal")).toBe(2);
  // 3 × (8 + 1) + 2 × (8 + 4,096)
  expect(m.extra("migTransferredBytes")).toBe(27 + 8208);
  expect(m.extra("migRequests")).toBe(2);
});
