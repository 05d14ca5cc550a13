/**
 * Core's validation and normalisation for the convolution family (conv, convTranspose, pad, cost
 * helpers). Core cannot depend on a backend package, so tensors live on a storage-only stub backend
 * that records the geometry core hands to the conv/pad kernels; every rejected call must throw the
 * right ConvkitError subclass before any kernel runs, with a message naming op, parameter, value and shapes.
 */
import {
  ArgumentError,
  type Backend,
  type ConvGeometry,
  type ConvTransposeGeometry,
  type DataHandle,
  type KernelTensor,
  type PadMode,
  ShapeError,
  type Tensor,
  type TypedArray,
  conv1d,
  conv2d,
  conv3d,
  convMacs,
  convNd,
  convParameterCount,
  convTranspose1d,
  convTranspose2d,
  convTransposeNd,
  pad,
  registerBackend,
  setBackend,
  tensor,
  zeros,
} from "@convkit/core";
import { beforeAll, describe, expect, it } from "vitest";

type ErrorClass = typeof ArgumentError | typeof ShapeError;

interface Recorded {
  conv: ConvGeometry | null;
  convTranspose: ConvTransposeGeometry | null;
  pad: { begin: readonly number[]; end: readonly number[]; mode: PadMode; value: number } | null;
}

const recorded: Recorded = { conv: null, convTranspose: null, pad: null };

/** Storage plus recording conv/pad kernels that return zero-filled outputs of the size core asked for. */
function stubBackend(): Backend {
  const handle = (data: TypedArray): DataHandle => ({ data });
  const data = (x: KernelTensor): TypedArray => (x.handle as { data: TypedArray }).data;
  const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
  const stub: Partial<Backend> = {
    name: "conv-validation-stub",
    upload: (values) => handle(values),
    download: async (x) => data(x).slice(),
    downloadSync: (x) => data(x).slice(),
    release: () => undefined,
    memory: () => ({ numBuffers: 0, numBytes: 0 }),
    reshape: (x) => handle(data(x)),
    conv: (x, w, _b, g) => {
      recorded.conv = g;
      return handle(new Float32Array(x.shape[0] * w.shape[0] * size(g.outShape)));
    },
    convTranspose: (x, w, _b, g) => {
      recorded.convTranspose = g;
      return handle(new Float32Array(x.shape[0] * w.shape[1] * g.groups * size(g.outShape)));
    },
    pad: (x, begin, end, mode, value) => {
      recorded.pad = { begin, end, mode, value };
      return handle(new Float32Array(size(x.shape.map((n, i) => n + begin[i] + end[i]))));
    },
  };
  return stub as Backend;
}

beforeAll(async () => {
  registerBackend("conv-validation-stub", stubBackend, { priority: 0 });
  await setBackend("conv-validation-stub");
});

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to throw, but it returned");
}

/** Asserts the error class and that the message contains every fragment. */
function expectError(fn: () => unknown, cls: ErrorClass, ...fragments: string[]): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(cls);
  for (const f of fragments) expect(e.message).toContain(f);
}

const x4 = (shape: number[] = [1, 4, 5, 5]): Tensor => zeros(shape);

