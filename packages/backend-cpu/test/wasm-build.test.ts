import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("WebAssembly kernels build", () => {
  it("src/simd/kernels-wasm.ts is byte for byte what assembly/*.ts compiles to with the pinned assemblyscript", () => {
    const out = execFileSync(process.execPath, [join(root, "scripts", "build-wasm.mjs"), "--check"], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/reproduces from source/);
  });
});
