/**
 * userfaultfd on anonymous private memory (mm/userfaultfd.c, fs/userfaultfd.c), as QEMU's
 * postcopy destination uses it: register guest RAM in MISSING mode, then fill pages with
 * UFFDIO_COPY (data) or UFFDIO_ZEROPAGE (a page known to be zero).
 *
 * One ioctl covers a range. mfill_atomic() walks it page by page: it allocates the PMD and PTE
 * tables first, then fails with -EEXIST at the first PTE that is not none. Progress is reported,
 * not rolled back: a call that filled some pages returns -EAGAIN with the bytes done in
 * .zeropage/.copy; a call that filled none returns the error (research note Q4). In the model a
 * call with progress succeeds (ok, errno EAGAIN when partial); a call without progress fails and
 * changes nothing.
 *
 * UFFDIO_ZEROPAGE maps the shared zeropage, except that since 90a7592da149 it installs a zeroed
 * page when mm_forbids_zeropage() (mfill_atomic_pte_zeroed_folio). Before that patch it ignored the
 * hook: the B-era bug 06201e00's message mentions.
 */

import { STOP } from "../base/chunked.ts";
import { costRanges, type Errno, identityPlan, mapRanges, type Recorder } from "./apply.ts";
import type { Content } from "./events.ts";
import { splitHugeForVmaChange } from "./huge_memory.ts";
import { type Mm, type Vma, VmFlag } from "./mm.ts";
import { anonState, Pte } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";
import { R_SHMEM_NO_UFFD_ZEROPAGE, shmemFillPlan } from "./shmem.ts";

const UFFD = "mm/userfaultfd.c";
const FS = "fs/userfaultfd.c";

export const R_UFFD_REGISTER = defineRule({
  id: "userfaultfd_register.missing",
  title: "UFFDIO_REGISTER (MISSING): faults on empty PTEs go to user space",
  path: [fr(FS, "userfaultfd_register"), step("VM_UFFD_MISSING")],
  explain:
    "From now on, any access to an empty PTE in this range is reported to user space instead of being filled by the kernel.",
});

export const R_UFFD_REGISTER_EINVAL = defineRule({
  id: "userfaultfd_register.einval",
  title: "UFFDIO_REGISTER on a mapping userfaultfd cannot handle: -EINVAL",
  path: [fr(FS, "userfaultfd_register"), fr(FS, "vma_can_userfault", "= false"), step("-EINVAL")],
  explain:
    "MISSING mode works on anonymous, shmem and hugetlb memory only. The range includes the model's non-COW (DAX-like file) mapping, so the whole registration is refused and nothing changes.",
});

export const R_UFFD_UNREGISTER = defineRule({
  id: "userfaultfd_unregister",
  title: "UFFDIO_UNREGISTER",
  path: [fr(FS, "userfaultfd_unregister")],
  explain: "Faults in this range are handled by the kernel again.",
});

export const R_UFFD_ZEROPAGE = defineRule({
  id: "mfill_atomic_pte_zeropage",
  title: "UFFDIO_ZEROPAGE maps the shared zeropage",
  path: [
    fr(FS, "userfaultfd_zeropage"),
    fr(UFFD, "mfill_atomic_zeropage"),
    fr(UFFD, "mfill_atomic"),
    fr(UFFD, "mfill_atomic_pte_zeropage"),
    step("pte_mkspecial(zero pfn)"),
  ],
  explain:
    "User space says the page is all zeros, and the kernel maps the shared zeropage: no page is allocated and RssAnon does not change. A page table may be, if this is the first page of its range.",
});

export const R_UFFD_ZEROPAGE_BUG = defineRule({
  id: "mfill_atomic_pte_zeropage.ignores_forbids",
  title: "UFFDIO_ZEROPAGE maps the zeropage although mm_forbids_zeropage() (pre-90a7592da149)",
  path: [
    fr(FS, "userfaultfd_zeropage"),
    fr(UFFD, "mfill_atomic"),
    fr(UFFD, "mfill_atomic_pte_zeropage"),
    step("no mm_forbids_zeropage() check"),
    step("pte_mkspecial(zero pfn)"),
  ],
  explain:
    "Before 90a7592da149 this path never asked mm_forbids_zeropage(), so it placed shared zeropages into a KVM process that forbids them. 06201e00's message calls this out: 'we would have falsely inserted shared zeropages'.",
});

