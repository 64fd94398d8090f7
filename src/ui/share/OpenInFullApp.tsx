/** The embed header's way out: the same state in the full app, in a new tab. */
export function OpenInFullApp({ href }: { href: string }) {
  return (
    <a
      className="zl-embed-open"
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      data-testid="open-full"
    >
      Open in full app ↗
    </a>
  );
}
