// The metric names this library knows: a canonical name per formula (src/math/metrics.ts) and
// its aliases, including MONAI's 17 ConfusionMatrixMetric names and their aliases, and the
// surface-distance metrics (src/math/surface.ts). Names are
// matched after lowercasing and dropping spaces, '_' and '-', so 'balanced accuracy',
// 'balanced_accuracy' and 'balancedAccuracy' are one metric.
import { describe, quote, rangeError, typeError } from '../core/errors.js';
import { closest } from '../core/options.js';
import * as m from '../math/metrics.js';
import * as t from '../math/topology.js';
import {
  TOPO_BAND_BOTH,
  TOPO_BAND_EITHER,
  TOPO_SKEL_PRED,
  TOPO_SKEL_PRED_IN_TARGET,
  TOPO_SKEL_TARGET,
  TOPO_SKEL_TARGET_IN_PRED,
} from '../core/constants.js';

/** A metric of one confusion matrix; `beta` is the F-beta parameter. */
export type CountMetric = (tp: number, fp: number, fn: number, tn: number, beta: number) => number;

/** A metric of the topology record (TOPO_* slots) that starts at `at`. */
export type TopologyMetric = (record: ArrayLike<number>, at: number) => number;

interface MetricDefinition {
  /** Per (sample, class), or null for the Generalized Dice score (one value per sample) and the topology metrics. */
  perClass: CountMetric | null;
  /**
   * A metric of what the topology kernels count (math/topology.ts) rather than of the confusion
   * counts: the skeletons of both masks (clDice) or their boundary bands (Boundary IoU).
   */
  topology?: { needs: 'skeleton' | 'band'; metric: TopologyMetric };
  aliases: readonly string[];
}

const skeletonMetric = (metric: TopologyMetric) => ({ needs: 'skeleton' as const, metric });

const DEFINITIONS = {
  dice: { perClass: m.dice, aliases: ['f1', 'f1 score', 'dsc', 'sorensen dice'] },
  iou: {
    perClass: m.iou,
    aliases: ['jaccard', 'jaccard index', 'threat score', 'ts', 'critical success index', 'csi'],
  },
  fbeta: { perClass: (tp, fp, fn, _tn, beta) => m.fbeta(tp, fp, fn, beta), aliases: ['f beta', 'fbeta score'] },
  precision: { perClass: m.precision, aliases: ['ppv', 'positive predictive value'] },
  recall: { perClass: m.recall, aliases: ['sensitivity', 'hit rate', 'true positive rate', 'tpr'] },
  specificity: { perClass: m.specificity, aliases: ['selectivity', 'true negative rate', 'tnr'] },
  npv: { perClass: m.npv, aliases: ['negative predictive value'] },
  fpr: { perClass: m.fpr, aliases: ['fall out', 'false positive rate'] },
  fnr: { perClass: m.fnr, aliases: ['miss rate', 'false negative rate'] },
  fdr: { perClass: m.fdr, aliases: ['false discovery rate'] },
  for: { perClass: m.falseOmissionRate, aliases: ['false omission rate'] },
  accuracy: { perClass: m.accuracy, aliases: ['acc'] },
  balancedAccuracy: { perClass: m.balancedAccuracy, aliases: ['ba'] },
  mcc: { perClass: m.mcc, aliases: ['matthews correlation coefficient'] },
  fowlkesMallows: { perClass: m.fowlkesMallows, aliases: ['fm', 'fowlkes mallows index'] },
  prevalenceThreshold: { perClass: m.prevalenceThreshold, aliases: ['pt'] },
  informedness: { perClass: m.informedness, aliases: ['bm', 'bookmaker informedness'] },
  markedness: { perClass: m.markedness, aliases: ['mk', 'deltap'] },
  volumeSimilarity: { perClass: m.volumeSimilarity, aliases: ['vs'] },
  generalizedDice: { perClass: null, aliases: ['gds', 'generalized dice score'] },
  cldice: {
    perClass: null,
    topology: skeletonMetric((r, at) =>
      t.clDice(
        r[at + TOPO_SKEL_PRED],
        r[at + TOPO_SKEL_PRED_IN_TARGET],
        r[at + TOPO_SKEL_TARGET],
        r[at + TOPO_SKEL_TARGET_IN_PRED],
      ),
    ),
    aliases: ['cl dice', 'centreline dice', 'centerline dice', 'cdsc', 'centreline dsc'],
  },
  topologyPrecision: {
    perClass: null,
    topology: skeletonMetric((r, at) => t.topologyPrecision(r[at + TOPO_SKEL_PRED], r[at + TOPO_SKEL_PRED_IN_TARGET])),
    aliases: ['tprec', 'topology precision'],
  },
  topologySensitivity: {
    perClass: null,
    topology: skeletonMetric((r, at) =>
      t.topologySensitivity(r[at + TOPO_SKEL_TARGET], r[at + TOPO_SKEL_TARGET_IN_PRED]),
    ),
    aliases: ['tsens', 'topology sensitivity'],
  },
  biou: {
    perClass: null,
    topology: {
      needs: 'band',
      metric: (r, at) => t.boundaryIou(r[at + TOPO_BAND_BOTH], r[at + TOPO_BAND_EITHER]),
    },
    aliases: ['boundary iou', 'boundary jaccard'],
  },
} satisfies Record<string, MetricDefinition>;

export type MetricId = keyof typeof DEFINITIONS;

/** Canonical metric names, in the order of the table of docs/metrics.md. */
export const METRIC_IDS = Object.keys(DEFINITIONS) as MetricId[];

/**
 * The surface-distance metrics (src/math/surface.ts, docs/surface-distances.md): measured on the
 * surfaces of the two masks, by k.surfaceMetrics, not from confusion counts.
 */
