/**
 * The job protocol between the calling thread and the workers, as int32 slots of a control block in
 * the shared memory. The caller publishes a job seqlock-style (GEN odd while the fields are written,
 * then even) and wakes the workers; every thread, the caller included, claims task indices from NEXT
 * with compare-and-swap. NEXT carries the job's tag (GEN / 2, 11 bits) above a 20-bit index, so a
 * worker that read an older job's fields can never claim a task of a newer job.
 */
export const GEN = 0;
export const KERNEL = 1;
export const PARAMS = 2;
export const NTASKS = 3;
export const NEXT = 4;
export const DONE = 5;
export const ERROR = 6;
export const READY = 7;
/** Threads with an index at or above this stay out of jobs (and exit): setNumThreads lowered it. */
export const ACTIVE = 8;
/** Tasks run by worker threads so far (diagnostics: tests check the workers took part). */
export const WORKER_TASKS = 9;
export const CONTROL_SLOTS = 16;

export const TAG_SHIFT = 20;
export const TAG_MASK = 0x7ff;
export const MAX_TASKS = (1 << TAG_SHIFT) - 1;

/** NEXT's value at the start of the job published with generation `gen` (even). */
export function firstClaim(gen: number): number {
  return ((gen >>> 1) & TAG_MASK) << TAG_SHIFT;
}