describe("conv: invalid arguments", () => {
  it("conv2d rejects a weight that is not 4-D, naming both shapes", () => {
    expectError(() => conv2d(x4(), zeros([8, 4, 3])), ShapeError, "conv2d", "weight must be 4-D", "[8, 4, 3]", "[1, 4, 5, 5]");
  });

  it("conv2d rejects an input whose channels differ from weight dim 1 x groups", () => {
    expectError(
      () => conv2d(x4(), zeros([8, 3, 3, 3])),
      ShapeError,
      "conv2d",
      "[8, 3, 3, 3]",
      "groups=1",
      "expects 3 input channels",
      "[1, 4, 5, 5]",
      "4 channels",
    );
    expectError(() => conv2d(x4([1, 5, 5, 5]), zeros([4, 2, 3, 3]), { groups: 2 }), ShapeError, "expects 4 input channels", "5 channels");
  });

  it("conv2d rejects groups that do not divide the output channels", () => {
    expectError(() => conv2d(x4(), zeros([3, 2, 3, 3]), { groups: 2 }), ShapeError, "conv2d", "groups=2", "output channels", "[3, 2, 3, 3]");
  });

  it("conv2d rejects groups that are not positive integers", () => {
    expectError(() => conv2d(x4(), zeros([8, 4, 3, 3]), { groups: 0 }), ArgumentError, "conv2d", "groups must be a positive integer", "got 0");
    expectError(() => conv2d(x4(), zeros([8, 4, 3, 3]), { groups: 1.5 }), ArgumentError, "got 1.5");
  });

  it("conv2d rejects padding 'same' with a stride above 1", () => {
    expectError(
      () => conv2d(x4(), zeros([8, 4, 3, 3]), { padding: "same", stride: 2 }),
      ArgumentError,
      "conv2d",
      'padding "same"',
      "stride 1",
      "stride [2, 2]",
    );
  });

  it("conv2d rejects an unknown padding string, negative padding and stride 0", () => {
    expectError(() => conv2d(x4(), zeros([8, 4, 3, 3]), { padding: "full" as "same" }), ArgumentError, "conv2d", "padding", '"full"');
    expectError(() => conv2d(x4(), zeros([8, 4, 3, 3]), { padding: -1 }), ArgumentError, "conv2d", "padding must be non-negative", "-1");
    expectError(() => conv2d(x4(), zeros([8, 4, 3, 3]), { stride: 0 }), ArgumentError, "conv2d", "stride must be positive", "0");
  });

  it("conv2d rejects a kernel larger than the padded input", () => {
    expectError(() => conv2d(x4(), zeros([8, 4, 7, 7])), ShapeError, "conv2d", "kernel size [7, 7]", "larger than the padded input [5, 5]", "[1, 4, 5, 5]");
    expectError(() => conv2d(x4(), zeros([8, 4, 3, 3]), { dilation: 3 }), ShapeError, "effective [7, 7]", "padded input [5, 5]");
  });

  it("conv1d rejects a bias of the wrong length or rank", () => {
    const x = zeros([1, 4, 6]);
    const w = zeros([8, 4, 3]);
    expectError(() => conv1d(x, w, { bias: zeros([7]) }), ShapeError, "conv1d", "bias must be 1-D with 8 elements", "[7]", "[8, 4, 3]");
    expectError(() => conv1d(x, w, { bias: zeros([8, 1]) }), ShapeError, "bias must be 1-D with 8 elements", "[8, 1]");
  });

  it("conv2d rejects int32 input, weight and bias", () => {
    const wi = tensor(new Int32Array(8 * 4 * 9), [8, 4, 3, 3], "int32");
    expectError(
      () => conv2d(tensor(new Int32Array(100), [1, 4, 5, 5], "int32"), zeros([8, 4, 3, 3])),
      ArgumentError,
      "conv2d",
      "input must be float32",
      "int32",
    );
    expectError(() => conv2d(x4(), wi), ArgumentError, "conv2d", "weight must be float32", "int32");
    expectError(() => conv2d(x4(), zeros([8, 4, 3, 3]), { bias: tensor(new Int32Array(8), [8], "int32") }), ArgumentError, "bias must be float32");
  });

  it("conv3d rejects an input of the wrong rank", () => {
    expectError(() => conv3d(zeros([4, 5, 5]), zeros([8, 4, 3, 3, 3])), ShapeError, "conv3d", "input must be 4-D", "5-D", "[4, 5, 5]");
  });

  it("conv2d rejects an unknown paddingMode, and reflect padding as large as the input", () => {
    expectError(() => conv2d(x4(), zeros([8, 4, 3, 3]), { paddingMode: "mirror" as "reflect" }), ArgumentError, "conv2d", "paddingMode", '"mirror"');
    expectError(
      () => conv2d(x4([1, 4, 2, 5]), zeros([8, 4, 3, 3]), { padding: 2, paddingMode: "reflect" }),
      ArgumentError,
      "conv2d",
      "reflect padding must be smaller",
      "size 2",
      "[1, 4, 2, 5]",
    );
    expectError(
      () => conv2d(x4([1, 4, 2, 5]), zeros([8, 4, 3, 3]), { padding: 3, paddingMode: "circular" }),
      ArgumentError,
      "conv2d",
      "circular padding may wrap around at most once",
    );
  });

  it("convNd rejects a weight of rank below 3 or above 5 and negative pads", () => {
    expectError(() => convNd(x4(), zeros([8, 4])), ShapeError, "convNd", "weight must be 3-D to 5-D", "[8, 4]");
    expectError(() => convNd(x4(), zeros([8, 4, 3, 3]), { pads: [[1, -1], 0] }), ArgumentError, "convNd", "pads", "non-negative");
  });
});

