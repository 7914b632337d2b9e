import { pytorchPeer } from "./pytorch.js";

/** PyTorch on two threads (its BLAS too): torchlet's matmul uses both cores of this machine. */
export const peer = pytorchPeer("pytorch-2t", 2);
