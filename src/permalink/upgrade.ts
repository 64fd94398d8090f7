/**
 * Link upgraders: `_upgraders[n]` turns a version n−1 fragment into a version n fragment, one
 * step at a time, before anything else reads it, so the rest of the app only ever sees current
 * links (after Firefox Profiler's url-handling.ts). Each upgrader has a name (after tldraw's
 * migrations) and a before/after example in its comment; upgrade.test.ts runs every example and
 * fails if some upgrader never ran.
 *
 * Upgraders work on the fragment's parameters as a Map of strings: they may rename, drop, add or
 * rewrite parameters, and must never throw. Adding a version: write `_upgraders[LINK_VERSION + 1]`,
 * bump LINK_VERSION (schema.ts), add corpus/v<N>.json with links of the new version, and an entry
 * in CHANGELOG.md.
 */
import { LINK_VERSION } from "./schema.ts";

export type LinkParamMap = Map<string, string>;

export interface Upgrader {
  /** What the step does, as a name: "AddVersionToLegacyFragment". */
  readonly name: string;
  /** Before/after examples: the comment's examples, run by the tests. */
  readonly examples: readonly { readonly before: string; readonly after: string }[];
  up(params: LinkParamMap): void;
}

export const _upgraders: Readonly<Record<number, Upgrader>> = {
  /**
   * 0 → 1, AddVersionToLegacyFragment. Version 0 is the fragment the first app read
   * (src/state/url.ts before links had versions): `preset`, `kernel`, `g` and `step`, no `v`,
   * and malformed values were silently ignored. Version 1 refuses malformed values with an error,
   * so this upgrader drops what version 0 ignored (keeping what those links meant) and any
   * parameter version 0 did not know, then adds v=1.
   *
   *   before: #preset=commit-06201e00&kernel=s390-06201e00&g=table&step=120
   *   after:  #v=1&preset=commit-06201e00&kernel=s390-06201e00&g=table&step=120
   *
   *   before: #preset=teaching-small&kernel=no-such-kernel&step=-3&zoom=2
   *   after:  #v=1&preset=teaching-small
   */
  1: {
    name: "AddVersionToLegacyFragment",
    examples: [
      {
        before: "preset=commit-06201e00&kernel=s390-06201e00&g=table&step=120",
        after: "v=1&preset=commit-06201e00&kernel=s390-06201e00&g=table&step=120",
      },
      {
        before: "preset=teaching-small&kernel=no-such-kernel&step=-3&zoom=2",
        after: "v=1&preset=teaching-small",
      },
    ],
    up(params) {
      // Version 0's rules, as src/state/url.ts had them in commit 8621b15.
      const V0_KERNELS = [
        "s390-2faee8ff",
        "s390-fa41ba0d",
        "s390-fa41ba0d-90a7592d",
        "s390-06201e00",
        "x86_64",
      ];
      const valid: Record<string, (s: string) => boolean> = {
        preset: (s) => /^[a-z0-9-]{1,64}$/.test(s),
        kernel: (s) => V0_KERNELS.includes(s),
        g: (s) => ["action", "table", "pte"].includes(s),
        step: (s) => /^\d{1,12}$/.test(s),
      };
      const kept: [string, string][] = [["v", "1"]];
      for (const [k, test] of Object.entries(valid)) {
        const value = params.get(k);
        if (value !== undefined && test(value)) kept.push([k, value]);
      }
      params.clear();
      for (const [k, value] of kept) params.set(k, value);
    },
  },
};

/**
 * Upgrades `params` (version `from`) to LINK_VERSION in place, one upgrader per version. Calls
 * `_upgraders[n].up` through the table so tests can observe which ran.
 */
export function upgradeParams(params: LinkParamMap, from: number): void {
  for (let n = from + 1; n <= LINK_VERSION; n++) {
    const u = _upgraders[n];
    if (!u) throw new Error(`no upgrader to link version ${n}`);
    u.up(params);
  }
}
