/** Channel and pixel rearrangements, composed in core from reshape + permute (torch's channel orders). */
import { assertTensor } from "../args.js";
import { ShapeError, fmt } from "../errors.js";
import { type Tensor, sizeOf } from "../tensor.js";
import { checkInt } from "./dims.js";
import { permute } from "./permute.js";

function rearrange(input: Tensor, split: readonly number[], perm: readonly number[], outShape: readonly number[]): Tensor {
  const v = input.reshape(split);
  try {
    const p = permute(v, perm);
    const r = p.reshape(outShape);
    p.dispose();
    return r;
  } finally {
    v.dispose();
  }
}

function atLeast3d(op: string, input: Tensor): void {
  assertTensor(op, "input", input);
  if (input.shape.length < 3) throw new ShapeError(`${op}: input must have at least 3 dims, got ${input.shape.length}-D input of shape ${fmt(input.shape)}`);
}

/**
 * Splits dim 1 (channels) of `(N, C, *)` into `groups` groups and interleaves them, like
 * torch.nn.ChannelShuffle: output channel `i * groups + g` is input channel `g * (C / groups) + i`.
 */
export function channelShuffle(input: Tensor, groups: number): Tensor {
  atLeast3d("channelShuffle", input);
  checkInt("channelShuffle", "groups", groups, 1, input.shape);
  const [n, c, ...rest] = input.shape;
  if (c % groups !== 0) throw new ShapeError(`channelShuffle: channels (dim 1, ${c}) must be divisible by groups (${groups}), got input shape ${fmt(input.shape)}`);
  const restPerm = rest.map((_, i) => i + 3);
  return rearrange(input, [n, groups, c / groups, ...rest], [0, 2, 1, ...restPerm], input.shape);
}

/** `(*, C * r², H, W)` to `(*, C, H * r, W * r)`, like F.pixel_shuffle. */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  atLeast3d("pixelShuffle", input);
  const r = checkInt("pixelShuffle", "upscaleFactor", upscaleFactor, 1, input.shape);
  const lead = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3);
  if (c % (r * r) !== 0) {
    throw new ShapeError(`pixelShuffle: channels (dim -3, ${c}) must be divisible by upscaleFactor² (${r}² = ${r * r}), got input shape ${fmt(input.shape)}`);
  }
  const b = sizeOf(lead);
  const oc = c / (r * r);
  return rearrange(input, [b, oc, r, r, h, w], [0, 1, 4, 2, 5, 3], [...lead, oc, h * r, w * r]);
}

/** `(*, C, H * r, W * r)` to `(*, C * r², H, W)`, like F.pixel_unshuffle (the inverse of pixelShuffle). */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  atLeast3d("pixelUnshuffle", input);
  const r = checkInt("pixelUnshuffle", "downscaleFactor", downscaleFactor, 1, input.shape);
  const lead = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3);
  if (h % r !== 0 || w % r !== 0) {
    throw new ShapeError(`pixelUnshuffle: height (${h}) and width (${w}) must be divisible by downscaleFactor (${r}), got input shape ${fmt(input.shape)}`);
  }
  const b = sizeOf(lead);
  return rearrange(input, [b, c, h / r, r, w / r, r], [0, 1, 3, 5, 2, 4], [...lead, c * r * r, h / r, w / r]);
}
