/**
 * The worker's program, as source text: it runs from a string (Node's `eval` workers, a Blob URL in
 * browsers), so the same code works from the TypeScript sources, the bundled dist and any bundler
 * without a separate worker file. A worker instantiates the kernels over the shared memory, then
 * loops: spin briefly for the next job (back-to-back layers), else sleep on GEN with Atomics.wait.
 */
import { ACTIVE, DONE, ERROR, GEN, KERNEL, NEXT, NTASKS, PARAMS, READY, TAG_MASK, TAG_SHIFT, WORKER_TASKS } from "./control.js";

/** Polls of GEN before a worker sleeps: about 50-100 microseconds. */
const SPIN = 20000;

export const WORKER_SOURCE = `"use strict";
function start(data) {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const runTask = instance.exports.runTask;
  const ctl = new Int32Array(data.memory.buffer, data.control, 16);
  const thread = data.thread;
  Atomics.add(ctl, ${READY}, 1);
  let seen = Atomics.load(ctl, ${GEN}) & ~1;
  for (;;) {
    let g = Atomics.load(ctl, ${GEN});
    for (let spins = 0; g === seen || (g & 1) === 1; g = Atomics.load(ctl, ${GEN})) {
      if (thread >= Atomics.load(ctl, ${ACTIVE})) return;
      if (++spins > ${SPIN} && g === seen) {
        Atomics.wait(ctl, ${GEN}, seen);
        spins = 0;
      }
    }
    const kernel = Atomics.load(ctl, ${KERNEL});
    const params = Atomics.load(ctl, ${PARAMS});
    const n = Atomics.load(ctl, ${NTASKS});
    if (Atomics.load(ctl, ${GEN}) !== g) continue;
    seen = g;
    if (thread >= Atomics.load(ctl, ${ACTIVE})) return;
    const tag = (g >>> 1) & ${TAG_MASK};
    for (;;) {
      const cur = Atomics.load(ctl, ${NEXT});
      if (cur >>> ${TAG_SHIFT} !== tag) break;
      const t = cur & ${(1 << TAG_SHIFT) - 1};
      if (t >= n) break;
      if (Atomics.compareExchange(ctl, ${NEXT}, cur, cur + 1) !== cur) continue;
      try {
        runTask(kernel, params, t, thread);
      } catch (e) {
        Atomics.store(ctl, ${ERROR}, 1);
      }
      Atomics.add(ctl, ${WORKER_TASKS}, 1);
      if (Atomics.add(ctl, ${DONE}, 1) + 1 === n) Atomics.notify(ctl, ${DONE});
    }
  }
}
if (typeof process === "object" && process.versions && process.versions.node) {
  start(require("node:worker_threads").workerData);
} else {
  self.onmessage = (e) => start(e.data);
}
`;
