/**
 * Page faults on anonymous private memory: mm/memory.c handle_mm_fault() → __handle_mm_fault() →
 * handle_pte_fault() → do_anonymous_page() / do_wp_page() → wp_page_copy().
 *
 * One event is a CPU touching each page of a range in order. A page that is already mapped with
 * enough permission costs no fault at all (the MMU walks the PTE); the others fault. A fault in a
 * userfaultfd MISSING range stops the access: the thread blocks until user space resolves it, so
 * the event ends at that page (after pte_alloc(), which comes first).
 *
 * Decision table:
 *   read    NONE → ZERO if !mm_forbids_zeropage(), else a zeroed anon page (writable+dirty if VM_WRITE)
 *   write   NONE → anon page; ZERO → new zeroed page, no copy (wp_page_copy, pfn_is_zero);
 *           ANON r/o → reuse (wp_page_reuse); KSM → copy (wp_page_copy)
 *   unshare ZERO/KSM → new exclusive anon page, PTE stays read-only; ANON → nothing; NONE → as read
 *
 * x86_64 THP (mm/huge_memory.c) is in huge_memory.ts; this room calls it for tables a huge PMD
 * maps or could map.
 */

import { STOP } from "../base/chunked.ts";
import { PAGE_SIZE } from "../base/units.ts";
import {
  costRanges,
  type Errno,
  identityPlan,
  type MapOutcome,
  mapRanges,
  type Plan,
  type Ranges,
  Recorder,
} from "./apply.ts";
import type { Content } from "./events.ts";
import {
  hugeFaultRun,
  hugeFaultsPossible,
  hugeFaultTable,
  ptePathOnly,
  ptePathOnlyUntil,
} from "./huge_memory.ts";
import { type Mm, type Vma, VmFlag } from "./mm.ts";
import { anonState, Pte } from "./pte.ts";
import { defineRule, fr, step } from "./rules.ts";
import { shmemReadPlan, shmemWritePlan } from "./shmem.ts";

const MEMORY = "mm/memory.c";
const MM_H = "include/linux/mm.h";
/** Where mm_forbids_zeropage() is defined is per arch; kernel-names.ts puts s390's in its pgtable.h. */
const FORBIDS = MM_H;

const entry = [
  fr(MEMORY, "handle_mm_fault"),
  fr(MEMORY, "__handle_mm_fault"),
  fr(MEMORY, "handle_pte_fault"),
];
const anonymous = [
  ...entry,
  fr(MEMORY, "do_pte_missing"),
  fr(MEMORY, "do_anonymous_page"),
  fr(MM_H, "pte_alloc"),
];

export const R_PRESENT_READ = defineRule({
  id: "mmu.read_present",
  title: "already mapped: the read needs no fault",
  path: [step("MMU walks the page table", "PTE present")],
  explain:
    "The page is already mapped, so the CPU reads it through the existing PTE. No fault, nothing changes.",
});

export const R_PRESENT_WRITE = defineRule({
  id: "mmu.write_present",
  title: "already writable: the write needs no fault",
  path: [step("MMU walks the page table", "PTE present and writable")],
  explain:
    "The page is mapped writable, so the CPU writes it directly. Only the page's content changes; no fault, no allocation.",
});

export const R_READ_ZEROPAGE = defineRule({
  id: "do_anonymous_page.zeropage",
  vmstat: { pgfault: "pte" },
  title: "read fault maps the shared zeropage",
  path: [
    ...anonymous,
    fr(FORBIDS, "mm_forbids_zeropage", "= false"),
    step("pte_mkspecial(pfn_pte(my_zero_pfn(addr)))"),
    fr("include/linux/pgtable.h", "set_ptes"),
  ],
  explain:
    "A read of never-touched anonymous memory maps the one shared, read-only zero page. The page table had to be allocated first, but no memory is allocated for the page itself and RssAnon does not change.",
});

export const R_READ_FORBIDDEN = defineRule({
  id: "do_anonymous_page.forbidden",
  vmstat: { pgfault: "pte" },
  title: "read fault allocates a zeroed anonymous page (zeropage forbidden)",
  path: [
    ...anonymous,
    fr(FORBIDS, "mm_forbids_zeropage", "= true"),
    fr(MEMORY, "alloc_anon_folio"),
    step("pte_mkwrite(pte_mkdirty(entry))", "VM_WRITE"),
    fr(MEMORY, "add_mm_counter", "MM_ANONPAGES +1"),
  ],
  explain:
    "This mm may not use the shared zeropage, so even a read of never-touched memory allocates a real, zero-filled page. It is mapped writable and dirty because the VMA is writable, and RssAnon grows by 4 KiB.",
});

