// fast-check arbitraries shared by the property tests.
import fc from 'fast-check';

/**
 * The length of one spatial axis: mostly short (0..19, so every SIMD tail length and empty axes
 * occur), sometimes long (1000..5000: several blocks and tiles).
 */
export const spatialAxis = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 19 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 5000 }) },
);
