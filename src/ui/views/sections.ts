/**
 * The memory panel's sections (Maps, Page table, Balloon, Migration, Real machine) and which one is open: the
 * one the user picked in the panel's contents bar, or scrolled to. The link carries it (`view=`,
 * link-sync.ts setSection), so a shared link opens the panel at the same section; Back and Forward
 * to an entry with another section scroll there.
 *
 * "Open" is the section under a line just below the pinned contents bar. A pick scrolls its
 * section to the top (as far as the panel can scroll) and is the open one even where the panel
 * cannot bring it to the top (a short last section); while that scroll runs, scrolling does not
 * change the open section.
 */
import { type RefObject, useCallback, useEffect, useRef } from "react";
import type { LinkSection } from "../../state/link-state.ts";
import { useLinkSync, useLinks } from "../share/context.tsx";
import { useApp } from "../store-context.tsx";

export const SECTIONS: readonly { readonly id: LinkSection | null; readonly label: string }[] = [
  { id: null, label: "Maps" },
  { id: "table", label: "Page table" },
  { id: "balloon", label: "Balloon" },
  { id: "migration", label: "Migration" },
  { id: "ledger", label: "Real machine" },
];

/** The element id of a section's container in the memory panel. */
export function sectionElementId(id: LinkSection | null): string {
  return `view-${id ?? "maps"}`;
}

/** How far below the contents bar the line that decides the open section runs, in CSS px. */
const PROBE_PX = 48;

/** The section under the probe line of `panel`. */
function sectionAt(panel: HTMLElement): LinkSection | null {
  const nav = panel.querySelector<HTMLElement>(".center-nav");
  const line = (nav ? nav.getBoundingClientRect().bottom : panel.getBoundingClientRect().top) + PROBE_PX;
  let open: LinkSection | null = null;
  for (const s of SECTIONS) {
    const el = document.getElementById(sectionElementId(s.id));
    if (el && el.getBoundingClientRect().top <= line) open = s.id;
  }
  return open;
}

/**
 * Keeps the open section and the link in step, for the panel behind `panelRef`. Returns `pick`,
 * for the contents bar's buttons: scroll to a section and make it the open one.
 */
export function useSectionInLink(panelRef: RefObject<HTMLElement | null>): (id: LinkSection | null) => void {
  const sync = useLinkSync();
  const section = useLinks((s) => s.section);
  const shown = useApp((s) => s.view !== null);
  const reduced = useApp((s) => s.reducedMotion);
  /** The section the panel was last brought to or found at: the link's changes differ from it. */
  const current = useRef<LinkSection | null>(null);
  /** A scroll we started is running: scroll events are ours, not the user's. */
  const scrolling = useRef(0);

  const scrollTo = useCallback(
    (id: LinkSection | null, smooth: boolean) => {
      current.current = id;
      window.clearTimeout(scrolling.current);
      scrolling.current = window.setTimeout(() => {
        scrolling.current = 0;
      }, 1000);
      document
        .getElementById(sectionElementId(id))
        ?.scrollIntoView({ block: "start", behavior: smooth && !reduced ? "smooth" : "auto" });
    },
    [reduced],
  );

  // The link → the panel: a first load or Back/Forward that names another section.
  useEffect(() => {
    if (!shown || section === current.current) return;
    // After the views have laid out (the maps' height decides where the others start).
    const raf = requestAnimationFrame(() => scrollTo(section, false));
    return () => cancelAnimationFrame(raf);
  }, [section, shown, scrollTo]);

  // The panel → the link: the user scrolled to another section.
  useEffect(() => {
    const panel = panelRef.current;
    if (!panel || !sync) return;
    let raf = 0;
    const onScroll = () => {
      if (scrolling.current) {
        // Our scroll: wait for it to settle (each event pushes the end out).
        window.clearTimeout(scrolling.current);
        scrolling.current = window.setTimeout(() => {
          scrolling.current = 0;
        }, 150);
        return;
      }
      cancelAnimationFrame(raf);
      raf = requestAnimationFrame(() => {
        const id = sectionAt(panel);
        if (id === current.current) return;
        current.current = id;
        sync.setSection(id);
      });
    };
    panel.addEventListener("scroll", onScroll, { passive: true });
    return () => {
      panel.removeEventListener("scroll", onScroll);
      cancelAnimationFrame(raf);
    };
  }, [panelRef, sync]);

  return useCallback(
    (id: LinkSection | null) => {
      scrollTo(id, true);
      sync?.setSection(id);
    },
    [scrollTo, sync],
  );
}
