// The code every pool worker runs, as source text (workerSource): a function that refers to
// nothing outside itself, so its text runs as it is in a worker_thread or a Web Worker, whatever
// bundled or transpiled the package; the platform's message port is its argument.
//
// The worker gets the compiled module, the shared memory and where the control block is
// (WorkerInit), instantiates the kernels on that memory, says it is ready, and then blocks in
// Atomics.wait until its sequence number moves. For each task: take the next call index from the
// shared counter and run that call (with its own scratch area), until none is left; then
// decrement the pool's pending count (notifying the main thread when it reaches 0) and, where the
// main thread cannot wait on memory (no Atomics.waitAsync), post a message too. A call that
// throws ends the worker with an error naming the kernel: the pool is then broken. Workers end when
// the pool terminates them (which interrupts Atomics.wait).

/** The first and only message a worker gets. Word and slot indices are into the views it makes. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Export names, by kernel index. */
  names: readonly string[];
  /** This worker's index (its scratch area). */
  worker: number;
  /** Address and length (Int32 words) of the control block. */
  control: number;
  words: number;
  /**
   * Int32 word indices: the pending count, the next call's index, the task's call count, this worker's sequence number.
   */
  pending: number;
  next: number;
  count: number;
  seq: number;
  /** f64 index of the scratch base (the stride follows). */
  scratch: number;
  /** Address of the call list: up to `maxCalls` of `callSlots` f64 each (kernel index, argument count, arguments). */
  calls: number;
  callSlots: number;
  maxCalls: number;
  reportByMessage: boolean;
  /** How long a worker watches for the next task before it sleeps, ms. */
  spinMs: number;
}

/** What a worker posts: ready after instantiation, done after a task (reportByMessage). */
export type WorkerMessage = { ready: true } | { done: true };

interface Port {
  addEventListener(type: 'message', listener: (event: { data: WorkerInit }) => void, options: { once: true }): void;
  postMessage(message: WorkerMessage): void;
}

function diceWorker(port: Port): void {
  port.addEventListener(
    'message',
    (event) => {
      const init = event.data;
      const kernels = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as Record<
        string,
        (...args: number[]) => void
      >;
      const run = init.names.map((name) => kernels[name]);
      const words = new Int32Array(init.memory.buffer, init.control, init.words);
      const header = new Float64Array(init.memory.buffer, init.control, init.scratch + 2);
      const slots = new Float64Array(init.memory.buffer, init.calls, init.callSlots * init.maxCalls);
      port.postMessage({ ready: true });
      for (let seen = 0; ; ) {
        // The next task often follows at once (a call's gradient pass after its statistics): watch
        // for it a little before sleeping, as waking a sleeping thread takes tens of microseconds.
        for (
          const until = performance.now() + init.spinMs;
          Atomics.load(words, init.seq) === seen && performance.now() < until;
        );
        // A wake is no task by itself: the main thread's notify for task k can come after this
        // worker, finding the sequence number already at k, has run task k and waits again.
        while (Atomics.load(words, init.seq) === seen) Atomics.wait(words, init.seq, seen);
        seen = Atomics.load(words, init.seq);
        const count = words[init.count];
        const scratch = header[init.scratch] + init.worker * header[init.scratch + 1];
        for (let c = Atomics.add(words, init.next, 1); c < count; c = Atomics.add(words, init.next, 1)) {
          const at = c * init.callSlots,
            kernel = slots[at];
          const args = Array.from(slots.subarray(at + 2, at + 2 + slots[at + 1]));
          args[args.length - 1] = scratch;
          try {
            run[kernel](...args);
          } catch (error) {
            // Uncaught, so the worker ends: the pool learns it from the worker's one error event,
            // which carries the kernel's name (a message posted besides would race the event).
            throw new Error(`${init.names[kernel]}: ${String(error)}`);
          }
        }
        if (Atomics.sub(words, init.pending, 1) === 1) Atomics.notify(words, init.pending);
        if (init.reportByMessage) port.postMessage({ done: true });
      }
    },
    { once: true },
  );
}

/** The worker's program, given the source text of an expression for its message port. */
export function workerSource(port: string): string {
  return `(${diceWorker.toString()})(${port});\n`;
}
