// The metric names this library knows: a canonical name per formula (src/math/metrics.ts) and
// its aliases, including MONAI's 17 ConfusionMatrixMetric names and their aliases. Names are
// matched after lowercasing and dropping spaces, '_' and '-', so 'balanced accuracy',
// 'balanced_accuracy' and 'balancedAccuracy' are one metric.
import { rangeError, typeError, describe } from '../errors.js';
import { closest } from '../losses/options.js';
import * as m from '../math/metrics.js';

/** A metric of one confusion matrix; `beta` is the F-beta parameter. */
export type CountMetric = (tp: number, fp: number, fn: number, tn: number, beta: number) => number;

interface MetricDefinition {
  /** Per (sample, class), or null for the Generalized Dice score (one value per sample). */
  perClass: CountMetric | null;
  aliases: readonly string[];
}

const DEFINITIONS = {
  dice: { perClass: m.dice, aliases: ['f1', 'f1 score', 'dsc', 'sorensen dice'] },
  iou: { perClass: m.iou, aliases: ['jaccard', 'jaccard index', 'threat score', 'ts', 'critical success index', 'csi'] },
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
} satisfies Record<string, MetricDefinition>;

export type MetricId = keyof typeof DEFINITIONS;

/** Canonical metric names, in the order of the README table. */
export const METRIC_IDS = Object.keys(DEFINITIONS) as MetricId[];

const normalise = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, '');

const LOOKUP: ReadonlyMap<string, MetricId> = new Map(
  METRIC_IDS.flatMap((id) => [id, ...DEFINITIONS[id].aliases].map((name) => [normalise(name), id] as const)),
);

export function definitionOf(id: MetricId): MetricDefinition {
  return DEFINITIONS[id];
}

/** A metric asked for: the name as given (the result's key) and what it computes. */
export interface MetricEntry {
  key: string;
  id: MetricId;
}

/** Resolves a list of metric names (canonical or alias); unknown names get a suggestion. */
export function resolveMetricNames(fn: string, metrics: unknown, arg = 'metrics'): readonly MetricEntry[] {
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw typeError(fn, arg, `must be a non-empty array of metric names, e.g. ['dice', 'iou']; got ${describe(metrics)}`);
  }
  const entries: MetricEntry[] = [];
  metrics.forEach((name: unknown, i) => {
    if (typeof name !== 'string') throw typeError(fn, `${arg}[${i}]`, `must be a metric name (a string); got ${describe(name)}`);
    const id = LOOKUP.get(normalise(name));
    if (id === undefined) {
      const near = closest(normalise(name), [...LOOKUP.keys()]);
      const hint = near ? ` (did you mean '${LOOKUP.get(near)}'?)` : '';
      throw rangeError(fn, `${arg}[${i}]`, `'${name}' is not a metric this library knows${hint}; its metrics are ${METRIC_IDS.join(', ')} (README: aliases)`);
    }
    if (entries.some((e) => e.key === name)) throw rangeError(fn, `${arg}[${i}]`, `'${name}' is listed twice`);
    entries.push({ key: name, id });
  });
  return entries;
}