describe("conv: options", () => {
  it("conv2d(x, w, null) runs with the defaults, as an omitted options object does", () => {
    const y = conv2d(x4(), zeros([2, 4, 3, 3]), null as never);
    expect(y.shape).toEqual([1, 2, 3, 3]);
    y.dispose();
    const t = convTranspose2d(x4(), zeros([4, 2, 3, 3]), null as never);
    expect(t.shape).toEqual([1, 2, 7, 7]);
    t.dispose();
  });

  it("conv2d(x, w, bias) with torch's positional bias throws instead of ignoring it", () => {
    expectError(() => conv2d(x4(), zeros([2, 4, 3, 3]), zeros([2]) as never), ArgumentError, "conv2d: options must be an object", "Tensor of shape [2]", "{ bias }");
    expectError(() => convTranspose2d(x4(), zeros([4, 2, 3, 3]), zeros([2]) as never), ArgumentError, "convTranspose2d: options must be an object");
  });

  it("conv2d with padding 1e5 and convTranspose2d with stride 1e5 report an output no tensor can hold", () => {
    expectError(() => conv2d(x4(), zeros([2, 4, 3, 3]), { padding: 1e5 }), ShapeError, "conv2d: the output of shape [1, 2, 200003, 200003]", "2147483647", "[1, 4, 5, 5]");
    expectError(() => convTranspose2d(x4(), zeros([4, 2, 3, 3]), { stride: 1e5 }), ShapeError, "convTranspose2d: the output of shape", "stride [100000, 100000]");
  });
});

describe("conv: geometry handed to the backend", () => {
  it("conv2d(x, w, { padding: 'same' }) with an even kernel puts the extra padding at the end", () => {
    conv2d(x4([1, 4, 6, 6]), zeros([2, 4, 4, 2]), { padding: "same" }).dispose();
    expect(recorded.conv).toMatchObject({ padBegin: [1, 0], padEnd: [2, 1], outShape: [6, 6] });
  });

  it("conv2d(x, w, { padding: 1, paddingMode: 'reflect' }) pads with `pad` first and convolves without padding", () => {
    conv2d(x4(), zeros([2, 4, 3, 3]), { padding: [1, 2], paddingMode: "reflect" }).dispose();
    expect(recorded.pad).toMatchObject({ begin: [0, 0, 1, 2], end: [0, 0, 1, 2], mode: "reflect" });
    expect(recorded.conv).toMatchObject({ padBegin: [0, 0], padEnd: [0, 0], outShape: [5, 7] });
  });

  it("convTranspose2d folds outputPadding into the end padding and returns the torch output size", () => {
    const y = convTranspose2d(x4([1, 4, 5, 5]), zeros([4, 3, 3, 3]), { stride: 2, padding: 1, outputPadding: 1 });
    expect(y.shape).toEqual([1, 3, 10, 10]);
    expect(recorded.convTranspose).toMatchObject({ padBegin: [1, 1], padEnd: [0, 0], outShape: [10, 10] });
    y.dispose();
  });
});

describe("convTranspose: invalid arguments", () => {
  it("convTranspose2d rejects outputPadding not smaller than stride or dilation", () => {
    expectError(
      () => convTranspose2d(x4(), zeros([4, 8, 3, 3]), { outputPadding: 1 }),
      ArgumentError,
      "convTranspose2d",
      "outputPadding [1, 1]",
      "stride [1, 1]",
      "dilation [1, 1]",
    );
  });

  it("convTranspose2d rejects an input whose channels differ from weight dim 0", () => {
    expectError(() => convTranspose2d(x4(), zeros([3, 8, 3, 3])), ShapeError, "convTranspose2d", "[3, 8, 3, 3]", "expects 3 input channels", "4 channels");
  });

  it("convTranspose2d rejects groups that do not divide weight dim 0", () => {
    expectError(() => convTranspose2d(x4(), zeros([4, 8, 3, 3]), { groups: 3 }), ShapeError, "convTranspose2d", "groups=3", "[4, 8, 3, 3]");
  });

  it("convTranspose2d rejects a bias that is not [Cout] (weight dim 1 x groups)", () => {
    expectError(() => convTranspose2d(x4(), zeros([4, 4, 3, 3]), { groups: 2, bias: zeros([4]) }), ShapeError, "bias must be 1-D with 8 elements", "[4]");
  });

  it("convTranspose2d rejects padding that leaves no output", () => {
    expectError(
      () => convTranspose2d(x4([1, 4, 1, 1]), zeros([4, 8, 2, 2]), { padding: 1 }),
      ShapeError,
      "convTranspose2d",
      "output size [0, 0] is too small",
      "[1, 4, 1, 1]",
    );
  });

  it("convTranspose1d rejects a weight of the wrong rank", () => {
    expectError(() => convTranspose1d(zeros([1, 4, 5]), zeros([4, 8, 3, 3])), ShapeError, "convTranspose1d", "weight must be 3-D", "[4, 8, 3, 3]");
  });

  it("convTransposeNd rejects a negative padBegin but accepts a negative padEnd", () => {
    expectError(() => convTransposeNd(x4(), zeros([4, 2, 3, 3]), { padBegin: -1 }), ArgumentError, "convTransposeNd", "padBegin must be non-negative");
    const y = convTransposeNd(x4(), zeros([4, 2, 3, 3]), { padBegin: 0, padEnd: [-2, 1] });
    expect(y.shape).toEqual([1, 2, 9, 6]);
    y.dispose();
  });
});

