/**
 * Presenting, the before/after maps take the height left above the transport bar: everything on
 * one screen. This measures that room for the element behind `ref`, and what the titles and
 * captions around its maps take (`chrome`).
 *
 * Measured again when anything that can move or resize the maps does: the element, the
 * elements above it (its earlier siblings and those of its ancestors: the headline, the step's
 * sentence), its ancestors, and the transport bar, each watched by one ResizeObserver, and the
 * window. Not on every render: each measure is a layout the browser must do at once.
 */
import { type RefObject, useLayoutEffect, useState } from "react";

/** The bar whose top ends the room. */
const BAR = ".controls";

/** The element, its ancestors below <body>, and every earlier sibling of either. */
function elementsThatMove(el: Element): Element[] {
  const out: Element[] = [];
  for (let node: Element | null = el; node && node !== document.body; node = node.parentElement) {
    out.push(node);
    for (let s = node.previousElementSibling; s; s = s.previousElementSibling) out.push(s);
  }
  return out;
}

export function usePresentingRoom(
  ref: RefObject<HTMLElement | null>,
  presenting: boolean,
  initialChrome: number,
): { readonly room: number; readonly chrome: number } {
  const [room, setRoom] = useState(0);
  const [chrome, setChrome] = useState(initialChrome);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!presenting || !el) return;
    const measure = () => {
      const bar = document.querySelector(BAR);
      const bottom = bar ? bar.getBoundingClientRect().top : window.innerHeight;
      setRoom(Math.floor(bottom - el.getBoundingClientRect().top));
      const col = el.querySelector(".ba-map-col");
      if (col) {
        let maps = 0;
        for (const c of col.querySelectorAll("canvas")) maps += c.getBoundingClientRect().height;
        setChrome(Math.ceil(col.getBoundingClientRect().height - maps) + 6);
      }
    };
    measure();
    window.addEventListener("resize", measure);
    if (typeof ResizeObserver === "undefined") return () => window.removeEventListener("resize", measure);
    const ro = new ResizeObserver(measure);
    const bar = document.querySelector(BAR);
    for (const e of [...elementsThatMove(el), ...(bar ? [bar] : [])]) ro.observe(e);
    return () => {
      ro.disconnect();
      window.removeEventListener("resize", measure);
    };
  }, [ref, presenting]);
  return { room, chrome };
}