export const R_READ_ZEROPAGE_SHADOWED = defineRule({
  id: "do_anonymous_page.zeropage_shadowed",
  vmstat: { pgfault: "pte" },
  title: "read fault maps the zeropage although COW sharing is off (06201e00 v2's missing #define)",
  path: [
    ...anonymous,
    fr(MM_H, "mm_forbids_zeropage", "(0): the generic macro shadows s390's function"),
    step("pte_mkspecial(pfn_pte(my_zero_pfn(addr)))"),
    fr("include/linux/pgtable.h", "set_ptes"),
  ],
  explain:
    "Storage keys or PV cleared allow_cow_sharing and the zeropages were unshared, but in 06201e00 as posted in v2 s390's mm_forbids_zeropage() was never seen by generic code: without '#define mm_forbids_zeropage mm_forbids_zeropage', include/linux/mm.h defines its own always-0 macro and do_anonymous_page() uses that. So this read maps a new shared zeropage in a guest that must not have one, which is what review caught (the selftest's 'Shared zeropages should be disabled' fails).",
});

export const R_READ_HOST_NO_ZEROPAGE = defineRule({
  id: "do_anonymous_page.host_no_zeropage",
  vmstat: { pgfault: "pte" },
  title: "read fault allocates a zeroed anonymous page (this host maps no zeropage on read faults)",
  path: [
    ...anonymous,
    fr(FORBIDS, "mm_forbids_zeropage", "= false"),
    step("host policy: no zeropage on read faults"),
    fr(MEMORY, "alloc_anon_folio"),
    step("pte_mkwrite(pte_mkdirty(entry))", "VM_WRITE"),
    fr(MEMORY, "add_mm_counter", "MM_ANONPAGES +1"),
  ],
  explain:
    "mm_forbids_zeropage() allows the zeropage here, but this host's kernel does not map it on read faults (its zeropage policy, measured on the real machine by the kernel check). The read takes do_anonymous_page()'s other branch: a real zero-filled page, writable and dirty because the VMA is writable. RssAnon grows by 4 KiB, as under a kernel that forbids the zeropage.",
  assumption:
    "Host policy, not upstream code: upstream do_anonymous_page() maps the zeropage whenever mm_forbids_zeropage() is false. Hosts booted with pvm_no_zero_page=1 were measured to allocate instead (RssAnon +4 KiB per page read, no PTE with the zero pfn); the source of that change was not read, so the model assumes it takes the same branch as a forbidding mm_forbids_zeropage().",
});

export const R_POPULATE_READ = defineRule({
  id: "madvise_populate.read",
  title: "MADV_POPULATE_READ faults the range in for reading",
  path: [
    fr("mm/madvise.c", "madvise_populate", "MADV_POPULATE_READ"),
    fr("mm/gup.c", "__get_user_pages"),
    fr("mm/gup.c", "faultin_page", "no FOLL_WRITE"),
    fr(MEMORY, "handle_mm_fault"),
  ],
  explain:
    "MADV_POPULATE_READ (v5.14) populates page tables as if every page had been read: each missing page takes an ordinary read fault through GUP, so it maps the shared zeropage where mm_forbids_zeropage() allows it and allocates a page where it does not. It is a zeropage path like any read.",
});

export const R_NO_POPULATE = defineRule({
  id: "madvise.no_populate_read",
  title: "no MADV_POPULATE_READ in this kernel (it came in v5.14): -EINVAL",
  path: [fr("mm/madvise.c", "madvise_behavior_valid"), step("unknown advice", "-EINVAL")],
  explain:
    "MADV_POPULATE_READ arrived in v5.14 (4ca9b3859dac). An older kernel does not know the advice and madvise() fails with -EINVAL; nothing is faulted in.",
});

