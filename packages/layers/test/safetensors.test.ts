import "@convkit/backend-cpu";
import { readFileSync } from "node:fs";
import { ArgumentError, type Tensor, memory, tensor } from "@convkit/core";
import { type JsonTensor, decodeValues } from "@convkit/conformance";
import { describe, expect, test } from "vitest";
import { SafetensorsError, loadSafetensors, saveSafetensors } from "../src/index.js";

// Files and expected values written by tools/fixtures/generate_safetensors.py with real PyTorch.
const DIR = new URL("./fixtures/safetensors/", import.meta.url);
interface ExpectedFile {
  note: string;
  metadata: Record<string, string>;
  tensors: Record<string, JsonTensor & { file_dtype: string }>;
}
const expected = JSON.parse(readFileSync(new URL("expected.json", DIR), "utf8")) as { valid: Record<string, ExpectedFile>; broken: Record<string, string> };
const read = (name: string): Uint8Array => readFileSync(new URL(name, DIR));

/** Values as stored: float32-rounded for float tensors, so -0, NaN and subnormals compare exactly. */
function stored(t: JsonTensor): number[] {
  const values = decodeValues(t);
  return Array.from(t.dtype === "int32" ? Int32Array.from(values) : Float32Array.from(values));
}

function disposeAll(tensors: Record<string, Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}

describe("loadSafetensors reads files written to the spec, with PyTorch's values", () => {
  test.each(Object.entries(expected.valid))("loadSafetensors(%s) gives every tensor with torch's float32/int32 values and the metadata", (file, want) => {
    const before = memory().numTensors;
    const { tensors, metadata } = loadSafetensors(read(file));
    expect({ ...metadata }).toEqual(want.metadata);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(want.tensors).sort());
    for (const [name, t] of Object.entries(want.tensors)) {
      const got = tensors[name];
      expect({ name, dtype: got.dtype, shape: got.shape }).toEqual({ name, dtype: t.dtype, shape: t.shape });
      expect(Array.from(got.dataSync())).toEqual(stored(t));
    }
    disposeAll(tensors);
    expect(memory().numTensors).toBe(before);
  });

  test("loadSafetensors reads PyTorch's I64 num_batches_tracked as a 0-d int32 tensor next to the float32 weights", () => {
    const { tensors } = loadSafetensors(read("f32.safetensors"));
    const n = tensors["bn.num_batches_tracked"];
    expect([n.dtype, n.shape, n.arraySync()]).toEqual(["int32", [], 3]);
    expect(tensors["bn.running_var"].dtype).toBe("float32");
    disposeAll(tensors);
  });

  test("loadSafetensors reads a file from an unaligned view, e.g. inside a larger Buffer", () => {
    const file = read("f32.safetensors");
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    const a = loadSafetensors(big.subarray(3));
    const b = loadSafetensors(new Uint8Array(file).buffer);
    expect(Array.from(a.tensors["conv.weight"].dataSync())).toEqual(Array.from(b.tensors["conv.weight"].dataSync()));
    disposeAll(a.tensors);
    disposeAll(b.tensors);
  });

  test("loadSafetensors rejects something that is not bytes with an ArgumentError", () => {
    expect(() => loadSafetensors("model.safetensors" as unknown as Uint8Array)).toThrow(ArgumentError);
  });
});

