/** Copying text: the async Clipboard API when the page may use it; otherwise the caller shows the text to copy by hand. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (typeof navigator !== "undefined" && navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Permission denied or no user gesture: fall through.
  }
  return false;
}