export const R_GUP_READ = defineRule({
  id: "get_user_pages_remote.read",
  title: "another process reads this memory (process_vm_readv, /proc/pid/mem): read-only GUP faults pages in",
  path: [
    fr("mm/process_vm_access.c", "process_vm_rw_core"),
    fr("mm/gup.c", "pin_user_pages_remote", "no FOLL_WRITE"),
    fr("mm/gup.c", "__get_user_pages"),
    fr("mm/gup.c", "faultin_page"),
    fr(MEMORY, "handle_mm_fault", "FAULT_FLAG_REMOTE"),
  ],
  explain:
    "A debugger, a dump tool or any process with ptrace rights reads this memory with process_vm_readv(). GUP without FOLL_WRITE faults each missing page in for reading, in this mm: the same decision as a read by the process itself, so the zeropage where allowed and a real page where not. process_vm_readv() pins what it reads (FOLL_PIN), which from v5.19 also unshares KSM pages; /proc/<pid>/mem (access_remote_vm(), no pin) reads the same way but leaves KSM pages shared.",
});

export const R_GUP_PIN_UNSHARE_KSM = defineRule({
  id: "gup_must_unshare.ksm",
  title: "a read-only pin of a KSM page unshares it first (process_vm_readv)",
  vmstat: { pgfault: "pte" },
  path: [
    fr("mm/gup.c", "pin_user_pages_remote", "FOLL_PIN, no FOLL_WRITE"),
    fr("mm/gup.c", "follow_page_pte"),
    fr("mm/internal.h", "gup_must_unshare", "anon, !PageAnonExclusive"),
    fr("mm/gup.c", "faultin_page", "FOLL_UNSHARE"),
    fr(MEMORY, "handle_mm_fault", "FAULT_FLAG_UNSHARE"),
    fr(MEMORY, "wp_page_copy"),
  ],
  explain:
    "A pinned page must stay the page this mm maps, so GUP refuses to pin a read-only view of an anonymous page that may be shared: a KSM page is never exclusive, so process_vm_readv() first unshares it into a page of this mm's own (read-only), then pins that. Each such read costs a page. The zeropage (not anonymous) and exclusive pages are pinned as they are.",
  assumption:
    "Dated with FAULT_FLAG_UNSHARE (c89357e27f20's series, v5.19), whose R/O-pin unsharing this is; before it a pin took the KSM page as it was. Measured on 6.18 by the kernel check (remote-read-ksm).",
});

export const R_USERFAULT = defineRule({
  id: "handle_userfault.missing",
  title: "missing-page userfault: the access blocks until user space places a page",
  path: [
    ...anonymous,
    fr("include/linux/userfaultfd_k.h", "userfaultfd_missing", "= true"),
    fr("fs/userfaultfd.c", "handle_userfault", "VM_UFFD_MISSING"),
  ],
  explain:
    "The range is registered with userfaultfd in MISSING mode, so instead of mapping anything the kernel reports the fault to user space (QEMU's postcopy fault thread) and the thread sleeps until UFFDIO_COPY or UFFDIO_ZEROPAGE fills the page. The page table was already allocated.",
});

export const R_WRITE_NONE = defineRule({
  id: "do_anonymous_page.write",
  vmstat: { pgfault: "pte" },
  title: "write fault allocates an anonymous page",
  path: [
    ...anonymous,
    step("FAULT_FLAG_WRITE"),
    fr(MEMORY, "alloc_anon_folio"),
    fr(MEMORY, "add_mm_counter", "MM_ANONPAGES +1"),
  ],
  explain:
    "A write to never-touched memory allocates a zero-filled page, maps it writable, and RssAnon grows by 4 KiB.",
  assumption:
    "On x86_64 from v6.8, alloc_anon_folio() may allocate a larger (mTHP) folio when anon mTHP sizes are enabled in sysfs; the model always allocates 4 KiB pages here (PMD-sized THPs are modelled in mm/huge_memory.c's rules). This is the closest rule: mTHP is not modelled anywhere.",
});

export const R_WRITE_ZERO = defineRule({
  id: "wp_page_copy.zeropage_write",
  vmstat: { pgfault: "pte" },
  title: "write to the zeropage: copy-on-write to a new zeroed page",
  path: [
    ...entry,
    fr(MEMORY, "do_wp_page"),
    step("vm_normal_page() = NULL", "special zero PTE"),
    fr(MEMORY, "wp_page_copy"),
    step("folio_prealloc(need_zero = pfn_is_zero)", "no copy"),
    fr("include/linux/ksm.h", "ksm_might_unmap_zero_page"),
    fr(MEMORY, "inc_mm_counter", "MM_ANONPAGES +1"),
  ],
  explain:
    "The shared zeropage is read-only, so a write breaks the sharing: the kernel allocates a new zero-filled page (nothing to copy from the zero page), maps it writable, and RssAnon grows by 4 KiB. A KSM-placed zeropage also leaves ksm_zero_pages.",
});

