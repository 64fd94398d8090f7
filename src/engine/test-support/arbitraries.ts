/**
 * fast-check generators for the property tests: small guests (1–4 page tables, odd offsets, some
 * crossing an upper-level table boundary), host settings, and random kernel event sequences that
 * reach every room, including invalid ranges and tight memory limits. Tests only.
 */
import fc from "fast-check";
import { PAGE_SIZE } from "../../base/units.ts";
import type { KernelEvent } from "../events.ts";
import { geometryOf } from "../geometry.ts";
import { type HostConfig, type MmConfig, VmFlag } from "../mm.ts";
import { VARIANTS, type VariantId } from "../variants.ts";

export interface Setup {
  readonly cfg: MmConfig;
  readonly events: KernelEvent[];
}
export function configArb(variant: VariantId): fc.Arbitrary<MmConfig> {
  const g = geometryOf(VARIANTS[variant].arch);
  const ptes = g.ptesPerTable;
  const top = g.upper[g.upper.length - 1]!;
  const x86 = g.arch === "x86_64";
  return fc
    .record({
      tables: fc.integer({ min: 1, max: 4 }),
      head: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: ptes - 1 })),
      tail: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: ptes - 1 })),
      // 0: guest RAM starts on an upper-level boundary; 1–2: it crosses one after 1 or 2 tables.
      cross: fc.integer({ min: 0, max: 2 }),
      limitPages: fc.option(fc.integer({ min: 0, max: 4 * ptes + 16 }), { freq: 2 }),
      ksmRun: fc.constantFrom(true, true, true, false),
      ksmUseZeroPages: fc.boolean(),
      thp: x86 ? fc.constantFrom("never", "madvise", "always") : fc.constant("never"),
      // x86_64 across the generic changes the model follows (KERNEL_FEATURES: unshare faults 5.19,
      // break_ksm unsharing 6.2, KSM zeropage tracking 6.6) and the THP/PT-reclaim ones; s390 at
      // the variant's own kernel.
      kernelVersion: x86
        ? fc.constantFrom("5.15", "6.1", "6.5", "6.8", "6.11", "6.12", "6.13", "6.14", "6.18")
        : fc.constant(VARIANTS[variant].sourceTag.replace(/^v/, "")),
      vmaFlags: fc.constantFrom(
        VmFlag.WRITE | VmFlag.COW,
        VmFlag.WRITE | VmFlag.COW,
        VmFlag.WRITE | VmFlag.COW,
        VmFlag.WRITE | VmFlag.COW | VmFlag.MERGEABLE,
        VmFlag.WRITE | VmFlag.COW | VmFlag.HUGEPAGE,
        // QEMU's guest RAM: MADV_DONTFORK (a fork copies none of it).
        VmFlag.WRITE | VmFlag.COW | VmFlag.DONTCOPY,
        VmFlag.COW,
        VmFlag.WRITE,
        // A memfd mapped shared (QEMU memory-backend-memfd, share=on).
        VmFlag.WRITE | VmFlag.SHMEM,
        VmFlag.WRITE | VmFlag.SHMEM,
      ),
      // The host's zeropage policy (x86_64): mostly upstream, sometimes any mix of paths.
      zeropage: x86
        ? fc.option(
            fc.record({
              readFault: fc.boolean(),
              hugeZeroPage: fc.boolean(),
              uffdZeropage: fc.boolean(),
              ksm: fc.boolean(),
            }),
            { freq: 2 },
          )
        : fc.constant(null),
    })
    .map((r): MmConfig => {
      const pages = Math.max(1, r.tables * ptes - r.head - r.tail);
      const host: HostConfig = {
        name: "host",
        // A limit in pages plus the page tables a small guest can need (upper levels included).
        memLimitBytes: r.limitPages === null ? Number.POSITIVE_INFINITY : r.limitPages * PAGE_SIZE + 5 * 4096,
        ksmRun: r.ksmRun,
        ksmUseZeroPages: r.ksmUseZeroPages,
        thp: r.thp as HostConfig["thp"],
        ...(r.zeropage ? { zeropage: r.zeropage } : {}),
      };
      return {
        name: "guest",
        host,
        variant,
        kernelVersion: r.kernelVersion,
        pages,
        baseVpn: 3 * 2 ** top.spanShift - r.cross * ptes + r.head,
        vmaFlags: r.vmaFlags,
      };
    });
}

