#!/bin/sh
# Bundles quick-bench.ts with esbuild (sources via the @convkit/source condition) and runs each workload
# in a fresh node process. Usage: sh packages/backend-cpu/scripts/run-quick-bench.sh [W1 W2 ...]
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
esbuild=$(ls -d "$root"/node_modules/.pnpm/esbuild@*/node_modules/esbuild | head -1)
out=$(mktemp -d)/quick-bench.mjs
node -e "require('$esbuild').buildSync({entryPoints:['$here/quick-bench.ts'],bundle:true,platform:'node',format:'esm',outfile:'$out',conditions:['@convkit/source'],logLevel:'warning'})"
for w in ${*:-W1 W2 W3 W4 W5 W8 W9}; do
  MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456 node "$out" "$w"
done