export const R_WRITE_REUSE = defineRule({
  id: "do_wp_page.reuse",
  vmstat: { pgfault: "pte" },
  title: "write to an exclusive read-only page: reuse it",
  path: [
    ...entry,
    fr(MEMORY, "do_wp_page"),
    fr(MEMORY, "wp_can_reuse_anon_folio"),
    fr(MEMORY, "wp_page_reuse"),
  ],
  explain:
    "The page is anonymous and exclusive to this mm (for example after an unshare fault), so the write fault just makes the PTE writable. No allocation.",
});

export const R_WRITE_KSM = defineRule({
  id: "wp_page_copy.ksm",
  vmstat: { pgfault: "pte" },
  title: "write to a KSM page: copy-on-write",
  path: [
    ...entry,
    fr(MEMORY, "do_wp_page"),
    step("folio_test_ksm()", "never reused"),
    fr(MEMORY, "wp_page_copy"),
  ],
  explain:
    "KSM pages are shared read-only, so a write copies the page into a new exclusive one. RssAnon is unchanged for this mm (the KSM mapping was already counted); the KSM page loses a sharer.",
});

export const R_UNSHARE_ZERO = defineRule({
  id: "wp_page_copy.unshare_zeropage",
  vmstat: { pgfault: "pte" },
  title: "unshare fault replaces the zeropage by an exclusive zeroed page (read-only)",
  path: [
    fr(MEMORY, "handle_mm_fault", "FAULT_FLAG_UNSHARE"),
    fr(MEMORY, "do_wp_page"),
    fr(MEMORY, "wp_page_copy"),
    step("folio_prealloc(need_zero = true)"),
    fr("include/linux/ksm.h", "ksm_might_unmap_zero_page", "KSM-placed zeropage only"),
    fr(MEMORY, "inc_mm_counter", "MM_ANONPAGES +1"),
    step("PTE not writable", "unshare"),
  ],
  explain:
    "An unsharing fault gives this mm its own copy of the page without writing to it: the shared zeropage is replaced by a new zero-filled anonymous page, still mapped read-only. Content is unchanged; RssAnon grows by 4 KiB.",
});

export const R_UNSHARE_KSM = defineRule({
  id: "wp_page_copy.unshare_ksm",
  vmstat: { pgfault: "pte" },
  title: "unshare fault copies a KSM page into an exclusive page (read-only)",
  path: [
    fr(MEMORY, "handle_mm_fault", "FAULT_FLAG_UNSHARE"),
    fr(MEMORY, "do_wp_page"),
    step("folio_test_ksm()", "never reused"),
    fr(MEMORY, "wp_page_copy"),
    step("PTE not writable", "unshare"),
  ],
  explain:
    "The KSM page is copied into a page of this mm's own, mapped read-only. RssAnon is unchanged; the KSM page loses a sharer.",
});

export const R_UNSHARE_EXCLUSIVE = defineRule({
  id: "do_wp_page.unshare_exclusive",
  vmstat: { pgfault: "pte" },
  title: "unshare fault on an exclusive page: nothing to do",
  path: [
    fr(MEMORY, "handle_mm_fault", "FAULT_FLAG_UNSHARE"),
    fr(MEMORY, "do_wp_page"),
    step("PageAnonExclusive", "no-op"),
  ],
  explain: "The page already belongs to this mm alone, so an unsharing fault changes nothing.",
});

export const R_UNSHARE_WRITABLE = defineRule({
  id: "handle_pte_fault.unshare_writable",
  vmstat: { pgfault: "pte" },
  title: "unshare fault on a writable PTE: nothing to do",
  path: [
    fr(MEMORY, "handle_mm_fault", "FAULT_FLAG_UNSHARE"),
    fr(MEMORY, "handle_pte_fault"),
    step("PTE already writable", "do_wp_page() not called"),
  ],
  explain:
    "A writable PTE maps a page this mm owns alone, so handle_pte_fault() does not even enter do_wp_page(): the unsharing fault only marks the PTE young.",
});

