/**
 * One-character glyphs for PTE states in the grid, keyed by the state's machine name
 * (run.pteStates[].key), so that the finer states read without colour: how a zeropage PTE was
 * placed, and whether an anonymous PTE is read-only or writable (upper case: the page holds data).
 */
export const GLYPHS: Readonly<Record<string, string>> = {
  none: "",
  zero: "0",
  zero_uffd: "u",
  zero_ksm: "k",
  anon_ro_zero: "r",
  anon_ro_data: "R",
  anon_rw_zero: "w",
  anon_rw_data: "W",
  ksm: "K",
  shmem_zero: "s",
  shmem_data: "S",
  cached_zero: "c",
  cached_data: "C",
};

export function stateGlyph(key: string): string {
  return GLYPHS[key] ?? "?";
}
