/**
 * The ledger of a whole machine at one step: per host, the kernel's files (engine/proc/ledger.ts)
 * and what QEMU itself reports: `info balloon` on both, and query-migrate's RAM counters on the
 * source once a migration has started (QEMU's migration/migration.c populate_ram_info(): ram.normal,
 * ram.duplicate, ram.transferred, ram.postcopy-requests).
 *
 * The same function serves the app (at every step, through the worker) and the CLI (`--ledger`);
 * scenario/ledger-text.ts turns it into the transcript both print.
 */
import { MiB, PAGE_SIZE } from "../base/units.ts";
import {
  type Arch,
  kernelLedger,
  type LedgerLine,
  type LedgerSection,
  type MmCounters,
  type VmstatDeltas,
} from "../engine/index.ts";
import { type ExtraKey, PHASE } from "./machine.ts";

export interface HostLedger {
  /** The mm's name: "source" or "destination". */
  readonly host: string;
  readonly sections: readonly LedgerSection[];
}

export interface LedgerInput {
  readonly arch: Arch;
  readonly kernelVersion: string;
  readonly qemuVersion: string;
  /** THP can back guest RAM (x86_64 with THP not "never"). */
  readonly thp: boolean;
  readonly guestRamBytes: number;
  /** Whether the migration (if any) is postcopy, for ram.postcopy-requests. */
  readonly postcopy: boolean;
  readonly hosts: readonly {
    readonly name: string;
    readonly counters: MmCounters;
    readonly vmstat: VmstatDeltas;
  }[];
  /** The hypervisor's counters at this step (the trace's extra columns), by key. */
  readonly extra: (key: ExtraKey) => number;
}

const DOMAIN = "<domain>";

function qmpLine(name: string, value: number, unit: LedgerLine["unit"]): LedgerLine {
  const key = name.replace(/^ram\./, "");
  return { name, value, unit, printed: `"${key}": ${value},`, missing: null };
}

function balloonSection(input: LedgerInput): LedgerSection {
  // HMP hmp_info_balloon(): "balloon: actual=%" PRId64 with the guest's size in MiB, less the
  // balloon (virtio_balloon_stat / actual = ram_size - num_pages * 4 KiB).
  const actual = Math.floor((input.guestRamBytes - input.extra("balloonPages") * PAGE_SIZE) / MiB);
  return {
    source: "QEMU monitor: info balloon",
    command: `virsh qemu-monitor-command ${DOMAIN} --hmp 'info balloon'`,
    lines: [
      { name: "actual", value: actual, unit: "MiB", printed: `balloon: actual=${actual}`, missing: null },
    ],
    note: "MiB the guest may use: its RAM less what its virtio-balloon holds. The pages in the balloon are the ones MADV_DONTNEED emptied on this host.",
  };
}

function migrateSection(input: LedgerInput): LedgerSection | null {
  if (input.extra("migPhase") === PHASE.none) return null;
  const lines = [
    qmpLine("ram.transferred", input.extra("migTransferredBytes"), "bytes"),
    qmpLine("ram.duplicate", input.extra("migDuplicate"), "pages"),
    qmpLine("ram.normal", input.extra("migNormal"), "pages"),
  ];
  if (input.postcopy) lines.push(qmpLine("ram.postcopy-requests", input.extra("migRequests"), "events"));
  return {
    source: "QEMU monitor: query-migrate",
    command: `virsh qemu-monitor-command ${DOMAIN} --pretty '{"execute":"query-migrate"}'`,
    lines,
    note: `The source QEMU's RAM counters (QEMU ${input.qemuVersion}): duplicate counts pages sent as zero pages (found all-zero by buffer_is_zero()), normal the pages sent whole, transferred the bytes on the wire.`,
  };
}

export function machineLedger(input: LedgerInput): HostLedger[] {
  return input.hosts.map((h, i) => {
    const sections = kernelLedger({
      counters: h.counters,
      vmstat: h.vmstat,
      arch: input.arch,
      kernelVersion: input.kernelVersion,
      thp: input.thp,
    });
    const qemu: LedgerSection[] = [];
    // The balloon belongs to the running guest: the source's, until the destination runs it.
    if (i === 0) {
      qemu.push(balloonSection(input));
      const m = migrateSection(input);
      if (m) qemu.push(m);
    }
    return { host: h.name, sections: [...sections, ...qemu] };
  });
}