export const R_NO_UNSHARE_FLAG = defineRule({
  id: "fault.no_unshare_flag",
  title: "no unshare faults in this kernel (FAULT_FLAG_UNSHARE came in v5.19)",
  path: [fr(MEMORY, "handle_mm_fault"), step("no FAULT_FLAG_UNSHARE in this kernel", "c89357e27f20, v5.19")],
  explain:
    "Unsharing faults (FAULT_FLAG_UNSHARE) arrived with c89357e27f20 in v5.19, for GUP's read-only pins; KSM used them from v6.2 and s390 from 06201e00. An older kernel has no such fault, so the model refuses the event (-EINVAL) and nothing changes. KSM's unmerge on such a kernel breaks sharing with a write fault instead.",
  assumption:
    "Modelling choice: the kernel has no call that could ask for this; the model rejects the event rather than invent a fault the kernel cannot take.",
});

export const R_UNSHARE_NONE = defineRule({
  id: "do_anonymous_page.unshare_none",
  vmstat: { pgfault: "pte" },
  title: "unshare fault on a none PTE behaves as a read fault",
  path: [...anonymous, step("only FAULT_FLAG_WRITE is tested")],
  explain:
    "do_anonymous_page() only looks at FAULT_FLAG_WRITE, so an unsharing fault on an empty PTE is handled like a read fault.",
  assumption:
    "Inference from mm/memory.c: the s390 and KSM callers only issue unshare faults where they found a zeropage or KSM page, so this case is not reached by them.",
});

export const R_NONCOW_READ = defineRule({
  id: "dax.load_hole",
  vmstat: { pgfault: "pte" },
  title: "read fault in a non-COW mapping maps the zeropage (DAX hole)",
  path: [
    fr("fs/dax.c", "dax_iomap_pte_fault"),
    fr("fs/dax.c", "dax_load_hole"),
    fr(MEMORY, "vmf_insert_page_mkwrite"),
  ],
  explain:
    "A shared DAX-like mapping maps the zeropage for holes. The model includes such a mapping only so that __s390_unshare_zeropages() can meet a zeropage it cannot unshare (-EFAULT).",
  assumption:
    "Modelling choice: a non-COW VMA stands for an FS-DAX file mapping; its read faults map the zeropage regardless of mm_forbids_zeropage(), as before vm_mixed_zeropage_allowed(). Writes there are not modelled.",
});

export const R_SIGSEGV = defineRule({
  id: "access_error.sigsegv",
  title: "bad access: SIGSEGV",
  path: [fr("arch/x86/mm/fault.c", "access_error"), step("SIGSEGV")],
  explain:
    "The access lies outside any VMA, or writes a VMA that is not writable: the kernel delivers SIGSEGV.",
});

export const R_NONCOW_WRITE = defineRule({
  id: "dax.write_unmodelled",
  title: "write to the non-COW (DAX-like) mapping: not modelled, refused",
  path: [fr("fs/dax.c", "dax_iomap_pte_fault"), step("write fault", "not modelled")],
  explain:
    "The model's non-COW mapping exists only so that unsharing can meet a zeropage it cannot replace. Its VMA is writable, so the kernel would not raise SIGSEGV here; the model refuses the write with -EFAULT rather than model DAX write faults.",
  assumption:
    "Modelling choice: writes to the FS-DAX stand-in are outside the model; the event fails and changes nothing.",
});

/** The per-state plan of a read fault in `vma` of `mm`. */
export function readPlan(mm: Mm, vma: Vma): Plan {
  if (vma.flags & VmFlag.SHMEM) return shmemReadPlan(vma, R_PRESENT_READ.index);
  const p = identityPlan(R_PRESENT_READ.index);
  if (!(vma.flags & VmFlag.COW)) {
    p.lut[Pte.NONE] = Pte.ZERO;
    p.rules[Pte.NONE] = R_NONCOW_READ.index;
    return p;
  }
  if (vma.flags & VmFlag.UFFD_MISSING) {
    p.lut[Pte.NONE] = STOP;
    p.rules[Pte.NONE] = R_USERFAULT.index;
  } else if (mm.forbidsZeropage()) {
    p.lut[Pte.NONE] = anonState((vma.flags & VmFlag.WRITE) !== 0, false);
    p.rules[Pte.NONE] = R_READ_FORBIDDEN.index;
  } else if (mm.hostZeropage.readFault) {
    p.lut[Pte.NONE] = Pte.ZERO;
    p.rules[Pte.NONE] =
      mm.variant.forbidsShadowed && !mm.ctx.allowCowSharing
        ? R_READ_ZEROPAGE_SHADOWED.index
        : R_READ_ZEROPAGE.index;
  } else {
    p.lut[Pte.NONE] = anonState((vma.flags & VmFlag.WRITE) !== 0, false);
    p.rules[Pte.NONE] = R_READ_HOST_NO_ZEROPAGE.index;
  }
  return p;
}

