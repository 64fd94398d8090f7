/**
 * The selection slice: the page table the table view shows (`selection`), and the PTE whose life
 * `pageHistory` tells (`selectedPage`, its history fetched from the worker, latest-wins).
 */
import { latestWins } from "../latest.ts";
import { type AppState, type PageRef, tableOfPage } from "../store.ts";
import type { Kit } from "./kit.ts";
import type { Cursor } from "./playback.ts";

export interface Histories {
  /** Fetches the selected page's history (or clears it when no page is selected). */
  fetch(): void;
}

export function createHistories({ api, set, get }: Kit): Histories {
  /** A page's history, for the page selected when it answers (else dropped). */
  const histories = latestWins(async ({ runId, page }: { runId: number; page: PageRef }) => {
    const current = () => {
      const h = get().pageHistory;
      return h !== null && h.runId === runId && h.page === page;
    };
    try {
      const entries = await api.history(runId, page.mm, page.page);
      if (current()) set({ pageHistory: { runId, page, status: "ready", entries } });
    } catch {
      if (current()) set({ pageHistory: { runId, page, status: "error", entries: [] } });
    }
  });
  return {
    fetch() {
      const s = get();
      const page = s.selectedPage;
      if (!s.run || !page) {
        histories.drop();
        set({ pageHistory: null });
        return;
      }
      const runId = s.run.runId;
      set({ pageHistory: { runId, page, status: "loading", entries: [] } });
      void histories.ask({ runId, page });
    },
  };
}

export function selectionActions(
  { set, get }: Kit,
  cursor: Cursor,
  histories: Histories,
): Pick<AppState, "select" | "selectPage"> {
  return {
    select(selection) {
      set({ selection });
      cursor.show(get().position);
    },

    selectPage(page) {
      const s = get();
      const cur = s.selectedPage;
      if (page && cur && page.mm === cur.mm && page.page === cur.page) return;
      set({ selectedPage: page });
      histories.fetch();
      // Following a page shows its page table too: the table view and the maps' selection are
      // where the history's events happen.
      const table = page && s.run ? tableOfPage(s.run.trace, page) : null;
      const sel = s.selection;
      if (page && table !== null && (!sel || sel.mm !== page.mm || sel.table !== table))
        get().select({ mm: page.mm, table });
    },
  };
}
