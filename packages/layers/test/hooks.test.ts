import "@convkit/backend-cpu";
import { ArgumentError, type Tensor, ones, tidy } from "@convkit/core";
import { describe, expect, test } from "vitest";
import { Flatten, Linear, type Module, ReLU, Sequential } from "../src/index.js";

describe("registerForwardPreHook / registerForwardHook", () => {
  test("hooks run around forward with its inputs and output, also when a container calls the child's forward", () => {
    tidy(() => {
      const relu = new ReLU();
      const net = new Sequential(new Flatten(), relu);
      const seen: string[] = [];
      relu.registerForwardPreHook((m, inputs) => seen.push(`pre ${m.typeName} ${(inputs[0] as Tensor).shape}`));
      relu.registerForwardHook((m, _inputs, output) => seen.push(`post ${m.typeName} ${(output as Tensor).shape}`));
      net.forward(ones([2, 3, 2]));
      expect(seen).toEqual(["pre ReLU 2,6", "post ReLU 2,6"]);
    });
  });

  test("remove() unregisters a hook; removing twice is harmless; forward is the class's method again without hooks", () => {
    tidy(() => {
      const lin = new Linear(2, 2);
      let calls = 0;
      const h = lin.registerForwardHook(() => {
        calls++;
      });
      expect(Object.hasOwn(lin, "forward")).toBe(true);
      lin.forward(ones([1, 2]));
      h.remove();
      h.remove();
      lin.forward(ones([1, 2]));
      expect(calls).toBe(1);
      expect(Object.hasOwn(lin, "forward")).toBe(false);
      expect(lin.forward).toBe(Linear.prototype.forward);
    });
  });

  test("pre-hooks run parent first, forward hooks child first, once per call of a module used twice", () => {
    tidy(() => {
      const relu = new ReLU();
      const net = new Sequential(relu, relu);
      const log: string[] = [];
      for (const m of [net, relu] as Module[]) {
        m.registerForwardPreHook((mod) => log.push(`> ${mod.typeName}`));
        m.registerForwardHook((mod) => log.push(`< ${mod.typeName}`));
      }
      net.forward(ones([1]));
      expect(log).toEqual(["> Sequential", "> ReLU", "< ReLU", "> ReLU", "< ReLU", "< Sequential"]);
    });
  });

  test("a hook must be a function", () => {
    expect(() => new ReLU().registerForwardHook(3 as never)).toThrow(new ArgumentError("ReLU.registerForwardHook: hook must be a function, got 3"));
  });
});
