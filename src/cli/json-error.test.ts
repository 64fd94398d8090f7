import { describe, expect, test } from "vitest";
import { jsonErrorOffset, lineColumn } from "./json-error.ts";

describe("jsonErrorOffset agrees with JSON.parse and points at the first bad character", () => {
  test.each([
    '{"a": [1, 2.5e3, -0, true, false, null, "x\\n\\u00e9"]}',
    "  [ ]  ",
    '""',
    '{"nested": {"deep": [[{}]]}}',
  ])("valid: %s", (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(jsonErrorOffset(text)).toBe(-1);
  });

  test.each<[string, number]>([
    ["", 0],
    ["[1, ]", 4],
    ['{"a" 1}', 5],
    ['{"a": 01}', 7],
    ['"\\x"', 2],
    ['"\\u12G4"', 3],
    ["[1] [2]", 4],
    ["{'a': 1}", 1],
    ["tru", 3],
    ["[1, 2", 5],
    ['"tab\there"', 4],
  ])("invalid: %j at %i", (text, offset) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorOffset(text)).toBe(offset);
  });
});

test("lineColumn counts from 1", () => {
  expect(lineColumn("ab\ncd", 0)).toBe("line 1, column 1");
  expect(lineColumn("ab\ncd", 4)).toBe("line 2, column 2");
});