function writePlan(vma: Vma, content: Content): Plan {
  if (vma.flags & VmFlag.SHMEM) return shmemWritePlan(vma, content, R_PRESENT_WRITE.index);
  const data = content === "data";
  const p = identityPlan(R_PRESENT_WRITE.index);
  const target = anonState(true, data);
  for (let s = Pte.NONE; s <= Pte.KSM; s++) p.lut[s] = target;
  if (vma.flags & VmFlag.UFFD_MISSING) {
    p.lut[Pte.NONE] = STOP;
    p.rules[Pte.NONE] = R_USERFAULT.index;
  } else {
    p.rules[Pte.NONE] = R_WRITE_NONE.index;
  }
  p.rules[Pte.ZERO] = R_WRITE_ZERO.index;
  p.rules[Pte.ZERO_UFFD] = R_WRITE_ZERO.index;
  p.rules[Pte.ZERO_KSM] = R_WRITE_ZERO.index;
  p.rules[Pte.ANON_RO_ZERO] = R_WRITE_REUSE.index;
  p.rules[Pte.ANON_RO_DATA] = R_WRITE_REUSE.index;
  p.rules[Pte.KSM] = R_WRITE_KSM.index;
  // A "zero" write onto a page that holds data zero-fills it; onto a zero page it keeps it zero.
  return p;
}

/**
 * A read through process_vm_readv()'s read-only pin: a read fault where nothing is mapped, and
 * from v5.19 gup_must_unshare() for KSM pages (not anonymous-exclusive): unshared first.
 */
function pinReadPlan(mm: Mm, vma: Vma): Plan {
  const p = readPlan(mm, vma);
  if (!mm.has("unshareFault") || !(vma.flags & VmFlag.COW)) return p;
  p.lut[Pte.KSM] = Pte.ANON_RO_ZERO;
  p.rules[Pte.KSM] = R_GUP_PIN_UNSHARE_KSM.index;
  return p;
}

/** The per-state plan of an unshare fault (FAULT_FLAG_UNSHARE) in `vma`. */
export function unsharePlan(mm: Mm, vma: Vma): Plan {
  // sanitize_fault_flags(): FAULT_FLAG_UNSHARE is dropped outside COW mappings → plain read fault.
  if (!(vma.flags & VmFlag.COW)) return readPlan(mm, vma);
  const p = readPlan(mm, vma);
  if (p.rules[Pte.NONE] !== R_USERFAULT.index) p.rules[Pte.NONE] = R_UNSHARE_NONE.index;
  for (const z of [Pte.ZERO, Pte.ZERO_UFFD, Pte.ZERO_KSM]) {
    p.lut[z] = Pte.ANON_RO_ZERO;
    p.rules[z] = R_UNSHARE_ZERO.index;
  }
  p.lut[Pte.KSM] = Pte.ANON_RO_ZERO;
  p.rules[Pte.KSM] = R_UNSHARE_KSM.index;
  // do_wp_page() sees only read-only PTEs; a writable one is handled in handle_pte_fault().
  for (const a of [Pte.ANON_RO_ZERO, Pte.ANON_RO_DATA]) p.rules[a] = R_UNSHARE_EXCLUSIVE.index;
  for (const a of [Pte.ANON_RW_ZERO, Pte.ANON_RW_DATA]) p.rules[a] = R_UNSHARE_WRITABLE.index;
  return p;
}

export interface FaultOutcome {
  ok: boolean;
  errno: Errno | null;
  message: string | null;
  failedAt: number;
  map: MapOutcome | null;
}

/**
 * Faults each page of `ranges` in order. Fails with -EFAULT (SIGSEGV) for pages outside guest RAM
 * or writes to a non-writable VMA, and with -ENOMEM (VM_FAULT_OOM) if the allocations would pass
 * the host's memory limit; in both cases nothing changes.
 */
