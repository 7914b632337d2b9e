import { torchletPeer } from "./torchlet.js";

/** torchlet on its webgpu device (`torch.webgpu`). */
export const peer = torchletPeer("torchlet-webgpu", "webgpu");
