"""Exports the torchvision models convkit mirrors, for the PyTorch agreement test
(packages/layers/test/models-agreement.test.ts) and the whole-model benchmark rows.

For each model: torch.manual_seed(seed), torchvision's builder with weights=None, modellib.calibrate
(random batch-norm affine parameters and real running statistics from one seeded training batch), eval
mode, a seeded N(0, 1) input, and torch's output for it. Writes to the output directory:

  <model>.safetensors     the state dict (float32; num_batches_tracked as I64, as torch saves it)
  <model>.io.safetensors  "input" and "logits" (float32)
  <model>.onnx            with --onnx: torch.onnx.export of the same model (opset 13, needs python3-onnx)
  manifest.json           per model: seed, shapes, parameter count, torch and torchvision versions

Weight files are large (vgg11_bn is 530 MB) and are not committed; the default output directory,
packages/layers/.model-fixtures/, is gitignored.

Usage (Debian's system Python):
  /usr/bin/python3 tools/models/export_torchvision.py [--out DIR] [--models resnet18,googlenet] [--onnx]
"""
import argparse
import json
import os
import sys
import time

import torch

from modellib import REPO, TORCH_VERSION, TORCHVISION_MODELS, TORCHVISION_VERSION, build_torchvision, param_count, serialize, state_entries

DEFAULT_OUT = os.path.join(REPO, "packages", "layers", ".model-fixtures")


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def export(name, out_dir, onnx):
    started = time.time()
    model, x, seed = build_torchvision(name)
    with torch.no_grad():
        logits = model(x)
    write(os.path.join(out_dir, f"{name}.safetensors"), serialize(dict(state_entries(model)), metadata={"format": "pt", "model": name}))
    write(os.path.join(out_dir, f"{name}.io.safetensors"), serialize({"input": x.contiguous(), "logits": logits.contiguous()}))
    if onnx:
        path = os.path.join(out_dir, f"{name}.onnx")
        torch.onnx.export(model, x, path + ".tmp", opset_version=13, input_names=["input"], output_names=["logits"], do_constant_folding=True)
        os.replace(path + ".tmp", path)
    print(f"{name}: {param_count(model):,} params, logits max |x| {logits.abs().max().item():.4g}, {time.time() - started:.1f} s", file=sys.stderr)
    return {
        "seed": seed,
        "inputShape": list(x.shape),
        "outputShape": list(logits.shape),
        "params": param_count(model),
        "onnx": bool(onnx),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: packages/layers/.model-fixtures)")
    parser.add_argument("--models", default=",".join(TORCHVISION_MODELS), help="comma-separated subset of: " + ", ".join(TORCHVISION_MODELS))
    parser.add_argument("--onnx", action="store_true", help="also write <model>.onnx (torch.onnx.export, opset 13)")
    args = parser.parse_args()
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in TORCHVISION_MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(TORCHVISION_MODELS)}")
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = {"generator": "tools/models/export_torchvision.py", "torch": TORCH_VERSION, "torchvision": TORCHVISION_VERSION, "models": {}}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest["models"] = json.load(f).get("models", {})
    for name in names:
        manifest["models"][name] = export(name, args.out, args.onnx)
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
            f.write("\n")
    print(f"wrote {len(names)} model(s) to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
