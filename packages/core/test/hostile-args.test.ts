/**
 * Arguments no op may turn into a TypeError, a RangeError or a silent default: each is a ConvkitError
 * naming the op, the parameter and the value, thrown before any kernel runs (the stub backend below
 * only stores data; a kernel call would fail the test with a TypeError).
 */
import {
  ArgumentError,
  type Backend,
  BackendError,
  type DataHandle,
  type KernelTensor,
  ShapeError,
  type TypedArray,
  adaptiveAvgPool2d,
  add,
  addScalar,
  arange,
  matmul,
  maxPool2d,
  mulScalar,
  noGrad,
  pad,
  rand,
  registerBackend,
  setBackend,
  tensor,
  tidy,
  unfold,
  zeros,
} from "@convkit/core";
import { beforeAll, describe, expect, it } from "vitest";

function storageOnly(): Backend {
  const handle = (data: TypedArray): DataHandle => ({ data });
  const data = (x: KernelTensor): TypedArray => (x.handle as { data: TypedArray }).data;
  const stub: Partial<Backend> = {
    name: "storage-only",
    upload: (values) => handle(values),
    download: async (x) => data(x).slice(),
    downloadSync: (x) => data(x).slice(),
    release: () => undefined,
    memory: () => ({ numBuffers: 0, numBytes: 0 }),
    reshape: (x) => handle(data(x)),
  };
  return stub as Backend;
}

beforeAll(async () => {
  registerBackend("storage-only", storageOnly, { priority: 0 });
  await setBackend("storage-only");
});

function expectError(fn: () => unknown, cls: typeof ArgumentError | typeof ShapeError | typeof BackendError, ...fragments: string[]): void {
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(cls);
  for (const f of fragments) expect((error as Error).message).toContain(f);
}

describe("functions given where values belong", () => {
  it("tidy(null) and noGrad('x') throw an ArgumentError instead of a TypeError", () => {
    expectError(() => tidy(null as unknown as () => void), ArgumentError, "tidy: fn must be a function", "null");
    expectError(() => noGrad("x" as unknown as () => void), ArgumentError, "noGrad: fn must be a function", '"x"');
  });
});

describe("backend registration", () => {
  it("registerBackend rejects an empty name, a factory that is not a function and a NaN priority", () => {
    expectError(() => registerBackend("", storageOnly), ArgumentError, "registerBackend: name must be a non-empty string");
    expectError(() => registerBackend("x", {} as never), ArgumentError, 'registerBackend: factory for "x" must be a function');
    expectError(() => registerBackend("x", storageOnly, { priority: Number.NaN }), ArgumentError, 'registerBackend: priority for "x" must be a finite number, got NaN');
  });
});

describe("scalar operands", () => {
  it("mulScalar(x, undefined) and addScalar(x, '1') throw rather than multiply by 0 or add a string", () => {
    const x = zeros([2]);
    expectError(() => mulScalar(x, undefined as unknown as number), ArgumentError, "mulScalar: scalar must be a number", "undefined");
    expectError(() => addScalar(x, "1" as unknown as number), ArgumentError, "addScalar: scalar must be a number", '"1"');
    x.dispose();
  });
});

describe("options objects", () => {
  it("maxPool2d(x, 3, tensor) refuses a Tensor where the options object belongs, naming its shape", () => {
    const x = zeros([1, 1, 4, 4]);
    expectError(() => maxPool2d(x, 3, x as never), ArgumentError, "maxPool2d: options must be an object", "a Tensor of shape [1, 1, 4, 4]", "{ bias }");
    x.dispose();
  });

  it("rand(shape, { generator: {} }) needs a convkit Generator, and rand(shape, 5) an options object", () => {
    expectError(() => rand([2], { generator: {} as never }), ArgumentError, "rand: generator must be a convkit Generator");
    expectError(() => rand([2], 5 as never), ArgumentError, "rand: options must be an object", "got 5");
  });

  it("tensor(values, 2) refuses a shape that is not an array instead of failing to spread it", () => {
    expectError(() => tensor([1, 2], 2 as never), ArgumentError, "tensor: shape must be an array of non-negative integers, got 2");
  });
});

describe("disposed tensors", () => {
  it("add(disposed, 1), disposed.reshape and disposed.dataSync name the op in their BackendError", () => {
    const d = zeros([2]);
    d.dispose();
    expectError(() => add(d, 1), BackendError, "add: input (shape [2]) was disposed");
    expectError(() => d.reshape([1, 2]), BackendError, "reshape: tensor of shape [2] was disposed");
    expectError(() => d.dataSync(), BackendError, "dataSync: tensor of shape [2] was disposed");
  });
});

describe("sizes no tensor can hold (more than 2^31 - 1 elements) are a ShapeError, not a RangeError", () => {
  it("zeros([1e6, 1e6]) and arange(0, 1e12)", () => {
    expectError(() => zeros([1e6, 1e6]), ShapeError, "zeros", "[1000000, 1000000]", "1000000000000 elements", "2147483647");
    expectError(() => arange(0, 1e12), ShapeError, "arange", "[1000000000000]");
  });

  it("adaptiveAvgPool2d(x, 1e9) names the op, outputSize and the input shape", () => {
    const x = zeros([1, 2, 5, 5]);
    expectError(() => adaptiveAvgPool2d(x, 1e9), ShapeError, "adaptiveAvgPool2d", "output plane", "outputSize 1000000000", "[1, 2, 5, 5]");
    x.dispose();
  });

  it("unfold(x, 2, { padding: 1e5 }) names the block counts and the input shape", () => {
    const x = zeros([1, 2, 5, 5]);
    expectError(() => unfold(x, 2, { padding: 1e5 }), ShapeError, "unfold: the output of shape [1, 8, 40001600016]", "blocks [200004, 200004]", "[1, 2, 5, 5]");
    x.dispose();
  });

  it("add([1e5, 1] tensor, [1e5] tensor) and matmul of a 1e5 column by a 1e5 row name both shapes", () => {
    const col = zeros([1e5, 1]);
    const row = zeros([1, 1e5]);
    expectError(() => add(col, zeros([1e5])), ShapeError, "add: the broadcast result of shape [100000, 100000]", "(shapes [100000, 1] and [100000])");
    expectError(() => matmul(col, row), ShapeError, "matmul: the output of shape [100000, 100000]", "(shapes [100000, 1] and [1, 100000])");
    col.dispose();
    row.dispose();
  });

  it("pad(x, [1e6, 1e6, 1e6, 1e6]) names the pads and the input shape", () => {
    const x = zeros([1, 2, 5, 5]);
    expectError(() => pad(x, [1e6, 1e6, 1e6, 1e6]), ShapeError, "pad: the output of shape [1, 2, 2000005, 2000005]", "input shape [1, 2, 5, 5]");
    x.dispose();
  });
});
