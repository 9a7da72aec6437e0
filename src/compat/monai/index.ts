// The `monai` namespace of dice-wasm/compat: MONAI's names, parameters and defaults (docs/porting.md,
// "MONAI").
export {
  compute_dice,
  compute_generalized_dice,
  compute_iou,
  ConfusionMatrixMetric,
  DiceHelper,
  DiceMetric,
  GeneralizedDiceScore,
  get_confusion_matrix,
  MeanIoU,
} from './metrics.js';
export type {
  ComputeDiceParams,
  ComputeGeneralizedDiceParams,
  ComputeIouParams,
  ConfusionMatrixMetricParams,
  DiceHelperParams,
  DiceMetricParams,
  GeneralizedDiceScoreParams,
  GetConfusionMatrixParams,
  MeanIoUParams,
  MonaiResult,
  MonaiValue,
} from './metrics.js';
export {
  DiceCELoss,
  DiceFocalLoss,
  DiceLoss,
  FocalLoss,
  GeneralizedDiceFocalLoss,
  GeneralizedDiceLoss,
  MaskedDiceLoss,
  TverskyLoss,
} from './losses.js';
export type {
  DiceCELossParams,
  DiceFocalLossParams,
  DiceLossParams,
  FocalLossParams,
  GeneralizedDiceFocalLossParams,
  GeneralizedDiceLossParams,
  MonaiWeight,
  TverskyLossParams,
} from './losses.js';
export type { OtherAct } from './loss-inputs.js';
export { HausdorffDTLoss, LogHausdorffDTLoss, SoftclDiceLoss, SoftDiceclDiceLoss } from './topology.js';
export type { HausdorffDTLossParams, SoftclDiceLossParams, SoftDiceclDiceLossParams } from './topology.js';
export * from './surface.js';
export { compute_panoptic_quality, PanopticQualityMetric } from './panoptic.js';
export type { ComputePanopticQualityParams, PanopticMetricName, PanopticQualityMetricParams } from './panoptic.js';
