// The pool's worker threads and how the main thread drives them (worker side: worker.ts).
//
// A task is a list of kernel calls that any worker may run, each on its own piece of memory. The
// workers take them one at a time from a shared counter, so a worker that gets less of a core
// (another process on it, say) runs fewer pieces instead of holding everyone up.
//
// Control block (in the shared memory, allocated once): a cache line with the pending count, one
// with the next call's index, one with the task's call count and the workers' scratch areas
// (base and stride, f64), one line per worker with its sequence number, then the call list
// (CALL_SLOTS f64 each: kernel index, argument count, arguments). To run a task the main thread
// writes the list, sets pending to the number of workers it needs (no more than calls) and the
// next index to 0, and bumps and notifies their sequence numbers; it then waits without blocking
// (Atomics.waitAsync on pending, or 'done' messages where waitAsync is missing) while racing any
// worker's failure, so a crashed worker gives an error, never a hang.
import { KERNEL_NAMES, type KernelCall } from '../backends/wasm/calls.js';
import { spawnThreads, type Thread } from './spawn.js';
import { workerSource, type WorkerInit, type WorkerMessage } from './worker.js';

const LINE = 64;
/** f64 slots per call: kernel index, argument count, and up to 18 arguments (the kernels take ≤ 18). */
const CALL_SLOTS = 20;
/** Int32 word indices of the header. */
export const PENDING_WORD = 0;
const NEXT_WORD = LINE / 4;
const COUNT_WORD = (2 * LINE) / 4;
/** f64 indices of the scratch base and stride (on the count's line). */
const SCRATCH_F64 = (2 * LINE) / 8 + 1;
const HEADER_BYTES = 3 * LINE;
/**
 * How long a worker watches for the next task before it sleeps (a call's second pass follows its
 * first within microseconds).
 */
const SPIN_MS = 0.1;

/** Atomics.waitAsync (ES2024; Node 16+, Chromium 87+, Safari 16.4+). */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** Pieces a split pass is cut into for `threads` workers: several each, for balance, within the call list. */
export function piecesFor(threads: number): number {
  return Math.max(threads, Math.min(8 * threads, 64));
}

/** Calls a task may hold: a piece is at most three regions (see splitRegions). */
function maxCalls(threads: number): number {
  return 3 * piecesFor(threads);
}

/** Bytes of the control block for `threads` workers. */
export function controlBytes(threads: number): number {
  return HEADER_BYTES + threads * LINE + maxCalls(threads) * CALL_SLOTS * 8;
}

/** Index, in Int32 words of the control block, of worker w's sequence number. */
export function sequenceWord(w: number): number {
  return (HEADER_BYTES + w * LINE) / 4;
}

export class Crew {
  private readonly words: Int32Array;
  /** The header as f64 (scratch base and stride). */
  private readonly header: Float64Array;
  private readonly calls: Float64Array;
  /** Where it exists, the main thread waits on memory; elsewhere (Firefox) the workers post 'done'. */
  private readonly waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  private readonly reportByMessage = this.waitAsync === undefined;
  /** Set on the first failure (or termination): every later run rejects with it. */
  private failure: Error | null = null;
  /** Rejects what the main thread is waiting for, if anything. */
  private abort: ((error: Error) => void) | null = null;
  /** Workers still to report 'done' for the running task (message mode). */
  private doneLeft = 0;
  private allDone: (() => void) | null = null;

  private constructor(
    private readonly threads: Thread[],
    memory: WebAssembly.Memory,
    control: number,
  ) {
    this.words = new Int32Array(memory.buffer, control, controlBytes(threads.length) / 4);
    this.header = new Float64Array(memory.buffer, control, HEADER_BYTES / 8);
    this.calls = new Float64Array(
      memory.buffer,
      control + HEADER_BYTES + threads.length * LINE,
      maxCalls(threads.length) * CALL_SLOTS,
    );
  }

