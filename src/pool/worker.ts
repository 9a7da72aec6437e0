// The code every pool worker runs, as source text (workerSource): a function that refers to
// nothing outside itself, so its text runs as it is in a worker_thread or a Web Worker, whatever
// bundled or transpiled the package; the platform's message port is its argument.
//
// The worker gets the compiled module, the shared memory and where its mailbox is (WorkerInit),
// instantiates the kernels on that memory, says it is ready, and then blocks in Atomics.wait until
// its mailbox's sequence number moves. For each task: run the calls written there, decrement the
// pool's pending count (notifying the main thread when it reaches 0), and, where the main thread
// cannot wait on memory (no Atomics.waitAsync), post a message too. A call that throws is
// reported ({ failed }) and ends the worker: the pool is then broken. Workers end when the pool
// terminates them (which interrupts Atomics.wait).

/** The first and only message a worker gets. Word and slot indices are into the views it makes. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Export names, by kernel index. */
  names: readonly string[];
  /** Address and length (Int32 words) of the control block; indices of the pending count, and of this worker's sequence number and call count. */
  control: number;
  words: number;
  pending: number;
  seq: number;
  count: number;
  /** Address of this worker's calls: up to `maxCalls` of `callSlots` f64 each (kernel index, argument count, arguments). */
  calls: number;
  callSlots: number;
  maxCalls: number;
  reportByMessage: boolean;
}

/** What a worker posts: ready after instantiation, done after a task (reportByMessage), failed before it dies. */
export type WorkerMessage = { ready: true } | { done: true } | { failed: string };

interface Port {
  addEventListener(type: 'message', listener: (event: { data: WorkerInit }) => void, options: { once: true }): void;
  postMessage(message: WorkerMessage): void;
}

function diceWorker(port: Port): void {
  port.addEventListener('message', (event) => {
    const init = event.data;
    const kernels = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as Record<string, (...args: number[]) => void>;
    const run = init.names.map((name) => kernels[name]);
    const words = new Int32Array(init.memory.buffer, init.control, init.words);
    const slots = new Float64Array(init.memory.buffer, init.calls, init.callSlots * init.maxCalls);
    port.postMessage({ ready: true });
    for (let seen = 0; ;) {
      // A wake is no task by itself: the main thread's notify for task k can come after this
      // worker, finding the sequence number already at k, has run task k and waits again.
      while (Atomics.load(words, init.seq) === seen) Atomics.wait(words, init.seq, seen);
      seen = Atomics.load(words, init.seq);
      const count = words[init.count];
      for (let c = 0; c < count; c++) {
        const at = c * init.callSlots, kernel = slots[at];
        try {
          run[kernel](...slots.subarray(at + 2, at + 2 + slots[at + 1]));
        } catch (error) {
          port.postMessage({ failed: `${init.names[kernel]}: ${String(error)}` });
          throw error;
        }
      }
      if (Atomics.sub(words, init.pending, 1) === 1) Atomics.notify(words, init.pending);
      if (init.reportByMessage) port.postMessage({ done: true });
    }
  }, { once: true });
}

/** The worker's program, given the source text of an expression for its message port. */
export function workerSource(port: string): string {
  return `(${diceWorker.toString()})(${port});\n`;
}
