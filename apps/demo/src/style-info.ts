// What the page needs to know about the styles (kept apart from trainer.ts so that the page's bundle
// does not pull in torchlet).
import type { StyleName } from "./protocol.js";

export interface StyleInfo {
  label: string;
  /** A learning rate that trains the chapter's data visibly in this style, loaded when it is picked. */
  lr: number | null;
  /** Whether it trains on webgpu when that device is chosen (otherwise it runs on the CPU). */
  webgpu: boolean;
}

export const STYLES: Record<StyleName, StyleInfo> = {
  raw: { label: "1. Raw tensors (the chapter)", lr: null, webgpu: true },
  modules: { label: "2. nn.Linear modules", lr: null, webgpu: true },
  // The trainer moves the model before making the optimizer, whose state then lives on the device.
  optim: { label: "3. nn.Sequential + optim.SGD", lr: null, webgpu: true },
  // Adam moves each weight by about lr per step whatever the gradient: 1e-4 would barely move.
  adam: { label: "4. optim.Adam", lr: 0.01, webgpu: true },
};