export const R_UFFD_ZEROED_FOLIO = defineRule({
  id: "mfill_atomic_pte_zeroed_folio",
  title: "UFFDIO_ZEROPAGE installs a zeroed page (zeropage forbidden)",
  path: [
    fr(FS, "userfaultfd_zeropage"),
    fr(UFFD, "mfill_atomic"),
    fr(UFFD, "mfill_atomic_pte_zeropage"),
    fr("include/linux/mm.h", "mm_forbids_zeropage", "= true"),
    fr(UFFD, "mfill_atomic_pte_zeroed_folio"),
    fr(UFFD, "mfill_atomic_install_pte"),
  ],
  explain:
    "Since 90a7592da149, when this mm forbids the shared zeropage, UFFDIO_ZEROPAGE allocates a zero-filled page instead, installed dirty and writable if the VMA is (VM_WRITE): RssAnon +4 KiB.",
});

export const R_UFFD_ZEROPAGE_HOST = defineRule({
  id: "mfill_atomic_pte_zeropage.host_no_zeropage",
  title: "UFFDIO_ZEROPAGE installs a zeroed page (this host maps no zeropage for it)",
  path: [
    fr(FS, "userfaultfd_zeropage"),
    fr(UFFD, "mfill_atomic"),
    fr(UFFD, "mfill_atomic_pte_zeropage"),
    step("host policy: no zeropage for UFFDIO_ZEROPAGE"),
    fr(UFFD, "mfill_atomic_pte_zeroed_folio"),
    fr(UFFD, "mfill_atomic_install_pte"),
  ],
  explain:
    "This host's kernel does not place the shared zeropage for UFFDIO_ZEROPAGE (its zeropage policy, measured by the kernel check), so the call installs a zero-filled page as a forbidding mm_forbids_zeropage() would: dirty, writable if the VMA is, RssAnon +4 KiB.",
  assumption:
    "Host policy, not upstream code: upstream mfill_atomic_pte_zeropage() maps the zeropage unless mm_forbids_zeropage(). The model assumes a host that forbids it here takes the mfill_atomic_pte_zeroed_folio() branch of 90a7592da149.",
});

export const R_UFFD_ZEROPAGE_SHADOWED = defineRule({
  id: "mfill_atomic_pte_zeropage.shadowed",
  title: "UFFDIO_ZEROPAGE maps the zeropage although COW sharing is off (06201e00 v2's missing #define)",
  path: [
    fr(FS, "userfaultfd_zeropage"),
    fr(UFFD, "mfill_atomic"),
    fr(UFFD, "mfill_atomic_pte_zeropage"),
    fr("include/linux/mm.h", "mm_forbids_zeropage", "(0): the generic macro shadows s390's function"),
    step("pte_mkspecial(zero pfn)"),
  ],
  explain:
    "Storage keys or PV cleared allow_cow_sharing, but in 06201e00 as posted in v2 generic code never saw s390's mm_forbids_zeropage(): include/linux/mm.h's always-0 macro stood in its place (the self-referential #define came in v3). So 90a7592da149's check in mfill_atomic_pte_zeropage() reads 0 and a shared zeropage is placed.",
});

export const R_UFFD_COPY = defineRule({
  id: "mfill_atomic_pte_copy",
  title: "UFFDIO_COPY installs a page with the given content",
  path: [
    fr(FS, "userfaultfd_copy"),
    fr(UFFD, "mfill_atomic_copy"),
    fr(UFFD, "mfill_atomic"),
    fr(UFFD, "mfill_atomic_pte_copy"),
    fr(UFFD, "mfill_atomic_install_pte"),
    step("inc_mm_counter(MM_ANONPAGES)"),
  ],
  explain:
    "A new page is allocated, filled from user space's buffer and mapped dirty, writable if the VMA is (VM_WRITE): RssAnon +4 KiB.",
});

