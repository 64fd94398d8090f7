/**
 * The editor's fieldsets for the scenario's fields, one component per fieldset: the scenario
 * itself, the machine, the host kernel's zeropage policy, QEMU. Labels come from labels.ts.
 */
import { ZERO_PAGE_DETECTION_MODES } from "../../scenario/choices.ts";
import { numberOrText } from "./draft.ts";
import { ChoiceField, type FieldProps, FlagField, TextField } from "./fields.tsx";
import { derivedTitle } from "./title.ts";

/** What every field of the form takes: the draft, where edits go, the issues by path. */
export type CommonFieldProps = Pick<FieldProps, "draft" | "onChange" | "issues">;

interface Props {
  readonly common: CommonFieldProps;
  /** The title follows the parameters (title.ts). */
  readonly following: boolean;
  readonly kernels: readonly string[];
}

export function ScenarioFieldsets({ common, following, kernels }: Props) {
  return (
    <>
      <ScenarioIdentity common={common} following={following} />
      <MachineFields common={common} kernels={kernels} />
      <HostZeropageFields common={common} />
      <QemuFields common={common} />
    </>
  );
}

/** The scenario's title (derived from the parameters until typed), description and seed. */
function ScenarioIdentity({ common, following }: Pick<Props, "common" | "following">) {
  return (
    <fieldset>
      <legend>Scenario</legend>
      <TextField
        {...common}
        path="title"
        placeholder={derivedTitle(common.draft) ?? undefined}
        hint={
          following
            ? "Follows the parameters (guest RAM, balloon, source host limit, migration) until you type your own."
            : "Your own title: kept as typed. Type the suggested title to have it follow the parameters again."
        }
      />
      <TextField {...common} path="description" multiline />
      <TextField
        {...common}
        path="seed"
        inputMode="numeric"
        convert={numberOrText}
        hint="Decides which pages hold data and which the balloon takes."
      />
    </fieldset>
  );
}

/** The machine: kernel, architecture, guest RAM, the hosts' memory limits, THP and KSM. */
function MachineFields({ common, kernels }: Pick<Props, "common" | "kernels">) {
  return (
    <fieldset>
      <legend>Machine</legend>
      <ChoiceField {...common} path="machine.kernel" options={kernels} />
      <TextField {...common} path="machine.kernelVersion" placeholder="from the variant" />
      <ChoiceField {...common} path="machine.arch" options={["s390x", "x86_64"]} emptyLabel="the kernel's" />
      <TextField {...common} path="machine.guestRam" placeholder="100GiB" />
      <TextField {...common} path="machine.hosts.source.memLimit" placeholder="unlimited" />
      <TextField {...common} path="machine.hosts.destination.memLimit" placeholder="unlimited" />
      <ChoiceField
        {...common}
        path="machine.thp"
        options={["always", "madvise", "never"]}
        emptyLabel="default (madvise)"
      />
      <FlagField {...common} path="machine.ksm.enabled" defaultValue={false} />
      <FlagField {...common} path="machine.ksm.useZeroPages" defaultValue={false} />
    </fieldset>
  );
}

/** How the x86_64 host kernel maps the shared zeropage. */
function HostZeropageFields({ common }: Pick<Props, "common">) {
  return (
    <fieldset>
      <legend>Host kernel's zeropage policy (x86_64)</legend>
      <p className="zl-hint">
        Upstream kernels map the shared zeropage on every path. Some hosts do not (for example with the boot
        option pvm_no_zero_page=1); <code>npm run kernel-check</code> measures yours.
      </p>
      <FlagField {...common} path="machine.hostZeropage.readFault" defaultValue={true} />
      <FlagField {...common} path="machine.hostZeropage.hugeZeroPage" defaultValue={true} />
      <FlagField {...common} path="machine.hostZeropage.uffdZeropage" defaultValue={true} />
      <FlagField {...common} path="machine.hostZeropage.ksm" defaultValue={true} />
    </fieldset>
  );
}

/** QEMU: version, migration options, zero-page detection, memory backend. */
function QemuFields({ common }: Pick<Props, "common">) {
  return (
    <fieldset>
      <legend>QEMU</legend>
      <TextField {...common} path="machine.qemu.version" placeholder="9.2" />
      <FlagField {...common} path="machine.qemu.multifd" defaultValue={false} />
      <ChoiceField
        {...common}
        path="machine.qemu.zeroPageDetection"
        options={ZERO_PAGE_DETECTION_MODES}
        emptyLabel="QEMU's default"
      />
      <FlagField {...common} path="machine.qemu.postcopyRam" defaultValue={false} />
      <FlagField {...common} path="machine.qemu.memMerge" defaultValue={true} />
      <FlagField {...common} path="machine.qemu.freePageReporting" defaultValue={false} />
      <FlagField {...common} path="machine.qemu.freePageHinting" defaultValue={false} />
      <ChoiceField
        {...common}
        path="machine.qemu.memoryBackend"
        options={["ram", "memfd"]}
        emptyLabel="ram (QEMU's default)"
      />
    </fieldset>
  );
}
