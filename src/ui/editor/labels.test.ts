/** The editor's problems are named in the form's words. */
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../scenario/schema.ts";
import { FIELD_LABELS, fieldLabel, placeOf } from "./labels.ts";

describe("placeOf", () => {
  it("names actions as the form numbers them, with the field's label", () => {
    expect(placeOf("actions[1].size")).toBe("Action 2 · size");
    expect(placeOf("actions[0]")).toBe("Action 1");
    expect(placeOf("actions[2].do")).toBe("Action 3");
    expect(fieldLabel("actions[2].do")).toBe("Action 3");
    expect(fieldLabel("actions[1].size")).toBe("size");
  });

  it("names fixed fields by their labels, and a group by the field inside it", () => {
    expect(placeOf("machine.guestRam")).toBe("Guest RAM");
    expect(placeOf("machine.hosts.source")).toBe("Source host memory limit");
    expect(placeOf("")).toBe("the scenario");
  });

  it("every path a schema issue names reads in the form's words, never as a schema path", () => {
    const issues = parseScenario({
      schemaVersion: 1,
      seed: -1,
      machine: { kernel: "s390-fa41ba0d", guestRam: "lots", qemu: { version: "x" } },
      actions: [
        { do: "guest-touch", size: "1GiB" },
        { do: "balloon-inflate", size: "big" },
      ],
    });
    expect(issues.ok).toBe(false);
    if (issues.ok) return;
    for (const i of issues.issues) expect(placeOf(i.path)).not.toMatch(/\[|\]|^machine\.|^actions\./);
    expect(issues.issues.map((i) => placeOf(i.path))).toContain("Action 2 · size");
    expect(Object.keys(FIELD_LABELS)).toContain("machine.guestRam");
  });
});
