// Starting a worker thread from source text, the same way on every platform: worker_threads in
// Node (`eval: true`), a Web Worker from a Blob URL in browsers. No worker file to locate, no
// import.meta and no top-level await, so that the ES module, CommonJS and IIFE builds and any
// bundle of them start their workers alike. Node's built-in modules are reached through
// process.getBuiltinModule where it exists (Node 20.16+), so no bundler sees an import of them.

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

/**
 * A Node built-in module: process.getBuiltinModule (Node 20.16+, 22.3+), else a dynamic import that
 * bundlers leave alone.
 */
async function nodeBuiltin<T>(name: string): Promise<T> {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const specifier = `node:${name}`;
  return (process?.getBuiltinModule?.(specifier) ??
    (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier))) as T;
}

/** Logical cores of this machine (os.availableParallelism in Node, navigator.hardwareConcurrency in browsers). */
export async function logicalCores(): Promise<number> {
  if (isNode()) return (await nodeBuiltin<{ availableParallelism(): number }>('os')).availableParallelism();
  return globalThis.navigator?.hardwareConcurrency || 1;
}

/** Starts `count` workers running `source(port)`, `port` being the source text of the worker's message port. */
export async function spawnThreads(source: (port: string) => string, count: number): Promise<Thread[]> {
  if (isNode()) {
    const { Worker } = await nodeBuiltin<{ Worker: new (code: string, options: { eval: true }) => NodeWorker }>(
      'worker_threads',
    );
    // An eval worker runs as a CommonJS script: require is there.
    const code = source("require('node:worker_threads').parentPort");
    return Array.from({ length: count }, () => nodeThread(new Worker(code, { eval: true })));
  }
  const url = URL.createObjectURL(new Blob([source('self')], { type: 'text/javascript' }));
  try {
    return Array.from({ length: count }, () => webThread(new Worker(url)));
  } finally {
    // The workers have resolved the URL when constructed (HTML: the URL is parsed at construction).
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
      worker.on('exit', (code) => {
        if (!ending) listener(new Error(`exited with code ${code}`));
      });
    },
    hold: (busy) => {
      if (!ending) busy ? worker.ref() : worker.unref();
    },
    terminate: async () => {
      ending = true;
      worker.ref(); // until it has exited (hold no longer changes that): terminate()'s promise must settle
      await worker.terminate();
    },
  };
}

function webThread(worker: Worker): Thread {
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data)),
    onFailure: (listener) => {
      worker.addEventListener('error', (event) => listener(new Error(uncaughtMessage(event.message))));
      worker.addEventListener('messageerror', () => listener(new Error('a message that could not be deserialised')));
    },
    hold: () => {},
    terminate: async () => worker.terminate(),
  };
}

/**
 * The message of a worker's uncaught error as Node gives it: browsers prefix the error event's
 * message ("Uncaught Error: …" in Chromium, "Error: …" in Firefox).
 */
export function uncaughtMessage(message: string | undefined): string {
  return message ? message.replace(/^(Uncaught )?Error: /, '') : 'an uncaught error (no message)';
}
