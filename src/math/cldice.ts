// The soft clDice loss (Shit et al., CVPR 2021; MONAI's SoftclDiceLoss) and the soft Dice term of
// SoftDiceclDiceLoss, as formulas of one term's sums with their exact partial derivatives:
//
//   Tprec = (A + s) / (B + s),  A = Σ skel(p)·y, B = Σ skel(p)
//   Tsens = (C + s) / (D + s),  C = Σ skel(y)·p, D = Σ skel(y)
//   clDice = 2·Tprec·Tsens / (Tprec + Tsens), loss 1 − clDice
//   Dice loss (MONAI's soft_dice) 1 − (2I + s) / (P + G + s), I = Σ p·y, P = Σ p, G = Σ y
//
// ∂clDice/∂Tprec = 2·Tsens² / (Tprec + Tsens)², and symmetrically; ∂Tprec/∂A = 1/(B + s),
// ∂Tprec/∂B = −(A + s)/(B + s)², ∂Tsens/∂C = 1/(D + s) (D depends on the target only).

/** The clDice loss of one term and its partials [loss, ∂/∂A, ∂/∂B, ∂/∂C]; NaN when undefined (0/0). */
export function clDiceLoss(
  A: number,
  B: number,
  C: number,
  D: number,
  smooth: number,
): [number, number, number, number] {
  const precision = (A + smooth) / (B + smooth);
  const sensitivity = (C + smooth) / (D + smooth);
  const total = precision + sensitivity;
  const score = (2 * precision * sensitivity) / total;
  const dPrecision = (2 * sensitivity * sensitivity) / (total * total);
  const dSensitivity = (2 * precision * precision) / (total * total);
  return [
    1 - score,
    -dPrecision / (B + smooth),
    (dPrecision * (A + smooth)) / ((B + smooth) * (B + smooth)),
    -dSensitivity / (D + smooth),
  ];
}

/** MONAI's soft_dice loss of one term and its partials [loss, ∂/∂I, ∂/∂P] (∂/∂G is not needed). */
export function softDiceLoss(I: number, P: number, G: number, smooth: number): [number, number, number] {
  const denominator = P + G + smooth;
  const numerator = 2 * I + smooth;
  return [1 - numerator / denominator, -2 / denominator, numerator / (denominator * denominator)];
}
