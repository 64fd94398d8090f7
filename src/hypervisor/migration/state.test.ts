/**
 * QEMU's version-dependent choices (state.ts): what the
 * destination does with a zero page it has not received before, and the defaults.
 */
import { describe, expect, test } from "vitest";
import type { QemuConfig } from "../machine.ts";
import {
  allowsMultifdWithPostcopy,
  defaultZeroPageDetection,
  sourceZeroCheckCause,
  supportsZeroPageDetection,
  zeroPageHandling,
} from "./state.ts";

const q = (o: Partial<QemuConfig>): QemuConfig => ({
  version: "9.2",
  multifd: false,
  zeroPageDetection: "multifd",
  postcopyRam: false,
  memMerge: true,
  ...o,
});

describe("zeroPageHandling", () => {
  test.each<[string, Partial<QemuConfig>, string]>([
    // No multifd: the main thread's save_zero_page() → RAM_SAVE_FLAG_ZERO → ram_handle_zero().
    ["no multifd, detection multifd (the 9.x default)", {}, "read"],
    ["no multifd, QEMU 8.2", { version: "8.2", zeroPageDetection: "legacy" }, "read"],
    ["multifd, detection legacy", { multifd: true, zeroPageDetection: "legacy" }, "read"],
    // QEMU 9.0's multifd receiver ran buffer_is_zero() on every zero page.
    ["multifd, detection multifd, QEMU 9.0", { version: "9.0", multifd: true }, "read"],
    // 5ef7e26bdb (9.1): a zero page not yet received only sets the receive bit.
    ["multifd, detection multifd, QEMU 9.1", { version: "9.1", multifd: true }, "mark-only"],
    ["multifd, detection multifd, QEMU 10.0", { version: "10.0", multifd: true }, "mark-only"],
    // 249543d0c02d (10.1): with postcopy-ram, every zero page is written (memset).
    ["multifd, QEMU 10.1, postcopy-ram", { version: "10.1", multifd: true, postcopyRam: true }, "write"],
    ["multifd, QEMU 10.1, no postcopy-ram", { version: "10.1", multifd: true }, "mark-only"],
    ["multifd, QEMU 10.0, postcopy-ram", { version: "10.0", multifd: true, postcopyRam: true }, "mark-only"],
    // zero-page-detection=none: no zero pages at all, everything goes as a normal page.
    ["detection none", { zeroPageDetection: "none" }, "no-zero-pages"],
    ["detection none with multifd", { zeroPageDetection: "none", multifd: true }, "no-zero-pages"],
  ])("%s → %s", (_name, config, handling) => {
    expect(zeroPageHandling(q(config))).toBe(handling);
  });
});

test("zero-page-detection: from QEMU 9.0, default multifd; legacy before", () => {
  expect(defaultZeroPageDetection("8.2")).toBe("legacy");
  expect(defaultZeroPageDetection("9.0")).toBe("multifd");
  expect(defaultZeroPageDetection("10.1")).toBe("multifd");
  expect(supportsZeroPageDetection("8.2")).toBe(false);
  expect(supportsZeroPageDetection("9.0")).toBe(true);
});

test("the source's zero check names QEMU's call path", () => {
  expect(sourceZeroCheckCause(q({}))).toMatch(/save_zero_page → buffer_is_zero/);
  expect(sourceZeroCheckCause(q({ multifd: true }))).toMatch(/multifd_send_zero_page_detect/);
  expect(sourceZeroCheckCause(q({ multifd: true, zeroPageDetection: "legacy" }))).toMatch(
    /save_zero_page → buffer_is_zero \(migration thread; non-zero pages go to the multifd senders/,
  );
  // QEMU 8.2 multifd had no sender-side zero check: the migration thread's save_zero_page.
  expect(sourceZeroCheckCause(q({ version: "8.2", multifd: true }))).toMatch(
    /^qemu: ram_save_iterate .* save_zero_page/,
  );
  expect(sourceZeroCheckCause(q({ zeroPageDetection: "none" }))).toMatch(/zero-page-detection=none/);
});

test("multifd with postcopy-ram: refused until QEMU 10.1 (e27418861288 dropped the check)", () => {
  expect(allowsMultifdWithPostcopy("8.2")).toBe(false);
  expect(allowsMultifdWithPostcopy("9.2")).toBe(false);
  expect(allowsMultifdWithPostcopy("10.0")).toBe(false);
  expect(allowsMultifdWithPostcopy("10.1")).toBe(true);
  expect(allowsMultifdWithPostcopy("11.0")).toBe(true);
});