const SURFACE_DEFINITIONS = {
  hausdorff: { aliases: ['hd', 'hausdorff distance'] },
  hausdorff95: { aliases: ['hd95', 'hausdorff percentile', 'percentile hausdorff', 'robust hausdorff'] },
  assd: { aliases: ['average symmetric surface distance'] },
  asd: { aliases: ['average surface distance', 'mean surface distance'] },
  nsd: { aliases: ['normalized surface dice', 'normalised surface dice', 'surface dice'] },
} satisfies Record<string, { aliases: readonly string[] }>;

export type SurfaceMetricId = keyof typeof SURFACE_DEFINITIONS;

/** Canonical surface metric names, in the order of the table of docs/metrics.md. */
export const SURFACE_METRIC_IDS = Object.keys(SURFACE_DEFINITIONS) as SurfaceMetricId[];

const normalise = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, '');

function lookupOf<Id extends string>(
  ids: readonly Id[],
  aliases: (id: Id) => readonly string[],
): ReadonlyMap<string, Id> {
  return new Map(ids.flatMap((id) => [id, ...aliases(id)].map((name) => [normalise(name), id] as const)));
}

const LOOKUP = lookupOf(METRIC_IDS, (id) => DEFINITIONS[id].aliases);
const SURFACE_LOOKUP = lookupOf(SURFACE_METRIC_IDS, (id) => SURFACE_DEFINITIONS[id].aliases);

export function definitionOf(id: MetricId): MetricDefinition {
  return DEFINITIONS[id];
}

/** What the metrics listed need measured beyond the confusion counts. */
export function topologyNeeds(metrics: readonly MetricEntry[]): { skeleton: boolean; band: boolean } {
  const needs = metrics.map((e) => (DEFINITIONS[e.id] as MetricDefinition).topology?.needs);
  return { skeleton: needs.includes('skeleton'), band: needs.includes('band') };
}

/**
 * Whether `name` (canonical or alias) is a surface-distance metric, for callers that split one
 * list of names between k.metrics and k.surfaceMetrics (a command line, say).
 */
export function isSurfaceMetric(name: string): boolean {
  return SURFACE_LOOKUP.has(normalise(name));
}

/**
 * Whether `name` (canonical or alias) is a metric measured on the masks themselves (clDice and
 * its parts, Boundary IoU), for callers that split one list of names (a command line, say).
 */
export function isTopologyMetric(name: string): boolean {
  const id = LOOKUP.get(normalise(name));
  return id !== undefined && (DEFINITIONS[id] as MetricDefinition).topology !== undefined;
}

/** A metric asked for: the name as given (the result's key) and what it computes. */
export interface MetricEntry<Id extends string = MetricId> {
  key: string;
  id: Id;
}

interface NameFamily<Id extends string> {
  lookup: ReadonlyMap<string, Id>;
  ids: readonly Id[];
  /** Where a name of the other family belongs, for the error message. */
  other: { lookup: ReadonlyMap<string, string>; what: string };
  example: string;
}

const OVERLAP: NameFamily<MetricId> = {
  lookup: LOOKUP,
  ids: METRIC_IDS,
  example: "['dice', 'iou']",
  other: { lookup: SURFACE_LOOKUP, what: 'a surface-distance metric: use surfaceMetrics()' },
};
const SURFACE: NameFamily<SurfaceMetricId> = {
  lookup: SURFACE_LOOKUP,
  ids: SURFACE_METRIC_IDS,
  example: "['hausdorff95', 'nsd']",
  other: { lookup: LOOKUP, what: 'a metric of confusion counts: use metrics()' },
};

/** Resolves a list of metric names (canonical or alias); unknown names get a suggestion. */
export function resolveMetricNames(fn: string, metrics: unknown, arg = 'metrics'): readonly MetricEntry[] {
  return resolveNames(fn, metrics, arg, OVERLAP);
}

/** Resolves a list of surface metric names, as resolveMetricNames. */
export function resolveSurfaceMetricNames(
  fn: string,
  metrics: unknown,
  arg = 'metrics',
): readonly MetricEntry<SurfaceMetricId>[] {
  return resolveNames(fn, metrics, arg, SURFACE);
}

function resolveNames<Id extends string>(
  fn: string,
  metrics: unknown,
  arg: string,
  family: NameFamily<Id>,
): readonly MetricEntry<Id>[] {
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw typeError(
      fn,
      arg,
      `must be a non-empty array of metric names, e.g. ${family.example}; got ${describe(metrics)}`,
    );
  }
  const entries: MetricEntry<Id>[] = [];
  metrics.forEach((name: unknown, i) => {
    if (typeof name !== 'string')
      throw typeError(fn, `${arg}[${i}]`, `must be a metric name (a string); got ${describe(name)}`);
    const id = family.lookup.get(normalise(name));
    if (id === undefined) {
      if (family.other.lookup.has(normalise(name)))
        throw rangeError(fn, `${arg}[${i}]`, `'${name}' is ${family.other.what}`);
      const near = closest(normalise(name), [...family.lookup.keys()]);
      const hint = near ? ` (did you mean '${family.lookup.get(near)}'?)` : '';
      throw rangeError(
        fn,
        `${arg}[${i}]`,
        `'${quote(name, 40)}' is not a metric this library knows${hint}; its metrics are ${family.ids.join(', ')} ` +
          '(README: aliases)',
      );
    }
    if (entries.some((e) => e.key === name)) throw rangeError(fn, `${arg}[${i}]`, `'${name}' is listed twice`);
    entries.push({ key: name, id });
  });
  return entries;
}
