/**
 * The form's words for every field, by schema path: the labels the editor shows, and the names
 * its problem list uses for the same places ("Action 2 · size", not "actions[1].size"). One table,
 * so a message can never name a field differently from the form.
 */

/** Labels of the fields with a fixed path, in form order. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  title: "Title",
  description: "Description",
  seed: "Seed",
  "machine.kernel": "Kernel variant",
  "machine.kernelVersion": "Host kernel version",
  "machine.arch": "Architecture",
  "machine.guestRam": "Guest RAM",
  "machine.hosts.source.memLimit": "Source host memory limit",
  "machine.hosts.destination.memLimit": "Destination host memory limit",
  "machine.thp": "Transparent huge pages (x86_64)",
  "machine.ksm.enabled": "KSM running (ksm/run)",
  "machine.ksm.useZeroPages": "KSM use_zero_pages",
  "machine.hostZeropage.readFault": "read faults map the zeropage",
  "machine.hostZeropage.hugeZeroPage": "THP reads map the huge zero page",
  "machine.hostZeropage.uffdZeropage": "UFFDIO_ZEROPAGE maps the zeropage",
  "machine.hostZeropage.ksm": "KSM (use_zero_pages) maps the zeropage",
  "machine.qemu.version": "QEMU version",
  "machine.qemu.multifd": "multifd",
  "machine.qemu.zeroPageDetection": "zero-page-detection",
  "machine.qemu.postcopyRam": "postcopy-ram",
  "machine.qemu.memMerge": "mem-merge",
  "machine.qemu.freePageReporting": "virtio-balloon free-page-reporting",
  "machine.qemu.freePageHinting": "virtio-balloon free-page-hint",
  "machine.qemu.memoryBackend": "guest RAM backend (memory-backend-ram / -memfd share=on)",
};

/** The label of a fixed field; an action's own fields are labelled by their names. */
export function fieldLabel(path: string): string {
  const action = /^actions\[(\d+)\]\.(.+)$/.exec(path);
  if (action) return action[2] === "do" ? `Action ${Number(action[1]) + 1}` : action[2]!;
  return FIELD_LABELS[path] ?? path;
}

/**
 * Where an issue is, in the form's words: "Action 2 · size", "Action 3", "Guest RAM", "Actions",
 * "the scenario". A path inside a field group without a field of its own names the nearest
 * labelled field or group it belongs to ("machine.hosts.source" → "Source host memory limit").
 */
export function placeOf(path: string): string {
  if (path === "") return "the scenario";
  if (path === "actions") return "Actions";
  const action = /^actions\[(\d+)\](?:\.(.+))?$/.exec(path);
  if (action) {
    const n = `Action ${Number(action[1]) + 1}`;
    const field = action[2];
    return !field || field === "do" ? n : `${n} · ${field}`;
  }
  // The Exercises section: "Question 2 · tolerance", "Range · balloon".
  const question = /^exercise\.checkpoints\[(\d+)\](?:\.(.+))?$/.exec(path);
  if (question) return `Question ${Number(question[1]) + 1}${question[2] ? ` · ${question[2]}` : ""}`;
  const range = /^exercise\.vary\.(\w+)/.exec(path);
  if (range) return `Range · ${range[1]}`;
  if (path.startsWith("exercise")) return "Exercises";
  if (FIELD_LABELS[path]) return FIELD_LABELS[path]!;
  const inside = Object.keys(FIELD_LABELS).find((k) => k.startsWith(`${path}.`));
  if (inside) return FIELD_LABELS[inside]!;
  const dot = path.lastIndexOf(".");
  return dot > 0 ? placeOf(path.slice(0, dot)) : path;
}
