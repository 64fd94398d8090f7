/**
 * The guest's /init: a busybox shell script. It loads the virtio modules, then runs the guest's
 * part of a scenario one step at a time, printing a marker line on the serial console after each
 * and waiting for a line on the console before the next, so that the host measures QEMU while the
 * guest is idle:
 *
 *   QC:modules                     the balloon driver is loaded
 *   QC:hold pages=<n> ...          memfill wrote <qc_data> MiB of data and keeps it
 *   QC:fill pages=<n> ...          memfill wrote all free memory but <qc_leave> MiB and freed it
 *   QC:idle                        nothing more; the guest idles (the host inflates the balloon)
 *   QC:error <what>                something failed; the host stops the scenario
 *
 * The sizes come from the kernel command line (qc_data=, qc_leave=): the kernel hands parameters
 * it does not know to init as environment variables.
 */
export function initScript(modules: readonly string[]): string {
  return `#!/bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for m in ${modules.join(" ")}; do
  insmod /lib/modules/$m.ko || echo "QC:error insmod $m"
done
echo QC:modules
read -r go
memfill hold "\${qc_data:-256}" || echo "QC:error memfill hold"
read -r go
memfill fill "\${qc_leave:-48}" || echo "QC:error memfill fill"
echo QC:idle
while :; do sleep 3600; done
`;
}
