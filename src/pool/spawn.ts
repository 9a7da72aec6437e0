// Starting a worker thread from source text, the same way on every platform: worker_threads in
// Node (`eval: true`), a Web Worker from a Blob URL in browsers. No module file, no
// import.meta and no top-level await, so that the ES module, CommonJS and bundled builds of the
// package all start their workers alike.

/** What the pool needs of a worker, whatever runs it. */
export interface Thread {
  post(message: unknown): void;
  /** Messages from the worker. */
  onMessage(listener: (data: unknown) => void): void;
  /** The worker died: an uncaught error, or (Node) an exit nobody asked for. Called once. */
  onFailure(listener: (error: Error) => void): void;
  /** Keeps (true) or no longer keeps (false) the Node process alive; nothing in browsers. */
  hold(busy: boolean): void;
  terminate(): Promise<void>;
}

interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (data: unknown) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** True in Node (worker_threads exist), false in browsers and their workers. */
export function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

/** Logical cores of this machine (os.availableParallelism in Node, navigator.hardwareConcurrency in browsers). */
export async function logicalCores(): Promise<number> {
  if (isNode()) {
    const specifier = 'node:os';
    const os = (await import(specifier)) as { availableParallelism(): number };
    return os.availableParallelism();
  }
  return globalThis.navigator?.hardwareConcurrency || 1;
}

/** Starts `count` workers running `source`. */
export async function spawnThreads(source: string, count: number): Promise<Thread[]> {
  if (isNode()) {
    // A specifier in a variable: bundlers for browsers leave it alone; tsc turns it into require() in CommonJS.
    const specifier = 'node:worker_threads';
    const { Worker } = (await import(specifier)) as { Worker: new (code: string, options: { eval: true }) => NodeWorker };
    return Array.from({ length: count }, () => nodeThread(new Worker(source, { eval: true })));
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return Array.from({ length: count }, () => webThread(new Worker(url)));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function nodeThread(worker: NodeWorker): Thread {
  let ending = false;
  worker.unref();
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onFailure: (listener) => {
      worker.on('error', listener);
      worker.on('exit', (code) => { if (!ending) listener(new Error(`exited with code ${code}`)); });
    },
    hold: (busy) => (busy ? worker.ref() : worker.unref()),
    terminate: async () => {
      ending = true;
      await worker.terminate();
    },
  };
}

function webThread(worker: Worker): Thread {
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data)),
    onFailure: (listener) => {
      worker.addEventListener('error', (event) => listener(new Error(event.message || 'an uncaught error (no message)')));
      worker.addEventListener('messageerror', () => listener(new Error('a message that could not be deserialised')));
    },
    hold: () => {},
    terminate: async () => worker.terminate(),
  };
}
