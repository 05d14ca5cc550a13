/**
 * Whether a job runs on the calling thread alone or across the workers, chosen per job shape (kernel,
 * task count, work) from the times its earlier runs took each way. A worker thread only helps when a
 * core is free for it: on a machine whose other cores are busy, a worker shares a core with the calling
 * thread or stalls the job while it is descheduled, and the job is faster on one thread.
 *
 * A shape runs in blocks of BLOCK consecutive runs taken the same way: its first blocks alternate
 * between the two ways, then it takes the faster way, except every PROBE_EVERY-th block, which re-times
 * the other way so the choice follows the machine's load. A way's time is the median of its latest
 * block, without the block's first run (a worker that slept through the previous block takes a while
 * to wake). The first two blocks are not counted at all: the kernels are still being compiled then.
 * Results do not depend on the choice: every kernel computes each output in the same order however
 * its tasks are split.
 */

const BLOCK = 3;
const PROBE_EVERY = 8;
/** Blocks at the start that only warm up (alternating, not timed). */
const UNTIMED_BLOCKS = 2;
/** Threads must be this much faster to be chosen (a tie leaves the other cores to other work). */
const THREADED_MARGIN = 0.95;
/** Shapes remembered at most (a model has a few dozen; the map is cleared when this is reached). */
const MAX_SHAPES = 4096;

interface ShapeTimes {
  /** Median time of the latest timed block each way (NaN until there is one). */
  solo: number;
  threaded: number;
  runs: number;
  /** Times of the current block's counted runs. */
  readonly current: number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export class ThreadPolicy {
  private readonly shapes = new Map<string, ShapeTimes>();

  /** True when a job of this shape should use the workers now. */
  threaded(shape: string): boolean {
    const s = this.shapes.get(shape);
    const block = s === undefined ? 0 : Math.floor(s.runs / BLOCK);
    if (s === undefined || Number.isNaN(s.solo) || Number.isNaN(s.threaded)) return block % 2 === 0;
    const better = s.threaded < s.solo * THREADED_MARGIN;
    return block % PROBE_EVERY === PROBE_EVERY - 1 ? !better : better;
  }

  /** Records how long a job of this shape took (ms) and whether it was split across threads. */
  record(shape: string, threaded: boolean, ms: number): void {
    let s = this.shapes.get(shape);
    if (s === undefined) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      s = { solo: Number.NaN, threaded: Number.NaN, runs: 0, current: [] };
      this.shapes.set(shape, s);
    }
    const pos = s.runs % BLOCK;
    if (pos === 0) s.current.length = 0;
    else if (s.runs >= UNTIMED_BLOCKS * BLOCK) s.current.push(ms);
    s.runs++;
    if (pos === BLOCK - 1 && s.current.length > 0) {
      if (threaded) s.threaded = median(s.current);
      else s.solo = median(s.current);
    }
  }
}
