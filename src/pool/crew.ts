// The pool's worker threads and how the main thread drives them (worker side: worker.ts).
//
// Control block (in the shared memory, allocated once): one cache line holding the pending count,
// then one slot per worker: a cache line with its sequence number and call count, then its calls
// (MAX_CALLS × CALL_SLOTS f64: kernel index, argument count, arguments). To run a task the main
// thread writes each worker's calls, sets pending to the number of workers with calls, and bumps
// and notifies their sequence numbers; it then waits without blocking (Atomics.waitAsync on
// pending, or 'done' messages where waitAsync is missing) while racing any worker's failure, so
// a crashed worker gives an error, never a hang.
import { KERNEL_NAMES, type KernelCall } from '../backends/wasm/calls.js';
import { spawnThreads, type Thread } from './spawn.js';
import { workerSource, type WorkerInit, type WorkerMessage } from './worker.js';

const LINE = 64;
/** Calls per worker and task: a share of a tensor is at most three regions (see splitRegions). */
const MAX_CALLS = 4;
/** f64 slots per call: kernel index, argument count, and up to 18 arguments (the kernels take ≤ 17). */
const CALL_SLOTS = 20;
const SLOT_BYTES = LINE + MAX_CALLS * CALL_SLOTS * 8;

/** Atomics.waitAsync (ES2024; Node 16+, Chromium 87+, Safari 16.4+). */
type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };

/** Bytes of the control block for `threads` workers. */
export function controlBytes(threads: number): number {
  return LINE + threads * SLOT_BYTES;
}

/** Index, in Int32 words of the control block, of worker w's sequence number (its call count follows). */
export function sequenceWord(w: number): number {
  return (LINE + w * SLOT_BYTES) / 4;
}

/** Index of the pending count in the control block's Int32 words. */
export const PENDING_WORD = 0;

export class Crew {
  private readonly words: Int32Array;
  private readonly calls: Float64Array[];
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

  private constructor(private readonly threads: Thread[], memory: WebAssembly.Memory, control: number) {
    this.words = new Int32Array(memory.buffer, control, controlBytes(threads.length) / 4);
    this.calls = threads.map((_, w) => new Float64Array(memory.buffer, control + LINE + w * SLOT_BYTES + LINE, MAX_CALLS * CALL_SLOTS));
  }

  /**
   * Starts `count` workers on `module` and `memory`, with their control block at `control`
   * (controlBytes(count) bytes). `source` is the workers' program (worker.ts; tests give others).
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, control: number, count: number, source = workerSource): Promise<Crew> {
    const crew = new Crew(await spawnThreads(source, count), memory, control);
    const ready = crew.threads.map((thread, w) => new Promise<void>((resolve) => {
      thread.onMessage((data) => crew.receive(w, data as WorkerMessage, resolve));
      thread.onFailure((error) => crew.fail(workerError(w, error.message)));
      const init: WorkerInit = {
        module, memory, names: KERNEL_NAMES, control, words: crew.words.length, pending: PENDING_WORD,
        seq: sequenceWord(w), count: sequenceWord(w) + 1,
        calls: control + LINE + w * SLOT_BYTES + LINE, callSlots: CALL_SLOTS, maxCalls: MAX_CALLS,
        reportByMessage: crew.reportByMessage,
      };
      // Until it is ready, the worker keeps a Node process alive: nothing else may (a top-level await).
      thread.hold(true);
      thread.post(init);
    }));
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

  /** Runs each worker's calls (`tasks[w]`, possibly none) and resolves when all are done. */
  async run(tasks: readonly (readonly KernelCall[])[]): Promise<void> {
    this.check();
    const busy = tasks.map((calls, w) => (calls.length > 0 ? w : -1)).filter((w) => w >= 0);
    if (busy.length === 0) return;
    Atomics.store(this.words, PENDING_WORD, busy.length);
    const done = this.reportByMessage ? new Promise<void>((resolve) => { this.doneLeft = busy.length; this.allDone = resolve; }) : null;
    for (const w of busy) {
      const slots = this.calls[w];
      tasks[w].forEach((call, c) => {
        const at = c * CALL_SLOTS;
        slots[at] = KERNEL_NAMES.indexOf(call.kernel);
        slots[at + 1] = call.args.length;
        slots.set(call.args, at + 2);
      });
      const seq = sequenceWord(w);
      this.words[seq + 1] = tasks[w].length;
      Atomics.add(this.words, seq, 1);
      Atomics.notify(this.words, seq);
      this.threads[w].hold(true);
    }
    try {
      await this.unlessFailed(done ?? this.pendingZero());
    } finally {
      for (const w of busy) this.threads[w].hold(false);
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
    }).finally(() => { this.abort = null; });
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

  private receive(w: number, message: WorkerMessage, ready: () => void): void {
    if ('ready' in message) ready();
    else if ('failed' in message) this.fail(workerError(w, message.failed));
    else if (--this.doneLeft === 0) this.allDone?.();
  }
}

function workerError(w: number, detail: string): Error {
  return new Error(`dice-wasm pool: worker ${w} failed (${detail}); the pool is terminated, create a new one`);
}