// What each broken file must say (the files and what is wrong with them are listed in expected.json).
const BROKEN_MESSAGES: Record<string, RegExp> = {
  "truncated-length.safetensors": /truncated: it has 5 bytes, fewer than the 8-byte header length field/,
  "truncated-header.safetensors": /truncated: the header length field says \d+ bytes but only 22 follow it/,
  "truncated-data.safetensors": /tensor "weight": data_offsets \[8, 32\] reach past the end of the 26-byte data buffer/,
  "header-too-large.safetensors": /header length field says 1099511627776 bytes, more than the format's limit/,
  "invalid-json.safetensors": /header is not valid JSON/,
  "not-an-object.safetensors": /header must be a JSON object, got an array/,
  "invalid-utf8.safetensors": /header is not valid UTF-8/,
  "unknown-dtype.safetensors": /tensor "weight" has unknown dtype "F33"; safetensors dtypes are BOOL, .*F64, I64, U64/,
  "unsupported-dtype.safetensors": /tensor "bias" has dtype F8_E4M3, which convkit cannot load/,
  "shape-mismatch.safetensors": /tensor "weight": shape \[2,4\] of F32 needs 32 bytes \(8 x 4\), but data_offsets \[0, 24\] hold 24/,
  "dtype-size-mismatch.safetensors": /tensor "weight": shape \[2,3\] of F64 needs 48 bytes/,
  "offsets-outside.safetensors": /tensor "bias": data_offsets \[32, 40\] reach past the end of the 32-byte data buffer/,
  "offsets-reversed.safetensors": /tensor "bias": data_offsets \[32, 24\] end before they begin/,
  "offsets-overlap.safetensors": /tensor "bias" at data_offsets \[16, 24\] overlaps tensor "weight", which ends at 24/,
  "offsets-hole.safetensors": /tensor "bias" at data_offsets \[28, 32\] leaves a hole of 4 bytes after tensor "weight"/,
  "trailing-bytes.safetensors": /data buffer has 8 bytes after the last tensor/,
  "non-integer-shape.safetensors": /tensor "weight": shape must be an array of non-negative integers, got \[2.5,2.4\]/,
  "negative-shape.safetensors": /tensor "weight": shape must be an array of non-negative integers, got \[-2,-3\]/,
  "missing-offsets.safetensors": /tensor "weight": data_offsets must be \[begin, end\]/,
  "metadata-not-string.safetensors": /"__metadata__" values must be strings, got 3 for key "epoch"/,
  "i64-overflow.safetensors": /tensor "num_batches_tracked" \(I64\) holds 2147483648 at flat index 1, which does not fit int32/,
  "i64-underflow.safetensors": /tensor "big" \(I64\) holds -2147483649 at flat index 0, which does not fit int32/,
  "u64-overflow.safetensors": /tensor "big" \(U64\) holds 9223372036854775809 at flat index 0, which does not fit int32/,
};

describe("loadSafetensors rejects broken files with a SafetensorsError that says what is wrong", () => {
  test("every broken fixture has an expected message", () => {
    expect(Object.keys(BROKEN_MESSAGES).sort()).toEqual(Object.keys(expected.broken).sort());
  });

  test.each(Object.entries(BROKEN_MESSAGES))("loadSafetensors(%s) throws %s and creates no tensor", (file, message) => {
    const before = memory().numTensors;
    let error: unknown;
    try {
      loadSafetensors(read(file));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SafetensorsError);
    expect((error as Error).message).toMatch(/^loadSafetensors: /);
    expect((error as Error).message).toMatch(message);
    expect(memory().numTensors).toBe(before);
  });

  test("loadSafetensors of an empty byte array reports truncation", () => {
    expect(() => loadSafetensors(new Uint8Array(0))).toThrow(/truncated: it has 0 bytes/);
  });
});

function referenceDict(): Record<string, Tensor> {
  const want = expected.valid["roundtrip-reference.safetensors"].tensors;
  // Insertion order differs from the file's on purpose: the writer sorts.
  const out: Record<string, Tensor> = {};
  for (const name of ["empty", "b", "a", "Z", "a.weight"]) {
    const t = want[name];
    out[name] = tensor(stored(t), t.shape, t.dtype);
  }
  return out;
}

