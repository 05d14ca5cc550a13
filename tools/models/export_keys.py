"""Writes packages/layers/test/fixtures/model-keys.json: for every model convkit defines, what torch says
about it at its default input size: the state-dict keys in order with shapes and dtypes, the parameter
count (sum of numel over parameters()), the multiply-accumulates of its conv and linear layers
(modellib.conv_linear_macs), the output shape and repr(model). Torchvision models are built as
torchvision 0.14 builds them (weights=None); convkit's own models from their torch twins in modellib.

Run with Debian's system Python: /usr/bin/python3 tools/models/export_keys.py
Output is deterministic (no random values are written).
"""
import json
import os
import sys

import torch

from modellib import C3D, REPO, TORCH_VERSION, TORCHVISION_MODELS, TORCHVISION_VERSION, LeNet5, SPPNet, UNet, conv_linear_macs, dtype_name, param_count

OUT = os.path.join(REPO, "packages", "layers", "test", "fixtures", "model-keys.json")

# convkit's own models at their default configuration, with the input size `convkit summary` uses.
OWN_MODELS = {
    "lenet5": (LeNet5, [1, 1, 32, 32]),
    "unet": (UNet, [1, 3, 128, 128]),
    "c3d": (C3D, [1, 3, 16, 112, 112]),
    "sppnet": (SPPNet, [1, 3, 64, 64]),
}


def describe(name, model, input_shape, source):
    model.eval()
    x = torch.zeros(input_shape)
    with torch.no_grad():
        out = model(x)
    return {
        "name": name,
        "source": source,
        "inputShape": input_shape,
        "outputShape": list(out.shape),
        "params": param_count(model),
        "macs": conv_linear_macs(model, x),
        "keys": [[k, list(v.shape), dtype_name(v)] for k, v in model.state_dict().items()],
        "repr": repr(model),
    }


def main():
    models = []
    for name, (builder, input_shape, _seed) in TORCHVISION_MODELS.items():
        torch.manual_seed(0)
        models.append(describe(name, builder(), input_shape, f"torchvision {TORCHVISION_VERSION}"))
    for name, (cls, input_shape) in OWN_MODELS.items():
        torch.manual_seed(0)
        models.append(describe(name, cls(), input_shape, "tools/models/modellib.py"))
    with open(OUT, "w") as f:
        f.write("{\n")
        f.write(f'  "generator": "tools/models/export_keys.py",\n  "torch": {json.dumps(TORCH_VERSION)},\n  "torchvision": {json.dumps(TORCHVISION_VERSION)},\n')
        f.write('  "models": [\n')
        for i, m in enumerate(models):
            f.write("    " + json.dumps(m, separators=(",", ":")) + ("," if i < len(models) - 1 else "") + "\n")
        f.write("  ]\n}\n")
    print(f"wrote {OUT}: {len(models)} models", file=sys.stderr)


if __name__ == "__main__":
    main()
