"""Writes packages/layers/test/fixtures/models/: convkit's own models (LeNet5, UNet, C3D, SPPNet) in small
configurations as torch twins (tools/models/modellib.py), each with a seeded initialisation,
modellib.calibrate (random batch-norm affine parameters, running statistics from one seeded training
batch), eval mode, and torch's outputs for seeded inputs. Small enough to commit (under 300 kB each):

  <name>.safetensors     the state dict (float32, num_batches_tracked I64)
  <name>.io.safetensors  "input0", "output0", ... (float32)
  small-models.json      per model: the convkit constructor options, input and output shapes

Run with Debian's system Python: /usr/bin/python3 tools/models/export_small.py (deterministic).
"""
import json
import os
import sys

import torch

from modellib import C3D, REPO, TORCH_VERSION, LeNet5, SPPNet, UNet, calibrate, param_count, serialize, state_entries

OUT_DIR = os.path.join(REPO, "packages", "layers", "test", "fixtures", "models")

# name -> (torch twin, convkit options (camelCase, as the TS constructors take them), input shapes, seed)
SMALL_MODELS = {
    "lenet5": (LeNet5, {"inChannels": 1, "numClasses": 10}, [[2, 1, 32, 32]], 51),
    "unet": (UNet, {"inChannels": 3, "numClasses": 2, "base": 4, "depth": 3}, [[1, 3, 32, 32], [2, 3, 16, 24]], 52),
    "c3d": (C3D, {"inChannels": 3, "numClasses": 5, "widths": [4, 8, 8, 16], "hidden": 16}, [[1, 3, 8, 32, 32]], 53),
    "sppnet": (SPPNet, {"inChannels": 3, "numClasses": 5, "widths": [8, 16, 16], "levels": [1, 2, 4], "hidden": 32}, [[1, 3, 32, 32], [2, 3, 40, 28]], 54),
}

SNAKE = {"inChannels": "in_channels", "numClasses": "num_classes"}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    index = {"generator": "tools/models/export_small.py", "torch": TORCH_VERSION, "models": []}
    for name, (cls, options, input_shapes, seed) in SMALL_MODELS.items():
        torch.manual_seed(seed)
        model = cls(**{SNAKE.get(k, k): v for k, v in options.items()})
        calibrate(model, input_shapes[0], seed)
        g = torch.Generator().manual_seed(seed + 2000)
        io = {}
        outputs = []
        for i, shape in enumerate(input_shapes):
            x = torch.randn(shape, generator=g)
            with torch.no_grad():
                y = model(x)
            io[f"input{i}"] = x
            io[f"output{i}"] = y.contiguous()
            outputs.append(list(y.shape))
        with open(os.path.join(OUT_DIR, f"{name}.safetensors"), "wb") as f:
            f.write(serialize(dict(state_entries(model))))
        with open(os.path.join(OUT_DIR, f"{name}.io.safetensors"), "wb") as f:
            f.write(serialize(io))
        index["models"].append({"name": name, "options": options, "inputShapes": input_shapes, "outputShapes": outputs, "params": param_count(model), "seed": seed})
        print(f"{name}: {param_count(model):,} params, outputs {outputs}", file=sys.stderr)
    with open(os.path.join(OUT_DIR, "small-models.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
