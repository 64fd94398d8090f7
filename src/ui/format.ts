/** Display helpers shared by views. Formatting only: no kernel semantics. */
// One formatter for the page: Number.prototype.toLocaleString() builds a new Intl.NumberFormat on
// every call (about 0.1 ms each), which adds up when every frame reformats dozens of counters.
const INT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** "10,485,760": an integer with thousands separators (rounded). */
export function formatInt(n: number): string {
  return INT.format(Math.round(n));
}

export function formatBytesShort(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = Number.isInteger(v)
    ? String(v)
    : v >= 100
      ? v.toFixed(0)
      : v >= 10
        ? v.toFixed(1)
        : v.toFixed(2);
  return `${bytes < 0 ? "-" : ""}${text} ${units[i]}`;
}
