/**
 * ksmd on a host: QEMU marks guest RAM MADV_MERGEABLE when -machine mem-merge is on (the default),
 * and ksmd merges what it can when /sys/kernel/mm/ksm/run = 1 (engine/ksm.ts has the rules).
 */
import type { Machine } from "./machine.ts";

export function markMergeable(m: Machine, mm: number): void {
  if (!m.cfg.qemu.memMerge) return;
  m.apply(
    { kind: "madvise", mm, advice: "mergeable", ranges: [0, m.pages] },
    "qemu: ram_block_add → qemu_ram_setup_dump / memory_try_enable_merging → qemu_madvise(QEMU_MADV_MERGEABLE)",
  );
}

export function ksmMerge(m: Machine, mm: number): void {
  m.apply({ kind: "ksm_scan", mm }, "ksmd: ksm_scan_thread → ksm_do_scan (two full scans)");
}
