/**
 * `torch.optim.lrScheduler` (PyTorch's `torch.optim.lr_scheduler`).
 */
export { CosineAnnealingLR, ExponentialLR, LRScheduler, StepLR } from "./lr-scheduler.js";