/** A range inside guest RAM: small or large, sometimes whole page tables. */
function rangeArb(cfg: MmConfig): fc.Arbitrary<[number, number]> {
  const pages = cfg.pages;
  const ptes = geometryOf(VARIANTS[cfg.variant].arch).ptesPerTable;
  const off = (cfg.baseVpn ?? 0) % ptes;
  const any = fc
    .integer({ min: 0, max: pages - 1 })
    .chain((first) =>
      fc
        .oneof(
          fc.integer({ min: 1, max: Math.min(8, pages - first) }),
          fc.integer({ min: 1, max: pages - first }),
        )
        .map((count): [number, number] => [first, count]),
    );
  const aligned = fc
    .record({ t: fc.integer({ min: 0, max: 4 }), n: fc.integer({ min: 1, max: 3 }) })
    .map(({ t, n }): [number, number] => {
      const first = Math.min(pages - 1, Math.max(0, t * ptes - off));
      return [first, Math.max(1, Math.min(pages - first, n * ptes))];
    });
  return fc.oneof({ arbitrary: any, weight: 3 }, { arbitrary: aligned, weight: 1 });
}

function rangesArb(cfg: MmConfig): fc.Arbitrary<number[]> {
  return fc.array(rangeArb(cfg), { minLength: 1, maxLength: 3 }).map((rs) => rs.flat());
}

