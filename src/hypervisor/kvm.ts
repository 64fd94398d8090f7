/**
 * KVM as QEMU and the guest drive it (arch/s390/kvm): creating the VM, the guest's first
 * storage-key instruction (kvm_s390_skey_check_enable → s390_enable_skey), KVM_PV_ENABLE, and
 * KVM_S390_SET_SKEYS on a migration destination whose source guest used keys (QEMU's s390-skeys device, kvm_s390_set_skeys()).
 * The kernel side of each is in engine/arch/s390.ts; this room supplies the causes and the
 * decisions QEMU makes around them.
 */
import type { Machine } from "./machine.ts";

export function createVm(m: Machine, mm: number): void {
  m.apply(
    { kind: "kvm_create_vm", mm },
    mm === 0 ? "qemu: kvm_init → kvm_ioctl(KVM_CREATE_VM)" : "qemu (destination): kvm_init → KVM_CREATE_VM",
  );
}

export function guestSkeys(m: Machine): void {
  const r = m.apply(
    { kind: "enable_skeys", mm: m.guestOn, via: "instruction" },
    "guest: first storage-key instruction (ISKE/SSKE/RRBE) → intercept → kvm_s390_skey_check_enable",
  );
  if (!r.ok)
    m.fail(
      `enabling storage keys failed: ${r.message ?? r.errno}; the guest's key instruction fails and QEMU stops the guest`,
    );
}

export function guestPv(m: Machine): void {
  const r = m.apply(
    { kind: "enable_pv", mm: m.guestOn },
    "qemu: s390_machine_protect → s390_pv_vm_enable → KVM_PV_ENABLE (kvm_s390_handle_pv)",
  );
  if (!r.ok) m.fail(`KVM_PV_ENABLE failed: ${r.message ?? r.errno}`);
}

/** The destination restores the source guest's storage keys (s390_storage_keys_load). */
export function restoreSkeys(m: Machine, dst: number): void {
  const src = m.sim.world.mms[0]!;
  if (!src.ctx.usesSkeys) return;
  const r = m.apply(
    { kind: "enable_skeys", mm: dst, via: "set_skeys" },
    "qemu (destination): s390_storage_keys_load → KVM_S390_SET_SKEYS → kvm_s390_set_skeys",
  );
  if (!r.ok) m.fail(`KVM_S390_SET_SKEYS failed on the destination: ${r.message ?? r.errno}`);
}
