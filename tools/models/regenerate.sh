#!/usr/bin/env bash
# Regenerates the committed model fixtures (packages/layers/test/fixtures/model-keys.json and
# packages/layers/test/fixtures/models/) with Debian's system Python (torch 1.13, torchvision 0.14).
set -euo pipefail
cd "$(dirname "$0")"
for g in export_keys.py export_small.py; do
  echo "running $g" >&2
  /usr/bin/python3 "$g"
done