export function fault(
  mm: Mm,
  access: "read" | "write" | "unshare",
  ranges: Ranges,
  content: Content,
  rec: Recorder,
  limit: number,
  budgetBytes: number,
  /** A read through a read-only FOLL_PIN (process_vm_readv()): KSM pages are unshared first. */
  pin = false,
): FaultOutcome {
  if (access === "unshare" && !mm.has("unshareFault")) {
    rec.step(R_NO_UNSHARE_FLAG.index);
    return {
      ok: false,
      errno: "EINVAL",
      message: `no FAULT_FLAG_UNSHARE before v5.19 (this kernel: ${mm.kernelVersion})`,
      failedAt: ranges[0] ?? 0,
      map: null,
    };
  }
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    if (!mm.covers(first, count)) {
      rec.step(R_SIGSEGV.index);
      return {
        ok: false,
        errno: "EFAULT",
        message: `pages ${first}..${first + count - 1} lie outside guest RAM`,
        failedAt: first,
        map: null,
      };
    }
    let bad = -1;
    let readOnly = false;
    mm.forEachVmaPiece(first, count, (vma, f) => {
      // The memfd is mapped shared and writable: a write needs no COW.
      const writableKind = (vma.flags & (VmFlag.COW | VmFlag.SHMEM)) !== 0;
      if (bad < 0 && access === "write" && (!(vma.flags & VmFlag.WRITE) || !writableKind)) {
        bad = f;
        readOnly = !(vma.flags & VmFlag.WRITE);
      }
    });
    if (bad >= 0) {
      rec.step(readOnly ? R_SIGSEGV.index : R_NONCOW_WRITE.index);
      return {
        ok: false,
        errno: "EFAULT",
        message: readOnly
          ? `write to a VMA that is not writable at page ${bad} (SIGSEGV)`
          : `write to the non-COW (DAX-like) mapping at page ${bad}: such writes are not modelled`,
        failedAt: bad,
        map: null,
      };
    }
  }
  const makePlan =
    access === "read"
      ? pin
        ? (vma: Vma) => pinReadPlan(mm, vma)
        : (vma: Vma) => readPlan(mm, vma)
      : access === "write"
        ? (vma: Vma) => writePlan(vma, content)
        : (vma: Vma) => unsharePlan(mm, vma);
  // A plan depends on the mm (which one event does not change) and the VMA's flags: one per flags
  // value for the whole event, however many ranges and pieces it walks.
  const plans = new Map<number, Plan>();
  const planFor = (vma: Vma): Plan => {
    let p = plans.get(vma.flags);
    if (!p) {
      p = makePlan(vma);
      plans.set(vma.flags, p);
    }
    return p;
  };

  const oom = (page: number): FaultOutcome => ({
    ok: false,
    errno: "ENOMEM",
    message: `VM_FAULT_OOM: host "${mm.host.name}" has no memory left for page ${page}`,
    failedAt: page,
    map: null,
  });
  const thp = hugeFaultsPossible(mm);
  // A limit the fault cannot reach even at its worst changes nothing: run it as unlimited, without
  // pricing it or keeping an undo copy of the page tables (the walk then takes whole stretches).
  const finite = Number.isFinite(budgetBytes) && mostBytes(mm, ranges, thp) > budgetBytes;
  if (!thp && ranges.length <= 2) {
    // One range, 4 KiB pages only: price it in one pass before touching anything.
    if (finite) {
      const cost = costRanges(mm, ranges, planFor, true, budgetBytes);
      if (cost.failsAt >= 0) return oom(cost.failsAt);
    }
    const map = mapRanges(mm, ranges, planFor, rec, { alloc: true, limit });
    return { ok: true, errno: null, message: null, failedAt: -1, map };
  }
  // Several ranges (a later one may revisit pages an earlier one changed) or huge PMDs (whose
  // allocations depend on what is left): walk piece by piece, pricing each piece against what the
  // pieces before it left, and undo everything if one does not fit.
  const saved = finite ? mm.pt.clone() : null;
  const scratch = finite ? new Recorder() : rec;
  const out = faultByPiece(mm, access, ranges, content, planFor, scratch, limit, { left: budgetBytes }, thp);
  if (out.failsAt >= 0) {
    mm.pt.release();
    mm.pt = saved!;
    return oom(out.failsAt);
  }
  // The undo copy is not needed: the page tables write in place again.
  saved?.release();
  if (scratch !== rec) rec.merge(scratch);
  return { ok: true, errno: null, message: null, failedAt: -1, map: out };
}
/**
 * The most memory a fault over `ranges` can allocate: a page for every page it visits (or, where
 * huge PMDs are possible, a 2 MiB THP for every table it touches) and a PTE table with all its
 * upper tables for every table it touches. Ranges that overlap count twice.
 */
