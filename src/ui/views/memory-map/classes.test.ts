/** The views' decoding of the class byte must match what the worker writes (engine/snapshot.ts). */
import { describe, expect, it } from "vitest";
import * as engine from "../../../engine/snapshot.ts";
import {
  CLASS_ABSENT,
  CLASS_ANON_DATA,
  CLASS_ANON_ZERO,
  CLASS_HUGE,
  CLASS_KSM,
  CLASS_MIXED,
  CLASS_NONE,
  CLASS_ZERO,
  describeClass,
  isHuge,
  isMixed,
  SLOT_KEYS,
  slotOf,
  TILE_COUNT,
  tileOf,
} from "./classes.ts";

describe("class byte", () => {
  it("uses the engine's constants", () => {
    expect([CLASS_NONE, CLASS_ZERO, CLASS_ANON_ZERO, CLASS_ANON_DATA, CLASS_KSM]).toEqual([
      engine.CLASS_NONE,
      engine.CLASS_ZERO,
      engine.CLASS_ANON_ZERO,
      engine.CLASS_ANON_DATA,
      engine.CLASS_KSM,
    ]);
    expect([CLASS_MIXED, CLASS_HUGE, CLASS_ABSENT]).toEqual([
      engine.CLASS_MIXED,
      engine.CLASS_HUGE,
      engine.CLASS_ABSENT,
    ]);
    // One palette slot per engine class name, plus "no page table" first.
    expect(SLOT_KEYS.length).toBe(engine.CLASS_NAMES.length + 1);
  });

  it("maps every class byte to a slot and a tile", () => {
    expect(slotOf(CLASS_ABSENT)).toBe(0);
    expect(SLOT_KEYS[slotOf(CLASS_ZERO)]).toBe("zero");
    expect(SLOT_KEYS[slotOf(CLASS_ANON_DATA | CLASS_MIXED | CLASS_HUGE)]).toBe("anon-data");
    expect(tileOf(CLASS_ABSENT)).toBe(0);
    expect(tileOf(CLASS_KSM)).toBe(5 * 4);
    expect(tileOf(CLASS_ZERO | CLASS_MIXED)).toBe(2 * 4 + 1);
    expect(tileOf(CLASS_ZERO | CLASS_HUGE)).toBe(2 * 4 + 2);
    for (let b = 0; b < 0x20; b++) if ((b & 7) <= 4) expect(tileOf(b)).toBeLessThan(TILE_COUNT);
  });

  it("never reads flags into 'no page table'", () => {
    expect(isMixed(CLASS_ABSENT)).toBe(false);
    expect(isHuge(CLASS_ABSENT)).toBe(false);
    expect(describeClass(CLASS_ABSENT)).toBe("no page table");
    expect(describeClass(CLASS_ZERO | CLASS_MIXED)).toMatch(/^shared zeropage \(mixed/);
  });
});
