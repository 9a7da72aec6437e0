// The JS heap after a full garbage collection (V8's gc, exposed for the test file that asks).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
