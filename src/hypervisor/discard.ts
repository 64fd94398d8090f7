/**
 * QEMU's ram_block_discard_range() (system/physmem.c), which the balloon, free page reporting and
 * the postcopy destination's discards all go through. What it asks of the kernel depends on the
 * RAM block: anonymous private RAM (memory-backend-ram, the default) gets madvise(MADV_DONTNEED);
 * RAM with an fd (memory-backend-memfd, share=on) first gets
 * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) on the fd, which frees the pages, and then
 * the same MADV_DONTNEED (need_fallocate, then need_madvise: the host page size is 4 KiB here).
 */
import type { Ranges } from "../engine/index.ts";
import type { Machine } from "./machine.ts";

/**
 * Discards `ranges` of guest RAM on mm `mm` as QEMU does, one madvise() call per `callPages` pages
 * (the balloon's 4 KiB, free page reporting's block) or one call for the whole range. `cause` is
 * the call path down to ram_block_discard_range(), `calls` how it calls the kernel ("one 4 KiB page
 * per call").
 */
export function discardRange(
  m: Machine,
  mm: number,
  ranges: Ranges,
  cause: string,
  calls: string,
  callPages?: number,
): void {
  if (m.cfg.qemu.memoryBackend === "memfd") {
    m.apply(
      { kind: "punch_hole", mm, ranges },
      `${cause} → fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) on the memfd${calls}`,
    );
  }
  m.apply(
    callPages === undefined
      ? { kind: "madvise", mm, advice: "dontneed", ranges }
      : { kind: "madvise", mm, advice: "dontneed", ranges, callPages },
    `${cause} → madvise(MADV_DONTNEED)${calls}`,
  );
}
