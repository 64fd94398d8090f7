/**
 * Bookkeeping outside the kernel in words. The trace labels a change of the guest's or QEMU's own
 * page flags by the flag's internal name and value ("guest = 2", "mig.dirty = 1"); on screen a
 * student reads what it means ("the guest puts the pages in its balloon"). Texts keyed by the
 * flag's name and value, as the hypervisor sets them (hypervisor/guest.ts GUEST_*,
 * hypervisor/migration/state.ts *_SET, precopy.ts "mig.pagemap-skipped"); bookkeeping.test.ts
 * checks that every value the hypervisor uses has its words.
 */

/** Flag name → value → what the change means. */
export const BOOKKEEPING_WORDS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  guest: {
    0: "the guest frees the pages (they go back to its free lists)",
    1: "the guest marks the pages in use",
    2: "the guest puts the pages in its balloon",
    3: "the guest's CMM driver takes the pages",
  },
  "mig.dirty": {
    0: "QEMU clears the pages' dirty bits: sent",
    1: "QEMU marks the pages dirty: still to send",
  },
  "mig.received": {
    0: "the destination's QEMU forgets the pages: not received",
    1: "the destination's QEMU marks the pages received",
  },
  "mig.untouched-zero": {
    0: "the destination's QEMU has now written the pages",
    1: "the destination's QEMU marks the zero pages received without touching them",
  },
  "mig.pagemap-skipped": {
    0: "QEMU reads the pages again",
    1: "QEMU skips the pages: pagemap says they were never touched",
  },
};

const CODE = /^([a-z][\w.-]*) = (-?\d+)$/;

/**
 * An event label in words: a bookkeeping code ("guest = 2") becomes its sentence; every other
 * label (a kernel event's, or a note) is returned as it is. An unknown flag is named as a flag,
 * never shown as a bare assignment.
 */
export function labelInWords(label: string): string {
  const m = CODE.exec(label);
  if (!m) return label;
  const [, name, value] = m;
  const words = BOOKKEEPING_WORDS[name!]?.[Number(value)];
  if (words) return words;
  const who = name!.startsWith("mig.") ? "QEMU" : "the guest";
  return `${who} sets its “${name!.replace(/^mig\./, "")}” flag to ${value} for the pages`;
}

const CODE_IN_TEXT = /\b((?:guest|mig\.[a-z-]+)) = (-?\d+)/g;

/** A sentence with every bookkeeping code in it in words (sentences the compare room builds from labels). */
export function codesInWords(text: string): string {
  return text.replace(CODE_IN_TEXT, (code) => labelInWords(code));
}
