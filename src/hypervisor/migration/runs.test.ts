import { expect, test } from "vitest";
import { complementWithin, intersectRuns, pagesIn, truncateRuns } from "./runs.ts";

test("intersectRuns", () => {
  expect(intersectRuns([0, 10, 20, 10], [5, 20])).toEqual([5, 5, 20, 5]);
  expect(intersectRuns([0, 10], [10, 5])).toEqual([]);
  expect(intersectRuns([0, 100], [10, 5, 50, 5])).toEqual([10, 5, 50, 5]);
});

test("complementWithin", () => {
  expect(complementWithin([0, 10, 20, 10], [5, 2, 20, 10])).toEqual([0, 5, 7, 3]);
  expect(complementWithin([0, 10], [])).toEqual([0, 10]);
});

test("pagesIn and truncateRuns", () => {
  expect(pagesIn([0, 10, 20, 5])).toBe(15);
  expect(truncateRuns([0, 10, 20, 5], 12)).toEqual([0, 10, 20, 2]);
  expect(truncateRuns([0, 10], 0)).toEqual([]);
});
