/**
 * @convkit/core's backend registry, with the CPU backend as the working fallback. The steps share the
 * registry's module state (fresh for this file) and run in order.
 */
import { BackendError, ConvkitError, getBackend, listBackends, ready, registerBackend, removeBackend, setBackend, tensor } from "@convkit/core";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "../src/index.js";

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as Error,
  );
}

describe("a backend whose initialisation fails is listed as failed with its reason and the next one is used", () => {
  registerBackend(
    "broken",
    () => {
      throw new Error("no GPU adapter found");
    },
    { priority: 10 },
  );
  registerBackend(
    "async-broken",
    async () => {
      throw new Error("device lost");
    },
    { priority: 20 },
  );

  it("registerBackend refuses a name that is taken", () => {
    expect(registerBackend("cpu", () => new CpuBackend("other"))).toBe(false);
    expect(registerBackend("cpu3", () => new CpuBackend("cpu3"))).toBe(true);
  });

  it("creating a tensor skips the failing synchronous factory and falls back to cpu", () => {
    const t = tensor([1, 2]);
    expect(t.backend).toBe("cpu");
    expect(getBackend()).toBe("cpu");
    const broken = listBackends().find((b) => b.name === "broken");
    expect(broken).toMatchObject({ status: "failed", error: "no GPU adapter found", active: false, priority: 10 });
    expect(listBackends().find((b) => b.name === "cpu")).toMatchObject({ status: "ready", active: true });
  });

  it("lists backends best first", () => {
    expect(listBackends().map((b) => b.name)).toEqual(["async-broken", "broken", "cpu", "cpu3", "cpu-portable"]);
  });

  it("an asynchronous factory that rejects is marked failed with its reason, and setBackend reports it", async () => {
    const e = await rejection(setBackend("async-broken"));
    expect(e).toBeInstanceOf(BackendError);
    expect(e).toBeInstanceOf(ConvkitError);
    expect(e.message).toContain('"async-broken"');
    expect(e.message).toContain("device lost");
    expect(listBackends().find((b) => b.name === "async-broken")).toMatchObject({ status: "failed", error: "device lost" });
    expect(getBackend()).toBe("cpu");
  });

  it("setBackend of the failed synchronous backend rejects with its reason", async () => {
    const e = await rejection(setBackend("broken"));
    expect(e).toBeInstanceOf(BackendError);
    expect(e.message).toContain("no GPU adapter found");
  });

  it("setBackend switches to another working backend and ready() reports it", async () => {
    await setBackend("cpu3");
    expect(await ready()).toBe("cpu3");
    expect(tensor([1]).backend).toBe("cpu3");
    await setBackend("cpu");
  });

  it("setBackend of an unknown name rejects with BackendError naming it and the registered ones", async () => {
    const e = await rejection(setBackend("webgpu"));
    expect(e).toBeInstanceOf(BackendError);
    expect(e.message).toContain('"webgpu"');
    for (const name of ["async-broken", "broken", "cpu", "cpu3"]) expect(e.message).toContain(name);
  });

  it("with no working backend left, creating a tensor throws BackendError listing each failure", () => {
    removeBackend("cpu");
    removeBackend("cpu3");
    removeBackend("cpu-portable");
    let err: unknown;
    try {
      tensor([1]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BackendError);
    const msg = (err as Error).message;
    expect(msg).toContain("no backend is available");
    expect(msg).toContain("broken: no GPU adapter found");
    expect(msg).toContain("async-broken: device lost");
  });
});