  /**
   * Starts `count` workers on `module` and `memory`, with their control block at `control`
   * (controlBytes(count) bytes). `source` is the workers' program (worker.ts; tests give others).
   */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    control: number,
    count: number,
    source = workerSource,
  ): Promise<Crew> {
    const crew = new Crew(await spawnThreads(source, count), memory, control);
    const ready = crew.threads.map(
      (thread, w) =>
        new Promise<void>((resolve) => {
          thread.onMessage((data) => crew.receive(data as WorkerMessage, resolve));
          thread.onFailure((error) => crew.fail(workerError(w, error.message)));
          const init: WorkerInit = {
            module,
            memory,
            names: KERNEL_NAMES,
            worker: w,
            control,
            words: crew.words.length,
            pending: PENDING_WORD,
            next: NEXT_WORD,
            count: COUNT_WORD,
            scratch: SCRATCH_F64,
            seq: sequenceWord(w),
            calls: control + HEADER_BYTES + count * LINE,
            callSlots: CALL_SLOTS,
            maxCalls: maxCalls(count),
            reportByMessage: crew.reportByMessage,
            spinMs: SPIN_MS,
          };
          // Until it is ready, the worker keeps a Node process alive: nothing else may (a top-level await).
          thread.hold(true);
          thread.post(init);
        }),
    );
    try {
      await crew.unlessFailed(Promise.all(ready));
    } catch (error) {
      await Promise.all(crew.threads.map((t) => t.terminate()));
      throw error;
    } finally {
      for (const thread of crew.threads) thread.hold(false);
    }
    return crew;
  }

  get size(): number {
    return this.threads.length;
  }

  /** True once a worker failed or the pool was terminated. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Throws the failure (or termination) that ended the workers, if any. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Runs `calls` on the workers, each taken by whichever worker is free; a call's last argument is
   * replaced by the scratch area of the worker that runs it (`scratchBase + w · scratchStride`).
   * Resolves when all are done.
   */
  async run(calls: readonly KernelCall[], scratchBase: number, scratchStride: number): Promise<void> {
    this.check();
    if (calls.length === 0) return;
    if (calls.length > this.calls.length / CALL_SLOTS)
      throw new RangeError(
        `dice-wasm pool: ${calls.length} calls in one task, more than the ` +
          `${this.calls.length / CALL_SLOTS} the control block holds`,
      );
    calls.forEach((call, c) => {
      const at = c * CALL_SLOTS;
      this.calls[at] = KERNEL_NAMES.indexOf(call.kernel);
      this.calls[at + 1] = call.args.length;
      this.calls.set(call.args, at + 2);
    });
    this.header[SCRATCH_F64] = scratchBase;
    this.header[SCRATCH_F64 + 1] = scratchStride;
    this.words[COUNT_WORD] = calls.length;
    Atomics.store(this.words, NEXT_WORD, 0);
    // No more workers than calls: waking one costs tens of microseconds.
    const working = this.threads.slice(0, calls.length);
    Atomics.store(this.words, PENDING_WORD, working.length);
    const done = this.reportByMessage
      ? new Promise<void>((resolve) => {
          this.doneLeft = working.length;
          this.allDone = resolve;
        })
      : null;
    working.forEach((thread, w) => {
      Atomics.add(this.words, sequenceWord(w), 1);
      Atomics.notify(this.words, sequenceWord(w));
      thread.hold(true);
    });
    try {
      await this.unlessFailed(done ?? this.pendingZero());
    } finally {
      for (const thread of working) thread.hold(false);
    }
  }

  /** Ends every worker; a task running now rejects. */
  async terminate(): Promise<void> {
    this.fail(new Error('dice-wasm pool: the pool was terminated'));
    await Promise.all(this.threads.map((t) => t.terminate()));
  }

  /** `task`, or the first failure of a worker while it runs. */
  private unlessFailed<T>(task: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.abort = reject;
      task.then(resolve, reject);
    }).finally(() => {
      this.abort = null;
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.abort?.(error);
    void Promise.all(this.threads.map((t) => t.terminate()));
  }

  private async pendingZero(): Promise<void> {
    for (let left = Atomics.load(this.words, PENDING_WORD); left !== 0; left = Atomics.load(this.words, PENDING_WORD)) {
      const wait = (this.waitAsync as WaitAsync)(this.words, PENDING_WORD, left);
      if (wait.async) await wait.value;
    }
  }

  private receive(message: WorkerMessage, ready: () => void): void {
    if ('ready' in message) ready();
    else if (--this.doneLeft === 0) this.allDone?.();
  }
}

function workerError(w: number, detail: string): Error {
  return new Error(`dice-wasm pool: worker ${w} failed (${detail}); the pool is terminated, create a new one`);
}
