/**
 * The ledger (hypervisor/ledger.ts) as a terminal transcript: per host, each command and what it
 * prints, a field the kernel lacks as a comment. The CLI prints it (`run --ledger`) and the app's
 * ledger panel copies it. Types only from below, so the main thread can use it without the engine.
 */
import type { HostLedger } from "../hypervisor/ledger.ts";

export function ledgerText(hosts: readonly HostLedger[], heading: string): string {
  const out: string[] = [`# ${heading}`];
  for (const h of hosts) {
    out.push("", `## ${h.host} host`);
    for (const s of h.sections) {
      out.push(`$ ${s.command}`);
      for (const l of s.lines) out.push(l.missing === null ? l.printed : `# ${l.name}: ${l.missing}`);
    }
  }
  return `${out.join("\n")}\n`;
}