export function eventArb(cfg: MmConfig): fc.Arbitrary<KernelEvent> {
  const mm = 0;
  const ranges = rangesArb(cfg);
  const content = fc.constantFrom("zero" as const, "data" as const);
  const one = rangeArb(cfg);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: ranges.map((r): KernelEvent => ({ kind: "fault", mm, access: "read", ranges: r })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(ranges, content)
        .map(([r, c]): KernelEvent => ({ kind: "fault", mm, access: "write", ranges: r, content: c })),
    },
    {
      weight: 2,
      arbitrary: ranges.map((r): KernelEvent => ({ kind: "fault", mm, access: "unshare", ranges: r })),
    },
    {
      // MADV_POPULATE_READ, or another process's process_vm_readv().
      weight: 1,
      arbitrary: fc
        .tuple(ranges, fc.constantFrom("populate_read" as const, "gup" as const))
        .map(([r, via]): KernelEvent => ({ kind: "fault", mm, access: "read", ranges: r, via })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(ranges, fc.option(fc.integer({ min: 1, max: 300 }), { freq: 2 }))
        .map(
          ([r, callPages]): KernelEvent =>
            callPages === null
              ? { kind: "madvise", mm, advice: "dontneed", ranges: r }
              : { kind: "madvise", mm, advice: "dontneed", ranges: r, callPages },
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          ranges,
          fc.constantFrom(
            "hugepage" as const,
            "nohugepage" as const,
            "mergeable" as const,
            "unmergeable" as const,
          ),
        )
        .map(([r, advice]): KernelEvent => ({ kind: "madvise", mm, advice, ranges: r })),
    },
    // s390's DIAGNOSE 0x10 (CMM): KVM zaps the pages (x86_64 refuses it).
    { weight: 1, arbitrary: ranges.map((r): KernelEvent => ({ kind: "gmap_discard", mm, ranges: r })) },
    // fallocate(PUNCH_HOLE) on the memfd (refused where there is none).
    { weight: 2, arbitrary: ranges.map((r): KernelEvent => ({ kind: "punch_hole", mm, ranges: r })) },
    { weight: 2, arbitrary: ranges.map((r): KernelEvent => ({ kind: "uffd_register", mm, ranges: r })) },
    // Whole guest RAM, as QEMU does (postcopy registers every RAM block; KSM via MADV_MERGEABLE).
    { weight: 2, arbitrary: fc.constant<KernelEvent>({ kind: "uffd_register", mm, ranges: [0, cfg.pages] }) },
    {
      weight: 1,
      arbitrary: fc.constant<KernelEvent>({
        kind: "madvise",
        mm,
        advice: "mergeable",
        ranges: [0, cfg.pages],
      }),
    },
    { weight: 1, arbitrary: ranges.map((r): KernelEvent => ({ kind: "uffd_unregister", mm, ranges: r })) },
    {
      weight: 3,
      arbitrary: one.map(([first, count]): KernelEvent => ({ kind: "uffd_zeropage", mm, first, count })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(one, content)
        .map(([[first, count], c]): KernelEvent => ({ kind: "uffd_copy", mm, first, count, content: c })),
    },
    {
      // UFFDIO_MOVE anywhere in guest RAM (macroArb sets up moves that can succeed).
      weight: 2,
      arbitrary: fc.tuple(one, fc.nat()).map(
        ([[src, count], d]): KernelEvent => ({
          kind: "uffd_move",
          mm,
          src,
          dst: d % (cfg.pages - count + 1),
          count,
        }),
      ),
    },
    { weight: 1, arbitrary: fc.constant<KernelEvent>({ kind: "fork", mm }) },
    { weight: 3, arbitrary: fc.constant<KernelEvent>({ kind: "ksm_scan", mm }) },
    { weight: 1, arbitrary: fc.constant<KernelEvent>({ kind: "ksm_disable", mm }) },
    { weight: 1, arbitrary: fc.constant<KernelEvent>({ kind: "kvm_create_vm", mm }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("instruction" as const, "set_skeys" as const)
        .map((via): KernelEvent => ({ kind: "enable_skeys", mm, via })),
    },
    { weight: 1, arbitrary: fc.constant<KernelEvent>({ kind: "enable_pv", mm }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(ranges, fc.constantFrom(0 as const, 1 as const))
        .map(([r, value]): KernelEvent => ({ kind: "pageset", mm, set: "balloon", ranges: r, value })),
    },
    // Invalid input: a range past the end of guest RAM, or a zero-length uffd ioctl.
    {
      weight: 1,
      arbitrary: fc.constantFrom<KernelEvent>(
        { kind: "fault", mm, access: "read", ranges: [cfg.pages - 1, 2] },
        { kind: "madvise", mm, advice: "dontneed", ranges: [cfg.pages, 1] },
        { kind: "uffd_zeropage", mm, first: 0, count: 0 },
        { kind: "fault", mm: 1, access: "read", ranges: [0, 1] },
      ),
    },
  );
}

/**
 * Short event sequences that set up what single random events rarely line up: KSM pages (mergeable
 * zero-filled pages, then a scan), a postcopy-like fill (register, discard, fill), huge pages.
 */
function macroArb(cfg: MmConfig): fc.Arbitrary<KernelEvent[]> {
  const mm = 0;
  const all = [0, cfg.pages];
  const one = rangeArb(cfg);
  // Merged, and sometimes unmerged again (break_ksm) or read through a pin (process_vm_readv's
  // gup_must_unshare()), which random single events rarely reach.
  const ksm = fc
    .tuple(one, fc.constantFrom("keep", "unmerge", "pin"))
    .map(([[first, count], then]): KernelEvent[] => [
      { kind: "madvise", mm, advice: "mergeable", ranges: all },
      { kind: "fault", mm, access: "write", ranges: [first, count], content: "zero" },
      { kind: "ksm_scan", mm },
      ...(then === "unmerge" ? [{ kind: "ksm_disable", mm } as const] : []),
      ...(then === "pin"
        ? [{ kind: "fault", mm, access: "read", ranges: [first, count], via: "gup" } as const]
        : []),
    ]);
  const postcopy = fc.tuple(one, one).map(([[a, n], [b, m]]): KernelEvent[] => [
    { kind: "uffd_register", mm, ranges: all },
    { kind: "madvise", mm, advice: "dontneed", ranges: all },
    { kind: "fault", mm, access: "read", ranges: [a, n] },
    { kind: "uffd_zeropage", mm, first: a, count: n },
    { kind: "uffd_copy", mm, first: b, count: m, content: "data" },
  ]);
  const huge = fc.tuple(one, one).map(([[a, n], [b, m]]): KernelEvent[] => [
    { kind: "madvise", mm, advice: "hugepage", ranges: all },
    { kind: "fault", mm, access: "read", ranges: [a, n] },
    { kind: "fault", mm, access: "write", ranges: [b, m], content: "data" },
  ]);
  // Storage keys and PV act on a KVM VM, so they follow KVM_CREATE_VM (after some zeropages exist).
  const kvm = fc
    .tuple(one, fc.constantFrom<KernelEvent["kind"]>("enable_skeys", "enable_pv"))
    .map(([[a, n], kind]): KernelEvent[] => [
      { kind: "fault", mm, access: "read", ranges: [a, n] },
      { kind: "kvm_create_vm", mm },
      { kind: "fault", mm, access: "read", ranges: [a, n] },
      kind === "enable_skeys" ? { kind: "enable_skeys", mm, via: "instruction" } : { kind: "enable_pv", mm },
    ]);
  // UFFDIO_MOVE set up to succeed: pages at the source (a fault, UFFDIO_ZEROPAGE, or KSM), the
  // destination registered; sometimes whole page tables (on x86_64 THP-advised: whole huge PMDs).
  const x86 = VARIANTS[cfg.variant].arch === "x86_64";
  const ptes = geometryOf(VARIANTS[cfg.variant].arch).ptesPerTable;
  const firstWhole = (ptes - ((cfg.baseVpn ?? 0) % ptes)) % ptes;
  const wholeTables = Math.floor((cfg.pages - firstWhole) / ptes);
  const move = fc
    .tuple(one, fc.nat(), fc.constantFrom("read", "write", "zeropage", "ksm"), fc.boolean())
    .map(([[a, n], d, how, aligned]): KernelEvent[] => {
      let [src, count, dst] = [a, n, d % (cfg.pages - n + 1)];
      if (aligned && wholeTables >= 2) {
        src = firstWhole + (d % wholeTables) * ptes;
        dst = firstWhole + (Math.floor(d / wholeTables) % wholeTables) * ptes;
        count = ptes;
      }
      const at = [src, count];
      const fill: KernelEvent[] =
        how === "zeropage"
          ? [
              { kind: "uffd_register", mm, ranges: at },
              { kind: "uffd_zeropage", mm, first: src, count },
              { kind: "uffd_unregister", mm, ranges: at },
            ]
          : how === "ksm"
            ? [
                { kind: "madvise", mm, advice: "mergeable", ranges: all },
                { kind: "fault", mm, access: "write", ranges: at, content: "zero" },
                { kind: "ksm_scan", mm },
              ]
            : how === "read"
              ? [{ kind: "fault", mm, access: "read", ranges: at }]
              : [{ kind: "fault", mm, access: "write", ranges: at, content: "data" }];
      return [
        ...(x86 && aligned ? [{ kind: "madvise", mm, advice: "hugepage", ranges: all } as const] : []),
        ...fill,
        { kind: "uffd_register", mm, ranges: [dst, count] },
        { kind: "uffd_move", mm, src, dst, count },
      ];
    });
  return VARIANTS[cfg.variant].arch === "s390x"
    ? fc.oneof(ksm, postcopy, huge, kvm, move)
    : fc.oneof(ksm, postcopy, huge, move);
}

export function setupArb(variant: VariantId, maxSteps = 20): fc.Arbitrary<Setup> {
  return configArb(variant).chain((cfg) =>
    fc
      .array(
        fc.oneof(
          { weight: 6, arbitrary: eventArb(cfg).map((e) => [e]) },
          { weight: 1, arbitrary: macroArb(cfg) },
        ),
        { minLength: 1, maxLength: maxSteps },
      )
      .map((steps) => ({ cfg, events: steps.flat() })),
  );
}
