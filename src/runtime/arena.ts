// A first-fit allocator over one WebAssembly.Memory, above the module's own data.
//
// Blocks are 64-byte aligned. Blocks of 1 MiB or more get 68 KiB of padding so that large
// arrays never start a power of two apart (measured here: up to 2.5× bandwidth loss from
// cache-set aliasing when they do). Growing a non-shared memory detaches every view of the old
// buffer: callers re-derive views from `memory.buffer` after any allocation. A shared memory's
// old views stay valid (same storage, old length), but its `memory.buffer` is a new
// SharedArrayBuffer object after each grow — and V8 (Node 20) also gives every shared memory of
// the thread a new buffer object when any one of them grows, so a buffer object's identity does
// not tell whose storage it views; `ownsBuffer` asks the storage itself (a probe word).

const ALIGN = 64;
const PAGE = 65536;
const MAX_PAGES = 65536;
const LARGE = 1 << 20;
const STAGGER = 68 * 1024;

/**
 * The memory cannot hold what a call or an alloc needs: the 4 GiB of wasm32, or what the host
 * would give. The engine turns it into a RangeError that names the function and the argument.
 */
export class MemoryExhausted extends RangeError {
  constructor(readonly bytes: number) {
    super(
      `cannot grow WebAssembly memory for ${bytes} more bytes: the 4 GiB limit of wasm32 (or the host's ` +
        'memory) is reached',
    );
  }
}

interface Span {
  start: number;
  end: number;
}

export class Arena {
  /** Free spans, sorted by address, never adjacent (they are merged). */
  private readonly spans: Span[] = [];
  /** Live blocks: start → size. */
  private readonly live = new Map<number, number>();
  /** End of the managed region: the memory's size, or the module's data end if larger. */
  private top: number;
  /** Other buffer objects found to view this (shared) memory. */
  private readonly known = new WeakSet<ArrayBufferLike>();
  readonly shared: boolean;
  /** Address of a word of this memory that `ownsBuffer` writes to recognise its storage (shared memory only). */
  private readonly probe: number = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    const start = roundUp(base, ALIGN);
    const end = memory.buffer.byteLength;
    if (end > start) this.spans.push({ start, end });
    this.top = Math.max(start, end);
    this.shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
    if (this.shared) this.probe = this.alloc(4);
  }

  /**
   * True when views of `buffer` see this memory: its current buffer, or (shared) any other
   * SharedArrayBuffer over the same storage, recognised by two writes to the probe word showing
   * through it.
   */
  ownsBuffer(buffer: ArrayBufferLike): boolean {
    if (buffer === this.memory.buffer || this.known.has(buffer)) return true;
    if (!this.shared || !(buffer instanceof SharedArrayBuffer) || buffer.byteLength <= this.probe) return false;
    const mine = new Int32Array(this.memory.buffer, this.probe, 1);
    const theirs = new Int32Array(buffer, this.probe, 1);
    const next = (mine[0] + 1) | 0;
    mine[0] = next;
    if (theirs[0] !== next) return false;
    mine[0] = ~next;
    if (theirs[0] !== ~next) return false;
    this.known.add(buffer);
    return true;
  }

  /** Returns the address of a new block of at least `bytes` bytes; grows the memory if needed. */
  alloc(bytes: number): number {
    let size = roundUp(Math.max(bytes, 1), ALIGN);
    if (size >= LARGE) size += STAGGER;
    let i = this.spans.findIndex((s) => s.end - s.start >= size);
    if (i < 0) {
      this.grow(size);
      i = this.spans.length - 1;
    }
    const span = this.spans[i];
    const start = span.start;
    span.start += size;
    if (span.start === span.end) this.spans.splice(i, 1);
    this.live.set(start, size);
    return start;
  }

  free(start: number): void {
    const size = this.live.get(start);
    if (size === undefined) return;
    this.live.delete(start);
    this.release({ start, end: start + size });
  }

  /** True when [start, start + bytes) lies inside one live block. */
  contains(start: number, bytes: number): boolean {
    for (const [s, size] of this.live) {
      if (start >= s && start + bytes <= s + size) return true;
    }
    return false;
  }

  /** Grows the memory now, if needed, so that a block of `bytes` can be allocated without growing. */
  reserve(bytes: number): void {
    let size = roundUp(Math.max(bytes, 1), ALIGN);
    if (size >= LARGE) size += STAGGER;
    if (!this.spans.some((s) => s.end - s.start >= size)) this.grow(size);
  }

  /** Bytes in live blocks (padding included). */
  get usedBytes(): number {
    let n = 0;
    for (const size of this.live.values()) n += size;
    return n;
  }

  private grow(size: number): void {
    const last = this.spans[this.spans.length - 1];
    const tail = last && last.end === this.top ? last.end - last.start : 0;
    const current = this.memory.buffer.byteLength / PAGE;
    const needed = Math.ceil((this.top + size - tail - this.memory.buffer.byteLength) / PAGE);
    // Grow geometrically so that a growing workload does not grow (and detach views) every call.
    const pages = Math.min(Math.max(needed, current), MAX_PAGES - current);
    if (!(pages >= needed)) throw new MemoryExhausted(size);
    if (this.shared) this.known.add(this.memory.buffer);
    try {
      this.memory.grow(pages);
    } catch {
      // The host refused (its memory, or a maximum below 4 GiB): the pages needed alone, else no.
      if (pages === needed) throw new MemoryExhausted(size);
      try {
        this.memory.grow(needed);
      } catch {
        throw new MemoryExhausted(size);
      }
    }
    const end = this.memory.buffer.byteLength;
    this.release({ start: this.top, end });
    this.top = end;
  }

  private release(span: Span): void {
    let i = 0;
    while (i < this.spans.length && this.spans[i].start < span.start) i++;
    const prev = this.spans[i - 1];
    const next = this.spans[i];
    if (prev && prev.end === span.start) {
      prev.end = span.end;
      if (next && next.start === prev.end) {
        prev.end = next.end;
        this.spans.splice(i, 1);
      }
    } else if (next && next.start === span.end) {
      next.start = span.start;
    } else {
      this.spans.splice(i, 0, span);
    }
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
