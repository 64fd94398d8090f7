import { describe, expect, it } from "vitest";
import { GiB } from "../../base/units.ts";
import { fieldsFor, firstForm, formOf, specOfForm, statusText, sweepFileName, toggled } from "./form.ts";

const scenario = { machine: { guestRam: "8GiB" }, actions: [] };

describe("the sweep form", () => {
  it("opens on guest RAM from a quarter of the scenario's to all of it, with the preset's first two kernels", () => {
    const form = firstForm(scenario, ["s390-fa41ba0d", "s390-06201e00", "x86_64"], null);
    expect(form.param).toBe("guestRam");
    expect(form.kernels).toEqual(["s390-fa41ba0d", "s390-06201e00"]);
    expect([form.from, form.to, form.points]).toEqual(["2GiB", "8GiB", "4"]);
    // Unknown guest RAM: 16 GiB.
    expect(firstForm({}, null, "x86_64").from).toBe("4GiB");
  });

  it("sweeps the balloon's size, 0 to all of guest RAM, when the scenario inflates a balloon", () => {
    const ballooned = { ...scenario, actions: [{ do: "balloon-inflate", size: "4GiB" }] };
    expect(firstForm(ballooned, null, "x86_64")).toMatchObject({
      param: "balloon",
      from: "0",
      to: "100%",
      points: "11",
    });
  });

  it("without a preset, pairs the run's kernel with the other s390 kernel", () => {
    expect(firstForm(scenario, null, "s390-06201e00").kernels).toEqual(["s390-06201e00", "s390-fa41ba0d"]);
    expect(firstForm(scenario, null, "x86_64").kernels).toEqual(["x86_64", "s390-06201e00"]);
  });

  it("makes a spec from what was typed, and says what is wrong when it cannot", () => {
    const form = { ...firstForm(scenario, null, "s390-06201e00"), from: "1GiB", to: "4GiB", points: "4" };
    const ok = specOfForm(form);
    expect(ok.problem).toBe("");
    expect(ok.spec).toMatchObject({ param: "guestRam", kind: "range", points: 4, from: { bytes: GiB } });
    expect(specOfForm({ ...form, points: "4.5" }).problem).toMatch(/points/);
    expect(specOfForm({ ...form, from: "5GiB" }).problem).toBe("expected from at most to");
    expect(specOfForm({ ...form, kernels: ["x86_64"] })).toEqual({
      spec: null,
      problem: "choose at least two kernels to compare",
    });
  });

  it("reads QEMU versions from a list typed with commas or spaces", () => {
    const form = {
      ...firstForm(scenario, null, "x86_64"),
      param: "qemuVersion" as const,
      qemuVersions: "5.2,  9.2 2.10",
    };
    expect(specOfForm(form).spec).toMatchObject({ kind: "values", values: ["5.2", "9.2", "2.10"] });
  });

  it("shows a sweep's spec as the form that makes it again", () => {
    const form = { ...firstForm(scenario, null, "s390-06201e00"), from: "2GiB", to: "8GiB", points: "3" };
    const spec = specOfForm(form).spec!;
    expect(formOf(spec)).toMatchObject({ from: "2GiB", to: "8GiB", points: "3", kernels: form.kernels });
    expect(specOfForm(formOf(spec)).spec).toEqual(spec);
  });

  it("a choice parameter starts with every option", () => {
    const f = fieldsFor("qemuVersion", scenario);
    expect([f.from, f.to, f.points]).toEqual(["", "", ""]);
  });

  it("keeps toggled choices in the offered order", () => {
    expect(toggled(["c", "a"], "b", true, ["a", "b", "c"])).toEqual(["a", "b", "c"]);
    expect(toggled(["a", "b", "c"], "b", false, ["a", "b", "c"])).toEqual(["a", "c"]);
  });

  it("says how far the sweep got, and names its files after the run", () => {
    expect(statusText("idle", 0, 0, 0)).toBe("Not run yet.");
    expect(statusText("running", 3, 8, 1234)).toBe("3 of 8 runs… · 1.2 s");
    expect(statusText("cancelled", 3, 8, 1000)).toBe("3 of 8 runs · 1.0 s · cancelled");
    expect(sweepFileName(null, "csv")).toBe("sweep-scenario-.csv");
  });
});