export const R_UFFD_EEXIST = defineRule({
  id: "mfill_atomic.eexist",
  title: "the PTE is already populated: -EEXIST",
  path: [fr(UFFD, "mfill_atomic"), step("!pte_none()", "-EEXIST")],
  explain:
    "userfaultfd only fills empty PTEs. The call stops at the first populated one; QEMU treats -EEXIST as a failure and does not mark the page received, and no waiter is woken.",
});

export interface UffdOutcome {
  ok: boolean;
  errno: Errno | null;
  message: string | null;
  failedAt: number;
  progress: number;
}

export function uffdRegister(
  mm: Mm,
  ranges: readonly number[],
  register: boolean,
  rec: Recorder,
): UffdOutcome {
  for (let i = 0; i < ranges.length; i += 2) {
    if (!mm.covers(ranges[i]!, ranges[i + 1]!)) {
      return {
        ok: false,
        errno: "EINVAL",
        message: `range at page ${ranges[i]} is not guest RAM`,
        failedAt: ranges[i]!,
        progress: 0,
      };
    }
  }
  // vma_can_userfault() (fs/userfaultfd.c): anonymous, shmem or hugetlb only. The model's only
  // other mapping is the non-COW (DAX-like) one, so registering over it fails before any change.
  if (register) {
    let bad = -1;
    for (let i = 0; i < ranges.length && bad < 0; i += 2) {
      mm.forEachVmaPiece(ranges[i]!, ranges[i + 1]!, (vma, f) => {
        if (bad < 0 && !(vma.flags & (VmFlag.COW | VmFlag.SHMEM))) bad = f;
      });
    }
    if (bad >= 0) {
      rec.step(R_UFFD_REGISTER_EINVAL.index);
      return {
        ok: false,
        errno: "EINVAL",
        message: `page ${bad} lies in a mapping userfaultfd cannot handle (vma_can_userfault)`,
        failedAt: bad,
        progress: 0,
      };
    }
  }
  for (let i = 0; i < ranges.length; i += 2) {
    const set = register ? VmFlag.UFFD_MISSING : 0;
    const clear = register ? 0 : VmFlag.UFFD_MISSING;
    splitHugeForVmaChange(mm, ranges[i]!, ranges[i + 1]!, set, clear, rec);
    mm.updateVmaFlags(ranges[i]!, ranges[i + 1]!, set, clear);
  }
  rec.step(register ? R_UFFD_REGISTER.index : R_UFFD_UNREGISTER.index);
  return { ok: true, errno: null, message: null, failedAt: -1, progress: 0 };
}

