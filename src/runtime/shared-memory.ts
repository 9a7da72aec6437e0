// Shared memory: the same kernels on a shared, imported WebAssembly.Memory. Growing such a memory
// never detaches a view of it, and worker threads can run the kernels on the one memory.
//
// The shared build is the SIMD or scalar build with its memory section turned into an import of
// a shared memory (`env.memory`, at most 4 GiB). That is byte for byte what
// `asc --enable threads --importMemory --sharedMemory --zeroFilledMemory --maximumMemory 65536`
// writes (the kernels use no atomics; scripts/check-threads-build.mjs compares the two), so the
// package carries two binaries, not four.

/** The largest wasm32 memory, in 64 KiB pages: shared memories must declare a maximum. */
export const MAX_PAGES = 65536;

const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const EXTERNAL_MEMORY = 2;
/** Limits flags: a maximum is given, the memory is shared. */
const LIMITS_MAX_SHARED = 3;

export interface SharedModule {
  bytes: Uint8Array<ArrayBuffer>;
  /** The memory the module needs at least, in pages (its own data). */
  initialPages: number;
}

/** True where a shared WebAssembly.Memory can be made: Node, and cross-origin isolated pages and their workers. */
export function sharedMemorySupported(): boolean {
  return (
    typeof SharedArrayBuffer === 'function' &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false
  );
}

export function createSharedMemory(initialPages: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
}

/** The module `bytes` (which defines its memory and imports nothing) with the memory imported and shared instead. */
export function importSharedMemory(bytes: Uint8Array): SharedModule {
  const sections = readSections(bytes);
  const memory = sections.find((s) => s.id === SECTION_MEMORY);
  if (!memory || sections.some((s) => s.id === SECTION_IMPORT))
    throw new Error('dice-wasm: the module does not define its own memory');
  // Memory section: count (1), limits flags, minimum pages[, maximum].
  const [, limitsAt] = readLeb(bytes, memory.body);
  const [initialPages] = readLeb(bytes, limitsAt + 1);
  const name = (text: string): number[] => [text.length, ...Array.from(text, (ch) => ch.charCodeAt(0))];
  const entry = [
    1,
    ...name('env'),
    ...name('memory'),
    EXTERNAL_MEMORY,
    LIMITS_MAX_SHARED,
    ...leb(initialPages),
    ...leb(MAX_PAGES),
  ];
  // Views of the sections, copied once into the new module (number arrays of a ~0.5 MB module cost ~50 ms).
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of sections) {
    if (s.id === SECTION_MEMORY) continue;
    parts.push(bytes.subarray(s.start, s.end));
    if (s.id === SECTION_TYPE) parts.push(Uint8Array.from([SECTION_IMPORT, ...leb(entry.length), ...entry]));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { bytes: out, initialPages };
}

interface Section {
  id: number;
  start: number;
  body: number;
  end: number;
}

function readSections(bytes: Uint8Array): Section[] {
  const sections: Section[] = [];
  for (let at = 8; at < bytes.length; ) {
    const [size, body] = readLeb(bytes, at + 1);
    sections.push({ id: bytes[at], start: at, body, end: body + size });
    at = body + size;
  }
  return sections;
}

/** An unsigned LEB128 number at `at`, and where the next field starts. */
function readLeb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0,
    shift = 0,
    byte: number;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}
