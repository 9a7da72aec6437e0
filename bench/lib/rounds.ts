// One size of a round-robin benchmark: every contender must first give the baseline's answer,
// then all are timed together (timing.ts) and each is summarised against the baseline.
import { progress } from './report.js';
import { measureRoundRobin, type Runnable, type Schedule } from './timing.js';

export interface Timed {
  medianMs: number;
  q1Ms: number;
  q3Ms: number;
  minMs: number;
  samples: number;
  /** The baseline's median / this contender's median. */
  speedup: number;
}

/**
 * Checks each contender with `disagreement` (null when it agrees with the baseline, the first
 * contender; else what to print), then times them all round-robin. Returns each contender's
 * summary by id, or null after printing the first disagreement and setting the exit code.
 */
export function agreeThenTime<C extends Runnable>(
  label: string,
  contenders: readonly C[],
  schedule: Schedule,
  disagreement: (c: C) => string | null,
): Map<string, Timed> | null {
  progress(`${label}: agreement check`);
  for (const c of contenders) {
    const why = disagreement(c);
    if (why !== null) {
      console.error(`FAILED: ${why} (${label})`);
      process.exitCode = 1;
      return null;
    }
  }
  progress(`${label}: timing ${contenders.length} implementations round-robin (≥ ${schedule.minSamples} samples)`);
  const measured = measureRoundRobin(contenders, schedule);
  const baseline = measured.get(contenders[0].id)!.medianMs;
  return new Map(
    contenders.map((c) => {
      const m = measured.get(c.id)!;
      return [
        c.id,
        {
          medianMs: m.medianMs,
          q1Ms: m.q1Ms,
          q3Ms: m.q3Ms,
          minMs: m.minMs,
          samples: m.samplesMs.length,
          speedup: baseline / m.medianMs,
        },
      ];
    }),
  );
}
