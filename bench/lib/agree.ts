// The agreement check every benchmark runs before timing: a contender that gives another loss or
// another gradient than the reference in the same run fails the benchmark loudly (an exception,
// exit code 1), since timing a wrong answer is worse than timing nothing.

/** One call's answer: its loss and, when the call has one, its gradient (in the reference's layout). */
export interface Answer {
  loss: number;
  grad?: ArrayLike<number>;
}

/**
 * How far an answer may be from the reference's: the loss relative to its size, the gradient relative
 * to max |grad|.
 */
export interface Tolerance {
  loss: number;
  grad: number;
}

/** |got − want| / |want| (|got| when want is 0); Infinity when either is NaN. */
export function lossDifference(got: number, want: number): number {
  if (got === want) return 0;
  const d = want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
  return Number.isNaN(d) ? Infinity : d;
}

/** max_i |got_i − want_i| / max_i |want_i| (0 when they are equal; Infinity for NaN or other lengths). */
export function gradientDifference(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (Number.isNaN(d)) return Infinity;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(want[i]));
  }
  if (diff === 0) return 0;
  return scale === 0 ? Infinity : diff / scale;
}

/**
 * The differences of `got` from `want`; throws, naming `what`, the numbers and the tolerance, when
 * the loss or the gradient is farther than `tolerance` (or the gradient is missing on one side).
 */
export function assertAgreement(
  what: string,
  got: Answer,
  want: Answer,
  tolerance: Tolerance,
): { loss: number; grad: number | null } {
  const loss = lossDifference(got.loss, want.loss);
  if (!(loss <= tolerance.loss)) {
    throw new Error(
      `bench: ${what}: loss ${got.loss} vs ${want.loss} (relative difference ${loss}, tolerance ${tolerance.loss})`,
    );
  }
  if ((got.grad === undefined) !== (want.grad === undefined))
    throw new Error(`bench: ${what}: one side has a gradient and the other not`);
  if (got.grad === undefined || want.grad === undefined) return { loss, grad: null };
  const grad = gradientDifference(got.grad, want.grad);
  if (!(grad <= tolerance.grad)) {
    let at = 0;
    for (let i = 1; i < want.grad.length; i++)
      if (Math.abs(got.grad[i] - want.grad[i]) > Math.abs(got.grad[at] - want.grad[at])) at = i;
    throw new Error(
      `bench: ${what}: gradient max |Δ| / max |grad| = ${grad} (tolerance ${tolerance.grad}); ` +
        `worst at element ${at}: ${got.grad[at]} vs ${want.grad[at]}`,
    );
  }
  return { loss, grad };
}

/** `--check` on a benchmark's command line: run the agreement checks only (no timing, no results written). */
export const CHECK_ONLY = process.argv.includes('--check');
