// isSurfaceMetric: which names (canonical or alias, written any way the name matching accepts)
// are surface distances, from the tables of the README (Surface distances, Metric names).
import { describe, expect, it } from 'vitest';
import { isSurfaceMetric } from '../../src/index.js';

/** The README's surface-distance table: each metric and its aliases. */
const SURFACE = [
  'hausdorff',
  'hd',
  'hausdorff distance',
  'hausdorff95',
  'hd95',
  'percentile hausdorff',
  'robust hausdorff',
  'assd',
  'average symmetric surface distance',
  'asd',
  'average surface distance',
  'mean surface distance',
  'nsd',
  'normalized surface dice',
  'surface dice',
];

/** Names of the confusion-count metrics (README, Metric names), some of them near a surface name. */
const COUNT = [
  'dice',
  'f1',
  'iou',
  'jaccard',
  'fbeta',
  'precision',
  'mcc',
  'accuracy',
  'volumeSimilarity',
  'vs',
  'gds',
];

describe('isSurfaceMetric', () => {
  it.each(SURFACE)('%s is a surface distance', (name) => {
    expect(isSurfaceMetric(name)).toBe(true);
  });

  it('matches after lowercasing and dropping spaces, _ and -', () => {
    for (const name of [
      'HD95',
      'Hausdorff_95',
      'hausdorff-distance',
      'Normalized Surface Dice',
      'surface_dice',
      'A S S D',
    ])
      expect(isSurfaceMetric(name), name).toBe(true);
  });

  it.each(COUNT)('%s (a confusion-count metric) is not', (name) => {
    expect(isSurfaceMetric(name)).toBe(false);
  });

  it('unknown and near names are not', () => {
    for (const name of ['', 'hd96', 'hausdorff99', 'surface', 'dice surface', 'nsd2', 'distance'])
      expect(isSurfaceMetric(name), name).toBe(false);
  });
});
