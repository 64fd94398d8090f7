/**
 * `zeropage-lab selftest [--kernel <variant-id> ...] [--json]`: the s390 KVM selftest that came
 * with 06201e00 (tools/testing/selftests/kvm/s390x/shared_zeropage_test.c) run on the model of
 * each kernel, printed as kselftest prints it (TAP). engine/selftests/shared_zeropage_test.ts runs
 * it; the model of 06201e00 as posted in v2 fails check 3, as the real test would have.
 *
 * Exit status: with one --kernel, the selftest's own (0 pass, 1 fail, 4 skip), so a script can
 * use it as it would use the real test; with several (default: every variant), 0, and each
 * kernel's TAP follows a "# kernel: ..." line.
 */
import { type Command, Option } from "commander";
import { sharedZeropageTest, VARIANT_IDS, VARIANTS, type VariantId } from "../../engine/index.ts";
import { ResultExit } from "../errors.ts";
import { writeOut } from "../io.ts";

interface SelftestOptions {
  kernel?: VariantId[];
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("selftest")
    .description("run the kernel's shared_zeropage_test (s390 KVM selftest) on the model, as TAP")
    .addOption(
      new Option("--kernel <variant-id>", "a kernel variant (repeat for several; default: every one)")
        .choices(VARIANT_IDS)
        .argParser((value: string, previous: VariantId[] | undefined) => [
          ...(previous ?? []),
          value as VariantId,
        ]),
    )
    .option("--json", "print a JSON array of reports: checks, rules behind each, TAP, exit code")
    .action((opts: SelftestOptions, cmd: Command) => {
      const kernels = opts.kernel ?? [...VARIANT_IDS];
      const reports = kernels.map((k) => sharedZeropageTest(k));
      if (opts.json) writeOut(cmd, `${JSON.stringify(reports, null, 2)}\n`);
      else if (reports.length === 1) writeOut(cmd, reports[0]!.tap);
      else {
        const blocks = reports.map(
          (r) => `# kernel: ${r.kernel} (${VARIANTS[r.kernel].title}, ${r.kernelVersion})\n${r.tap}`,
        );
        writeOut(cmd, blocks.join("\n"));
      }
      if (reports.length === 1 && reports[0]!.exitCode !== 0) throw new ResultExit(reports[0]!.exitCode);
    });
}
