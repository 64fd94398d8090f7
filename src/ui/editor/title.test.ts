/** Titles that follow the parameters (title.ts). */
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../scenario/presets/index.ts";
import { setAt } from "./draft.ts";
import { derivedTitle, followTitle, titleIsDerived } from "./title.ts";

const story = () => JSON.parse(JSON.stringify(PRESETS.find((p) => p.id === "commit-06201e00")!.scenario));

describe("derived titles", () => {
  it("the commit's story is titled by its parameters", () => {
    expect(derivedTitle(story())).toBe("100 GiB guest, 40 GiB ballooned, precopy migration");
    expect(titleIsDerived(story())).toBe(true);
  });

  it("presets whose title describes their parameters use exactly the derived title", () => {
    for (const p of PRESETS) {
      const title = (p.scenario as { title?: string }).title ?? "";
      if (/\d+ [KMGT]iB guest, /.test(title)) expect(title, p.id).toBe(derivedTitle(p.scenario));
    }
  });

  it("a derived title follows a changed balloon; a typed one stays", () => {
    const s = story();
    const next = followTitle(setAt(s, "actions[1].size", "20GiB"), titleIsDerived(s));
    expect(next.title).toBe("100 GiB guest, 20 GiB ballooned, precopy migration");
    const own = { ...s, title: "my run" };
    expect(followTitle(setAt(own, "actions[1].size", "20GiB"), titleIsDerived(own)).title).toBe("my run");
  });

  it("keeps the title while a size being typed cannot be read, and follows again after", () => {
    const s = story();
    const half = followTitle(setAt(s, "actions[1].size", "2"), true);
    expect(half.title).toBe("100 GiB guest, 2 B ballooned, precopy migration");
    const bad = followTitle(setAt(s, "actions[1].size", "20G!"), true);
    expect(bad.title).toBe(s.title);
    expect(followTitle(setAt(bad, "actions[1].size", "20GiB"), true).title).toBe(
      "100 GiB guest, 20 GiB ballooned, precopy migration",
    );
  });
});
