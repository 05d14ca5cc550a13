import * as tf from "@tensorflow/tfjs-core";
import { conv2d, getBackend, listBackends, maxPool2d, relu, setBackend, tensor } from "@convkit/core";
import { describe, expect, it } from "vitest";
import { ENGINE_ORDER, type EngineName, type TfHandle, createTfjsBackend, tfjsEngineReport } from "../src/index.js";
import { shortenLoadError } from "../src/engines.js";

/** The tfjs backend object that holds a tfjs tensor's data. */
function holder(t: tf.Tensor): unknown {
  return (tf.engine().state.tensorInfo.get(t.dataId) as { backend: unknown }).backend;
}

function clTensor(x: { handle: unknown }): tf.Tensor {
  const h = x.handle as TfHandle;
  return (h.cl ?? h.nchw) as tf.Tensor;
}

// The tests in this file share one registry and run in order: the first ones see a fresh import.
describe("engine registration and switching", () => {
  it("tensor() with no backend chosen runs on tfjs-cpu synchronously while tfjs-wasm is still loading", () => {
    const x = tensor([1, -2, 3, -4], [1, 1, 2, 2]);
    expect(x.backend).toBe("tfjs-cpu");
    // 'tfjs' and 'tfjs-wasm' were started by the lookup; a pending wasm start must not block cpu kernels.
    const y = relu(x);
    expect(Array.from(y.dataSync())).toEqual([1, 0, 3, 0]);
    x.dispose();
    y.dispose();
  });

  it("registers 'tfjs' and one backend per engine that loads, below convkit's own 'cpu' priority", () => {
    const names = listBackends().map((b) => b.name);
    expect(names).toContain("tfjs");
    for (const s of tfjsEngineReport().engines) {
      if (s.state === "unavailable") expect(names).not.toContain(s.engine);
      else expect(names).toContain(s.engine);
    }
    expect(names).toContain("tfjs-cpu");
    expect(names).toContain("tfjs-wasm");
    expect(listBackends().every((b) => !b.name.startsWith("tfjs") || b.priority < 1)).toBe(true);
  });

  it("await setBackend('tfjs') picks the best engine that initialises and reports why better ones were not used", async () => {
    await setBackend("tfjs");
    const report = tfjsEngineReport();
    const firstLoadable = report.engines.find((e) => e.state !== "unavailable")?.engine;
    expect(report.chosen).toBe(firstLoadable);
    expect(report.summary).toContain(`uses engine ${report.chosen}`);
    for (const e of report.engines.slice(0, ENGINE_ORDER.indexOf(report.chosen as EngineName))) {
      expect(e.reason, `${e.engine} is better than the chosen engine, so the report says why it is not used`).toBeTruthy();
      expect(report.summary).toContain(`${e.engine}: ${e.reason}`);
    }
    expect(getBackend()).toBe("tfjs");
  });

  it("tensors of tfjs-cpu and tfjs-wasm stay on their own engine when both are used in turn", async () => {
    await setBackend("tfjs-cpu");
    const a = tensor([1, 5, 3, 2, 8, 0, 4, 6, 7], [1, 1, 3, 3]);
    await setBackend("tfjs-wasm");
    const b = tensor([1, 5, 3, 2, 8, 0, 4, 6, 7], [1, 1, 3, 3]);
    const pa = maxPool2d(a, 2, { stride: 1 });
    expect(tf.getBackend()).toBe("cpu");
    const pb = maxPool2d(b, 2, { stride: 1 });
    expect(tf.getBackend()).toBe("wasm");
    const pa2 = maxPool2d(pa, 2);
    expect(Array.from(pa2.dataSync())).toEqual([8]);
    expect(Array.from(pb.dataSync())).toEqual([8, 8, 8, 8]);
    expect(holder(clTensor(a))).toBe(tf.engine().registry.cpu);
    expect(holder(clTensor(pa2))).toBe(tf.engine().registry.cpu);
    expect(holder(clTensor(b))).toBe(tf.engine().registry.wasm);
    expect(holder(clTensor(pb))).toBe(tf.engine().registry.wasm);
    for (const t of [a, b, pa, pb, pa2]) t.dispose();
  });

  it("tf.setBackend switches an initialised engine before its first await (what each kernel call relies on)", async () => {
    await setBackend("tfjs-wasm");
    void tf.setBackend("cpu");
    expect(tf.getBackend()).toBe("cpu");
    void tf.setBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });

  it("conv2d(x, w) on tfjs-wasm with a tfjs-cpu weight fails instead of moving data between engines", async () => {
    await setBackend("tfjs-cpu");
    const w = tensor([1, 1, 1, 1], [1, 1, 2, 2]);
    await setBackend("tfjs-wasm");
    const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(() => conv2d(x, w)).toThrow(/different backends|another backend/);
    x.dispose();
    w.dispose();
  });

  it("createTfjsBackend(engine, name) builds a backend for explicit registration, and rejects unavailable engines with the reason", async () => {
    const b = await createTfjsBackend("tfjs-cpu", "mine");
    expect(b.name).toBe("mine");
    expect(b.engine).toBe("tfjs-cpu");
    for (const s of tfjsEngineReport().engines.filter((e) => e.state === "unavailable")) {
      expect(() => createTfjsBackend(s.engine)).toThrow(s.reason as string);
    }
  });
});

describe("native engine load errors", () => {
  it("a missing tfjs_binding.node is reported as a missing native addon, not as a missing package", () => {
    const e = new Error(
      "The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node. \nPlease run command 'npm rebuild @tensorflow/tfjs-node-gpu --build-addon-from-source' to rebuild the native addon module.",
    );
    const s = shortenLoadError("@tensorflow/tfjs-node-gpu", e);
    expect(s).toMatch(/native addon \(tfjs_binding\.node\) is missing/);
    expect(s).not.toContain("/x/node_modules");
  });

  it("a package that is not installed is reported as not installed", () => {
    const e = Object.assign(new Error("Cannot find module '@tensorflow/tfjs-node'\nRequire stack:\n- /x/y.js"), { code: "MODULE_NOT_FOUND" });
    expect(shortenLoadError("@tensorflow/tfjs-node", e)).toBe("@tensorflow/tfjs-node is not installed");
  });

  it("any other load error keeps only its first line", () => {
    expect(shortenLoadError("@tensorflow/tfjs-node-gpu", new Error("libcudart.so.11.0: cannot open shared object file\nmore"))).toBe(
      "@tensorflow/tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file",
    );
  });
});