describe("saveSafetensors writes the reference implementation's bytes", () => {
  test("saveSafetensors gives the bytes of the spec-following Python writer for the same F32/I32 tensors and metadata", () => {
    const dict = referenceDict();
    const bytes = saveSafetensors(dict, { framework: "convkit", epoch: "3" });
    expect(Buffer.from(bytes).equals(read("roundtrip-reference.safetensors"))).toBe(true);
    disposeAll(dict);
  });

  // Byte vectors from the reference implementation's own tests (huggingface/safetensors, safetensors/src/tensor.rs).
  test("saveSafetensors of one [1, 2, 3] F32 tensor named attn.0 gives safetensors' test_serialization bytes", () => {
    const t = tensor([0, 1, 2, 3, 4, 5], [1, 2, 3]);
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    const want = [64, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from(header), 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64];
    expect(Array.from(saveSafetensors({ "attn.0": t }))).toEqual(want);
    t.dispose();
  });

  test("saveSafetensors pads the header with spaces to 8 bytes, as safetensors' test_serialization_forced_alignement expects", () => {
    const t = tensor([0, 1, 2, 3, 4, 5], [1, 1, 2, 3]);
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ';
    const bytes = saveSafetensors({ attn0: t });
    expect(Array.from(bytes.subarray(0, 8 + header.length))).toEqual([72, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from(header)]);
    t.dispose();
  });

  test("saveSafetensors({}) and saveSafetensors({}, { framework: 'pt' }) give safetensors' test_empty bytes", () => {
    expect(Array.from(saveSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(saveSafetensors({}, { framework: "pt" }))).toEqual([40, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from('{"__metadata__":{"framework":"pt"}}     ')]);
  });
});

describe("saveSafetensors then loadSafetensors round-trips", () => {
  test("saveSafetensors then loadSafetensors gives identical float32 and int32 data, shapes, dtypes and metadata", () => {
    const dict: Record<string, Tensor> = {
      "layer1.0.conv1.weight": tensor(Float32Array.of(Number.NaN, -0, 0, Number.POSITIVE_INFINITY, -1e-45, 3.4028234663852886e38, 0.1, -7), [2, 1, 2, 2]),
      "bn1.num_batches_tracked": tensor(Int32Array.of(7), []),
      indices: tensor(Int32Array.of(-2147483648, 2147483647, 0), [3]),
      scalar: tensor(2.5),
      empty: tensor(new Float32Array(0), [3, 0, 2]),
      "ünï ✓": tensor([1, 2]),
    };
    // A tensor may be named like an Object.prototype member; it must stay an ordinary key.
    Object.defineProperty(dict, "__proto__", { value: tensor([9]), enumerable: true });
    const { tensors, metadata } = loadSafetensors(saveSafetensors(dict, { format: "pt", note: "ok" }));
    expect({ ...metadata }).toEqual({ format: "pt", note: "ok" });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(dict).sort());
    for (const [name, t] of Object.entries(dict)) {
      expect([name, tensors[name].dtype, tensors[name].shape]).toEqual([name, t.dtype, t.shape]);
      expect(Array.from(tensors[name].dataSync())).toEqual(Array.from(t.dataSync()));
    }
    disposeAll(tensors);
    disposeAll(dict);
  });

  test("saveSafetensors accepts a Map and writes the same bytes as for the equivalent record", () => {
    const dict = referenceDict();
    const map = new Map(Object.entries(dict));
    expect(Buffer.from(saveSafetensors(map)).equals(Buffer.from(saveSafetensors(dict)))).toBe(true);
    disposeAll(dict);
  });

  test("loadSafetensors reads back every F16/BF16/F64 file re-saved as F32 unchanged", () => {
    for (const file of ["f16.safetensors", "bf16.safetensors", "f64.safetensors", "ints.safetensors"]) {
      const first = loadSafetensors(read(file));
      const second = loadSafetensors(saveSafetensors(first.tensors));
      for (const [name, t] of Object.entries(first.tensors)) expect([file, name, Array.from(second.tensors[name].dataSync())]).toEqual([file, name, Array.from(t.dataSync())]);
      disposeAll(first.tensors);
      disposeAll(second.tensors);
    }
  });
});

describe("saveSafetensors argument errors", () => {
  test("saveSafetensors refuses a value that is not a Tensor, naming the key", () => {
    expect(() => saveSafetensors({ weight: [1, 2] as unknown as Tensor })).toThrow(/saveSafetensors: "weight" must be a Tensor, got object/);
  });

  test("saveSafetensors refuses the reserved name __metadata__", () => {
    const t = tensor([1]);
    expect(() => saveSafetensors({ __metadata__: t })).toThrow(ArgumentError);
    t.dispose();
  });

  test("saveSafetensors refuses a metadata value that is not a string", () => {
    expect(() => saveSafetensors({}, { epoch: 3 as unknown as string })).toThrow(/metadata values must be strings, got 3 for key "epoch"/);
  });

  test("saveSafetensors of a disposed tensor throws instead of writing garbage", () => {
    const t = tensor([1]);
    t.dispose();
    expect(() => saveSafetensors({ t })).toThrow(/disposed/);
  });
});