function mostBytes(mm: Mm, ranges: Ranges, thp: boolean): number {
  const g = mm.geometry;
  let tableBytes = g.pteTableMemBytes;
  for (const u of g.upper) tableBytes += u.memBytes;
  let bytes = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const count = ranges[i + 1]!;
    if (count === 0) continue;
    const tables = mm.pt.tableOf(ranges[i]! + count - 1) - mm.pt.tableOf(ranges[i]!) + 1;
    bytes += (thp ? Math.max(count, tables * g.ptesPerTable) : count) * PAGE_SIZE + tables * tableBytes;
  }
  return bytes;
}

/**
 * The fault walk in pieces: one piece per range, or, when huge PMDs are possible, per page table
 * for tables a huge PMD maps or could map (they take the mm/huge_memory.c path) and per stretch of
 * consecutive tables that can only take the PTE path (ptePathOnly), walked as one piece with
 * effects recorded in table order, exactly as a walk table by table would record them. With a
 * finite budget each piece is priced (costRanges) before it runs and the budget left shrinks as
 * pieces allocate; `failsAt` >= 0 reports the page that would pass the host's limit (the caller
 * restores the page tables).
 */
function faultByPiece(
  mm: Mm,
  access: "read" | "write" | "unshare",
  ranges: Ranges,
  content: Content,
  planFor: (vma: Vma) => Plan,
  rec: Recorder,
  limit: number,
  budget: { left: number },
  thp: boolean,
): MapOutcome & { failsAt: number } {
  const pt = mm.pt;
  let processed = 0;
  for (let i = 0; i < ranges.length && processed < limit; i += 2) {
    const end = ranges[i]! + ranges[i + 1]!;
    let page = ranges[i]!;
    while (page < end && processed < limit) {
      const table = pt.tableOf(page);
      const vma = mm.vmaAt(page)!;
      let pieceEnd = end;
      if (thp) {
        pieceEnd = Math.min(end, pt.ptes.chunkEnd(table), page + (limit - processed));
        if (ptePathOnly(mm, vma, table, access)) {
          // Take the following tables along while they, too, can only take the PTE path (each in the
          // VMA its piece starts in).
          const stop = Math.min(end, page + (limit - processed));
          const lastTable = pt.tableOf(stop - 1);
          let t = table + 1;
          while (t <= lastTable) {
            const v = mm.vmaAt(pt.ptes.chunkStart(t))!;
            const vLast = Math.min(lastTable, pt.tableOf(v.first + v.count - 1));
            t = ptePathOnlyUntil(mm, v, t, access, vLast);
            if (t <= vLast) break;
          }
          pieceEnd = Math.min(stop, pt.ptes.chunkEnd(t - 1));
        } else {
          if (!Number.isFinite(budget.left)) {
            // Tables that each get a huge PMD: the whole stretch at once.
            const stop = Math.min(end, page + (limit - processed));
            const runEnd = hugeFaultRun(mm, vma, table, access, page, stop, content, rec);
            if (runEnd > page) {
              processed += runEnd - page;
              page = runEnd;
              continue;
            }
          }
          const huge = hugeFaultTable(mm, vma, table, access, page, pieceEnd - page, content, rec, budget);
          if (huge === "userfault") return { processed, stoppedAt: page, failsAt: -1 };
          if (huge) {
            processed += pieceEnd - page;
            page = pieceEnd;
            continue;
          }
        }
      }
      if (Number.isFinite(budget.left)) {
        const cost = costRanges(mm, [page, pieceEnd - page], planFor, true, budget.left);
        if (cost.failsAt >= 0) return { processed, stoppedAt: -1, failsAt: cost.failsAt };
        budget.left -= cost.pages * PAGE_SIZE + cost.tableBytes;
      }
      const out = mapRanges(mm, [page, pieceEnd - page], planFor, rec, {
        alloc: true,
        limit: limit - processed,
        tableOrder: thp,
      });
      processed += out.processed;
      if (out.stoppedAt >= 0) return { processed, stoppedAt: out.stoppedAt, failsAt: -1 };
      page = pieceEnd;
    }
  }
  return { processed, stoppedAt: -1, failsAt: -1 };
}
