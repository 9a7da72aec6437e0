// The largest label of a file (formats/volume.ts maxLabel, which takes a shortcut through the OR
// of every voxel when that is one bit): against a plain scan written here, on label maps of each
// kernel type, any length (word tails), views at byte offsets that are and are not multiples of 4,
// negative int32 values, and an ignore index that is or is not a label present.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxLabel, type Labels } from '../../src/cli/formats/volume.js';

/** Largest value > 0 not equal to `skip`, or 0. */
function reference(values: readonly number[], skip: number | null): number {
  let max = 0;
  for (const v of values) if (v !== skip && v > max) max = v;
  return max;
}

const TYPES = { u8: [Uint8Array, 0xff], u16: [Uint16Array, 0xffff], i32: [Int32Array, 0x7fffffff] } as const;

describe('maxLabel', () => {
  it.each(Object.keys(TYPES))('%s: the plain scan, with and without an ignore index', (type) => {
    const [Type, largest] = TYPES[type as keyof typeof TYPES];
    const value = fc.oneof(
      fc.constantFrom(0, 1),
      fc.constantFrom(0, 2, 4, 8, 128, largest),
      fc.integer({ min: 0, max: largest }),
      ...(type === 'i32' ? [fc.integer({ min: -5, max: -1 })] : []),
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 70 }),
        fc.integer({ min: 0, max: 3 }),
        fc.option(fc.oneof(fc.constantFrom(0, 1, 2, 255), fc.integer({ min: 0, max: largest }))),
        (values, offset, skip) => {
          const buffer = new ArrayBuffer((values.length + offset) * Type.BYTES_PER_ELEMENT + 8);
          const labels = new Type(buffer, offset * Type.BYTES_PER_ELEMENT, values.length) as Labels;
          labels.set(values);
          expect(maxLabel(labels, skip)).toBe(reference(Array.from(labels), skip));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('binary masks by hand: 0/1 → 1, 0/255 → 255, 255 ignored → 0, all 0 → 0', () => {
    expect(maxLabel(Uint8Array.from([0, 1, 0, 0, 1]), null)).toBe(1);
    expect(maxLabel(Uint8Array.from([0, 255, 0, 0, 0, 0, 0, 0, 255]), null)).toBe(255);
    expect(maxLabel(Uint8Array.from([0, 255, 0, 0, 0, 0, 0, 0, 255]), 255)).toBe(0);
    expect(maxLabel(Uint8Array.from([0, 1, 0, 0, 255]), 255)).toBe(1);
    expect(maxLabel(new Uint16Array(9), null)).toBe(0);
  });
});
