// The instance-level metric names that createMetric and `dice-wasm eval --metrics` take: the
// lesion-wise scores (README "Lesion-wise metrics") and panoptic quality of the components of
// each class. Names are matched as src/metrics/names.ts matches them (lower case, without
// spaces, '_' and '-').
import { describe, rangeError, typeError } from '../../core/errors.js';
import { closest } from '../../core/options.js';
import type { LesionScores } from '../../math/lesions.js';

type PanopticName = 'pq' | 'sq' | 'rq';

interface InstanceDefinition {
  family: 'lesion' | 'panoptic';
  /** The lesion score or panoptic score it reads. */
  score: keyof LesionScores | PanopticName;
  aliases: readonly string[];
}

const DEFINITIONS = {
  lesion_dice: { family: 'lesion', score: 'lesionDice', aliases: ['lesionwise dice', 'lesion wise dice'] },
  lesion_hd95: { family: 'lesion', score: 'lesionHd95', aliases: ['lesionwise hd95', 'lesion wise hd95'] },
  lesion_f1: { family: 'lesion', score: 'f1', aliases: ['lesionwise f1', 'lesion detection f1'] },
  lesion_sensitivity: { family: 'lesion', score: 'sensitivity', aliases: ['lesion recall', 'lesion tpr'] },
  lesion_precision: { family: 'lesion', score: 'precision', aliases: ['lesion ppv'] },
  lesion_tp: { family: 'lesion', score: 'tp', aliases: [] },
  lesion_fp: { family: 'lesion', score: 'fp', aliases: [] },
  lesion_fn: { family: 'lesion', score: 'fn', aliases: [] },
  pq: { family: 'panoptic', score: 'pq', aliases: ['panoptic quality'] },
  sq: { family: 'panoptic', score: 'sq', aliases: ['segmentation quality'] },
  rq: { family: 'panoptic', score: 'rq', aliases: ['recognition quality'] },
} satisfies Record<string, InstanceDefinition>;

export type InstanceMetricId = keyof typeof DEFINITIONS;
export const INSTANCE_METRIC_IDS = Object.keys(DEFINITIONS) as InstanceMetricId[];

const normalise = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, '');
const LOOKUP: ReadonlyMap<string, InstanceMetricId> = new Map(
  INSTANCE_METRIC_IDS.flatMap((id) => [id, ...DEFINITIONS[id].aliases].map((n) => [normalise(n), id] as const)),
);

export function definitionOfInstance(id: InstanceMetricId): InstanceDefinition {
  return DEFINITIONS[id];
}

/** Whether `name` is an instance-level metric (lesion-wise or panoptic), for callers that split one list of names. */
export function isInstanceMetric(name: string): boolean {
  return LOOKUP.has(normalise(name));
}

export interface InstanceEntry {
  key: string;
  id: InstanceMetricId;
}

export function resolveInstanceMetricNames(fn: string, metrics: unknown, arg = 'metrics'): readonly InstanceEntry[] {
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw typeError(
      fn,
      arg,
      `must be a non-empty array of metric names, e.g. ['lesion_dice', 'lesion_hd95']; got ${describe(metrics)}`,
    );
  }
  const entries: InstanceEntry[] = [];
  metrics.forEach((name: unknown, i) => {
    if (typeof name !== 'string')
      throw typeError(fn, `${arg}[${i}]`, `must be a metric name (a string); got ${describe(name)}`);
    const id = LOOKUP.get(normalise(name));
    if (id === undefined) {
      const near = closest(normalise(name), [...LOOKUP.keys()]);
      throw rangeError(
        fn,
        `${arg}[${i}]`,
        `'${name}' is not an instance metric${near ? ` (did you mean '${LOOKUP.get(near)}'?)` : ''}; ` +
          `they are ${INSTANCE_METRIC_IDS.join(', ')}`,
      );
    }
    if (entries.some((e) => e.key === name)) throw rangeError(fn, `${arg}[${i}]`, `'${name}' is listed twice`);
    entries.push({ key: name, id });
  });
  return entries;
}
