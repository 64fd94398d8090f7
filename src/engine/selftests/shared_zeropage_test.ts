/**
 * The s390 KVM selftest that came with 06201e00, tools/testing/selftests/kvm/s390x/
 * shared_zeropage_test.c (bc54d7c6050e, v6.10), run against the model instead of a kernel: the
 * same steps in the same order, the same three checks, TAP output as kselftest prints it.
 *
 *   mmap 3 pages PROT_READ, MAP_PRIVATE | MAP_ANON, MADV_NOHUGEPAGE        (page0, page1, page2)
 *   read page0; TEST_REQUIRE(maps_shared_zeropage(page0) == 1)             else skip
 *   vm_create_with_one_vcpu()                                              KVM_CREATE_VM
 *   read page1; "Shared zeropages should be enabled"   page1 is the zeropage
 *   run the guest: SSKE                                                    storage keys enabled
 *               "Shared zeropage should be gone"       page1 is not the zeropage
 *   read page2; "Shared zeropages should be disabled"  page2 is not the zeropage
 *
 * maps_shared_zeropage() asks PAGEMAP_SCAN for PAGE_IS_PFNZERO (Linux 6.7+); without it the ioctl
 * fails and TEST_REQUIRE skips. The memory is the test process's own, not the guest's: the zeropage
 * is allowed or forbidden per process (mm). On the kernels of the series: fa41ba0d fails check 1,
 * 06201e00 passes all three, and 06201e00 as posted in v2 (the missing #define) fails check 3.
 */
import { applyEvent } from "../kernel.ts";
import { type MmConfig, VmFlag } from "../mm.ts";
import { isZeropage } from "../pte.ts";
import { ruleAt } from "../rules.ts";
import { VARIANTS, type VariantId, versionAtLeast } from "../variants.ts";
import { World } from "../world.ts";

export interface SelftestCheck {
  readonly n: number;
  readonly description: string;
  readonly ok: boolean;
  /** What the model found at the page, in words ("the shared zeropage", "an anonymous page"). */
  readonly found: string;
  /** The rules that decided it: those of the event that last touched the page. */
  readonly rules: readonly string[];
}

export interface SelftestReport {
  readonly test: "shared_zeropage_test";
  readonly kernel: VariantId;
  readonly kernelVersion: string;
  /** Why the test skipped (kselftest's message), or null when it ran its checks. */
  readonly skip: string | null;
  readonly checks: readonly SelftestCheck[];
  /** kselftest's exit status: 0 pass, 1 fail, 4 skip (KSFT_PASS, KSFT_FAIL, KSFT_SKIP). */
  readonly exitCode: 0 | 1 | 4;
  readonly tap: string;
}

const PLAN = 3;
const DESCRIPTIONS = [
  "Shared zeropages should be enabled",
  "Shared zeropage should be gone",
  "Shared zeropages should be disabled",
] as const;
const REQUIRE = "maps_shared_zeropage(pagemap_fd, page0) == 1";

function tapOf(skip: string | null, checks: readonly SelftestCheck[]): string {
  const lines = ["TAP version 13", `1..${PLAN}`];
  if (skip !== null) {
    // ksft_exit_skip() after a plan: "ok <next> # SKIP <msg>", then exit(KSFT_SKIP).
    lines.push(`ok 1 # SKIP - ${REQUIRE}`, `# ${skip}`);
    return `${lines.join("\n")}\n`;
  }
  for (const c of checks) lines.push(`${c.ok ? "ok" : "not ok"} ${c.n} ${c.description}`);
  const pass = checks.filter((c) => c.ok).length;
  lines.push(`# Totals: pass:${pass} fail:${checks.length - pass} xfail:0 xpass:0 skip:0 error:0`);
  return `${lines.join("\n")}\n`;
}

/** Runs shared_zeropage_test.c on the model of `kernel` (at `kernelVersion`, default its tag). */
export function sharedZeropageTest(kernel: VariantId, kernelVersion?: string): SelftestReport {
  const v = VARIANTS[kernel];
  const version = kernelVersion ?? v.sourceTag.replace(/^v/, "");
  const report = (skip: string | null, checks: SelftestCheck[]): SelftestReport => ({
    test: "shared_zeropage_test",
    kernel,
    kernelVersion: version,
    skip,
    checks,
    exitCode: skip !== null ? 4 : checks.every((c) => c.ok) ? 0 : 1,
    tap: tapOf(skip, checks),
  });
  if (v.arch !== "s390x")
    return report("the test is s390x's (selftests/kvm/s390x): it does not build here", []);
  const cfg: MmConfig = {
    name: "shared_zeropage_test",
    host: {
      name: "host",
      memLimitBytes: Number.POSITIVE_INFINITY,
      ksmRun: false,
      ksmUseZeroPages: false,
      thp: "never",
    },
    variant: kernel,
    kernelVersion: version,
    pages: 3,
    // PROT_READ, MAP_PRIVATE | MAP_ANON: a COW mapping without VM_WRITE; MADV_NOHUGEPAGE.
    vmaFlags: VmFlag.COW | VmFlag.NOHUGEPAGE,
  };
  const w = new World([cfg]);
  const mm = w.mms[0]!;
  const rulesAt = new Map<number, string[]>();
  const run = (e: Parameters<typeof applyEvent>[1], page?: number) => {
    const r = applyEvent(w, e);
    const ids = [
      ...new Set([...r.rec.effects.map((x) => ruleAt(x.rule).id), ...r.rec.steps.map((s) => ruleAt(s).id)]),
    ];
    if (page !== undefined) rulesAt.set(page, ids);
    return r;
  };
  const read = (page: number) => run({ kind: "fault", mm: 0, access: "read", ranges: [page, 1] }, page);
  const zero = (page: number) => isZeropage(mm.pt.ptes.get(page));
  const check = (n: number, ok: boolean, page: number): SelftestCheck => ({
    n,
    description: DESCRIPTIONS[n - 1]!,
    ok,
    found: zero(page)
      ? "the shared zeropage"
      : mm.pt.ptes.get(page) === 0
        ? "nothing (none)"
        : "a page of its own",
    rules: rulesAt.get(page) ?? [],
  });

  // maps_shared_zeropage() needs PAGEMAP_SCAN with PAGE_IS_PFNZERO (v6.7).
  if (!versionAtLeast(version, 6, 7)) {
    return report(`PAGEMAP_SCAN (PAGE_IS_PFNZERO) came in Linux 6.7; this kernel is ${version}`, []);
  }
  read(0);
  if (!zero(0))
    return report("a read fault maps no shared zeropage in this process, so the test cannot tell", []);
  const vm = run({ kind: "kvm_create_vm", mm: 0 });
  if (!vm.ok) return report(`KVM_CREATE_VM failed: ${vm.message ?? vm.errno}`, []);
  read(1);
  const c1 = check(1, zero(1), 1);
  run({ kind: "enable_skeys", mm: 0, via: "instruction" }, 1);
  const c2 = check(2, !zero(1), 1);
  read(2);
  const c3 = check(3, !zero(2), 2);
  return report(null, [c1, c2, c3]);
}
