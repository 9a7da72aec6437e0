// Views of the whole WebAssembly memory, kept between calls: `memory.buffer` and a new typed
// array cost ~40–60 ns each in V8, several times per call. A view is made again only when the
// memory grew: a non-shared memory's old views then have length 0 (detached), a shared memory's
// stay valid but end where the memory ended, so a view shorter than the bytes asked for is renewed.
import type { Arena } from '../../runtime/arena.js';

/** Aliases remembered: arrays allocated between growths of a shared memory hold that many buffer objects. */
const ALIASES = 8;

export class MemoryViews {
  private bytes: Uint8Array;
  private doubles: Float64Array;
  /** Other buffer objects found to view this memory (a shared memory's older SharedArrayBuffers), the latest first. */
  private readonly aliases: ArrayBufferLike[] = [];

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly arena: Arena,
  ) {
    this.bytes = new Uint8Array(memory.buffer);
    this.doubles = new Float64Array(this.bytes.buffer);
  }

  /** Bytes of the memory, up to at least `end`. */
  u8(end = 1): Uint8Array {
    if (this.bytes.byteLength < end) this.renew();
    return this.bytes;
  }

  /** Doubles of the memory, up to at least byte `end`. */
  f64(end = 8): Float64Array {
    if (this.doubles.byteLength < end) this.renew();
    return this.doubles;
  }

  /** Bytes of the whole memory as it is now (one `memory.buffer` read). */
  all(): Uint8Array {
    return this.u8(this.memory.buffer.byteLength);
  }

  /** True when views of `buffer` see this memory (the arena's test, after a cheap identity check). */
  owns(buffer: ArrayBufferLike): boolean {
    if ((buffer === this.bytes.buffer && this.bytes.byteLength !== 0) || this.aliases.includes(buffer)) return true;
    if (!this.arena.ownsBuffer(buffer)) return false;
    // A non-shared memory's buffer changes only when it grows, which detaches the old one: only a shared
    // one has aliases.
    if (this.arena.shared) {
      this.aliases.unshift(buffer);
      if (this.aliases.length > ALIASES) this.aliases.pop();
    } else {
      this.renew();
    }
    return true;
  }

  private renew(): void {
    this.bytes = new Uint8Array(this.memory.buffer);
    this.doubles = new Float64Array(this.bytes.buffer);
  }
}