describe("pad: invalid arguments", () => {
  const x = (): Tensor => zeros([1, 3, 4]);

  it("pad rejects an odd number of pads and more pairs than dims", () => {
    expectError(() => pad(x(), [1]), ArgumentError, "pad", "length must be even", "[1]");
    expectError(() => pad(x(), [1, 1, 1, 1, 1, 1, 1, 1]), ArgumentError, "pad", "pads 4 dims", "only 3", "[1, 3, 4]");
  });

  it("pad rejects non-integer pads and an unknown mode", () => {
    expectError(() => pad(x(), [1.5, 1]), ArgumentError, "pad", "array of integers", "1.5");
    expectError(() => pad(x(), [1, 1], "wrap" as PadMode), ArgumentError, "pad", "mode", '"wrap"');
  });

  it("pad(x, pads, 'reflect') rejects padding as large as the dim", () => {
    expectError(() => pad(x(), [4, 0], "reflect"), ArgumentError, "pad", "reflect padding must be smaller", "dim 2", "size 4", "[1, 3, 4]");
  });

  it("pad(x, pads, 'circular') rejects padding that wraps more than once", () => {
    expectError(() => pad(x(), [5, 0], "circular"), ArgumentError, "pad", "at most once", "size 4");
  });

  it("pad with a non-constant mode rejects a value, a wrong input rank and an emptied dim", () => {
    expectError(() => pad(x(), [1, 1], "reflect", 1), ArgumentError, "pad", '"reflect" takes no value', "1");
    expectError(() => pad(zeros([4]), [1, 1], "replicate"), ShapeError, "pad", '"replicate"', "1-D input", "[4]");
    expectError(() => pad(x(), [-2, -2], "replicate"), ShapeError, "pad", "no elements", "dim 2");
  });

  it("pad rejects constant crops below zero", () => {
    expectError(() => pad(x(), [-3, -2]), ShapeError, "pad", "negative padding crops dim 2", "size 4", "[1, 3, 4]");
  });
});

describe("conv cost helpers", () => {
  it("convParameterCount(ResNet conv1: 3->64, 7x7, no bias) is 9408 and adds one bias per output channel", () => {
    expect(convParameterCount({ inChannels: 3, outChannels: 64, kernelSize: [7, 7], bias: false })).toBe(9408);
    expect(convParameterCount({ inChannels: 3, outChannels: 64, kernelSize: [7, 7] })).toBe(9472);
  });

  it("convParameterCount of a depthwise and a transposed conv", () => {
    expect(convParameterCount({ inChannels: 32, outChannels: 32, kernelSize: [3, 3], groups: 32, bias: false })).toBe(288);
    expect(convParameterCount({ inChannels: 64, outChannels: 32, kernelSize: [4, 4], transposed: true })).toBe(64 * 32 * 16 + 32);
  });

  it("convMacs counts outputs x (inChannels / groups) x kernel, or inputs x (outChannels / groups) x kernel when transposed", () => {
    expect(convMacs({ inChannels: 3, outChannels: 64, kernelSize: [7, 7], outputSize: [112, 112] })).toBe(118013952);
    expect(convMacs({ inChannels: 64, outChannels: 32, kernelSize: [4, 4], transposed: true, inputSize: [32, 32], batch: 2 })).toBe(2 * 64 * 1024 * 32 * 16);
  });

  it("convMacs rejects a missing spatial size and groups that do not divide the channels", () => {
    expectError(() => convMacs({ inChannels: 4, outChannels: 4, kernelSize: [3] }), ArgumentError, "convMacs", "outputSize");
    expectError(() => convParameterCount({ inChannels: 4, outChannels: 6, kernelSize: [3], groups: 4 }), ArgumentError, "convParameterCount", "groups=4");
  });
});
