/** The editor's draft operations, and that their issue paths are the schema's. */
import { describe, expect, it } from "vitest";
import { presetById } from "../../scenario/presets/index.ts";
import { parseScenario } from "../../scenario/schema.ts";
import {
  ACTION_FIELDS,
  ACTION_KINDS,
  addAction,
  changeKind,
  draftFrom,
  getAt,
  issuesByPath,
  moveAction,
  newAction,
  numberOrText,
  removeAction,
  setAt,
  splitPath,
} from "./draft.ts";

const base = () => draftFrom(presetById("teaching-small")!.scenario, null);

describe("editor draft", () => {
  it("reads and writes by schema path, removing a field set to undefined", () => {
    expect(splitPath("actions[2].size")).toEqual(["actions", 2, "size"]);
    const d = setAt(base(), "machine.qemu.version", "10.1");
    expect(getAt(d, "machine.qemu.version")).toBe("10.1");
    expect(getAt(base(), "machine.qemu")).toBeUndefined();
    const d2 = setAt(d, "actions[1].size", "8MiB");
    expect(getAt(d2, "actions[1].size")).toBe("8MiB");
    expect(getAt(setAt(d2, "actions[1].size", undefined), "actions[1]")).toEqual({ do: "balloon-inflate" });
  });

  it("adds, removes and reorders actions", () => {
    let d = addAction(base(), "guest-skeys");
    expect((d.actions as unknown[]).length).toBe(5);
    expect(getAt(d, "actions[4]")).toEqual({ do: "guest-skeys" });
    d = moveAction(d, 4, -2);
    expect((d.actions as { do: string }[]).map((a) => a.do)).toEqual([
      "guest-touch",
      "balloon-inflate",
      "guest-skeys",
      "guest-read",
      "migrate",
    ]);
    expect(moveAction(d, 0, -1)).toBe(d);
    d = removeAction(d, 2);
    expect((d.actions as unknown[]).length).toBe(4);
  });

  it("makes a valid new action of every kind, and keeps shared fields across a change of kind", () => {
    for (const kind of ACTION_KINDS) {
      const s = { ...base(), actions: [newAction(kind)] };
      const r = parseScenario(s);
      expect(r.ok ? "ok" : r.issues).toBe("ok");
      expect(Object.keys(ACTION_FIELDS[kind])).toEqual(expect.any(Array));
    }
    expect(changeKind({ do: "guest-read", start: "1MiB", size: "2MiB" }, "guest-write")).toEqual({
      do: "guest-write",
      start: "1MiB",
      size: "2MiB",
    });
  });

  it("maps the schema's issue paths to fields", () => {
    const d = setAt(setAt(base(), "actions[0].size", "12345"), "seed", numberOrText("7x"));
    const r = parseScenario(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = issuesByPath(r.issues);
    expect(byPath.get("actions[0].size")?.[0]).toContain("whole 4 KiB pages");
    expect(byPath.get("seed")).toBeDefined();
  });

  it("starts from the kernel actually run, dropping an arch that would contradict it", () => {
    const d = draftFrom(
      {
        schemaVersion: 1,
        machine: { arch: "s390x", kernel: "s390-06201e00", guestRam: "1GiB" },
        actions: [],
      },
      "x86_64",
    );
    expect(d.machine).toEqual({ kernel: "x86_64", guestRam: "1GiB" });
    expect(parseScenario(d).ok).toBe(true);
  });
});
