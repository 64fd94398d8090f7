/**
 * A modal panel on the native <dialog> element: focus moves in and back out, Escape closes it,
 * and the keyboard shortcuts leave it alone (useShortcuts checks dialog[open]).
 */
import { type ReactNode, useEffect, useRef } from "react";

export function Dialog({
  open,
  onClose,
  title,
  className,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`zl-dialog ${className ?? ""}`}
      aria-label={title}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="zl-dialog-head">
        <h2>{title}</h2>
        <button type="button" className="zl-close" onClick={onClose} aria-label={`Close ${title}`}>
          ×
        </button>
      </header>
      <div className="zl-dialog-body">{open && children}</div>
    </dialog>
  );
}
