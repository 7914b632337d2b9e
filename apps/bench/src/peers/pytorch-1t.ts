import { pytorchPeer } from "./pytorch.js";

/** PyTorch on one thread (its BLAS too). */
export const peer = pytorchPeer("pytorch-1t", 1);