/** UFFDIO_ZEROPAGE (content null) or UFFDIO_COPY over [first, first+count). */
export function uffdFill(
  mm: Mm,
  first: number,
  count: number,
  content: Content | null,
  rec: Recorder,
  limit: number,
  budgetBytes: number,
): UffdOutcome {
  // validate_range() (fs/userfaultfd.c): a zero-length range is -EINVAL.
  if (count === 0) {
    return {
      ok: false,
      errno: "EINVAL",
      message: "UFFDIO_ZEROPAGE/UFFDIO_COPY of zero bytes",
      failedAt: first,
      progress: 0,
    };
  }
  if (!mm.covers(first, count)) {
    return {
      ok: false,
      errno: "ENOENT",
      message: `range at page ${first} is not guest RAM`,
      failedAt: first,
      progress: 0,
    };
  }
  let unregistered = -1;
  mm.forEachVmaPiece(first, count, (vma, f) => {
    if (unregistered < 0 && !(vma.flags & VmFlag.UFFD_MISSING)) unregistered = f;
  });
  if (unregistered >= 0) {
    return {
      ok: false,
      errno: "ENOENT",
      message: `page ${unregistered} is not in a userfaultfd-registered VMA`,
      failedAt: unregistered,
      progress: 0,
    };
  }
  // shmem learnt UFFDIO_ZEROPAGE in v4.14 (shmem_mfill_zeropage_pte()).
  if (content === null && !mm.has("shmemUffdZeropage")) {
    let shmem = -1;
    mm.forEachVmaPiece(first, count, (vma, f) => {
      if (shmem < 0 && vma.flags & VmFlag.SHMEM) shmem = f;
    });
    if (shmem >= 0) {
      rec.step(R_SHMEM_NO_UFFD_ZEROPAGE.index);
      return {
        ok: false,
        errno: "EINVAL",
        message: `no UFFDIO_ZEROPAGE for shared memory before v4.14 (this kernel: ${mm.kernelVersion})`,
        failedAt: shmem,
        progress: 0,
      };
    }
  }
  // The pages this call will fill: up to the first PTE that is not none (or is under a huge PMD).
  // A memfd page the page cache still holds is not none to userfaultfd: -EEXIST
  // (shmem_add_to_page_cache()).
  const pt = mm.pt;
  let progress = 0;
  pt.ptes.forEachRun(first, count, (value, start, length) => {
    if (progress !== start - first) return;
    if (value === Pte.NONE && !pt.huge[pt.tableOf(start)]) progress += length;
  });
  if (progress === 0) {
    rec.step(R_UFFD_EEXIST.index);
    return {
      ok: false,
      errno: "EEXIST",
      message: `page ${first} is already populated`,
      failedAt: first,
      progress: 0,
    };
  }
  // mfill_atomic_install_pte(): the new page's PTE is writable only if the VMA has VM_WRITE.
  const planFor = (vma: Vma) => {
    if (vma.flags & VmFlag.SHMEM) return shmemFillPlan(content);
    const p = identityPlan();
    for (let s = 1; s < 256; s++) p.lut[s] = STOP; // never reached: the range ends before them
    const writable = (vma.flags & VmFlag.WRITE) !== 0;
    if (content === null) {
      if (mm.forbidsZeropage() && mm.variant.uffdZeropageHonoursForbids) {
        p.lut[Pte.NONE] = anonState(writable, false);
        p.rules[Pte.NONE] = R_UFFD_ZEROED_FOLIO.index;
      } else if (!mm.forbidsZeropage() && !mm.hostZeropage.uffdZeropage) {
        p.lut[Pte.NONE] = anonState(writable, false);
        p.rules[Pte.NONE] = R_UFFD_ZEROPAGE_HOST.index;
      } else {
        p.lut[Pte.NONE] = Pte.ZERO_UFFD;
        // 06201e00 v2: the generic macro hides allow_cow_sharing = 0 from mfill_atomic_pte_zeropage().
        const shadowed = mm.variant.forbidsShadowed && !mm.ctx.allowCowSharing;
        p.rules[Pte.NONE] = shadowed
          ? R_UFFD_ZEROPAGE_SHADOWED.index
          : mm.forbidsZeropage()
            ? R_UFFD_ZEROPAGE_BUG.index
            : R_UFFD_ZEROPAGE.index;
      }
    } else {
      p.lut[Pte.NONE] = anonState(writable, content === "data");
      p.rules[Pte.NONE] = R_UFFD_COPY.index;
    }
    return p;
  };
  let outOfMemory = false;
  if (Number.isFinite(budgetBytes)) {
    const cost = costRanges(mm, [first, progress], planFor, true, budgetBytes);
    if (cost.failsAt === first) {
      return {
        ok: false,
        errno: "ENOMEM",
        message: `host "${mm.host.name}" has no memory left for page ${first}`,
        failedAt: first,
        progress: 0,
      };
    }
    if (cost.failsAt > first) {
      progress = cost.failsAt - first;
      outOfMemory = true;
    }
  }
  mapRanges(mm, [first, progress], planFor, rec, { alloc: true, limit });
  const partial = progress < count;
  if (partial && !outOfMemory) rec.step(R_UFFD_EEXIST.index);
  const why = outOfMemory ? "the host ran out of memory" : `page ${first + progress} is already populated`;
  return {
    ok: true,
    errno: partial ? "EAGAIN" : null,
    message: partial
      ? `filled ${progress} of ${count} pages (${why}); the ioctl returns -EAGAIN with the bytes done`
      : null,
    failedAt: -1,
    progress,
  };
}
