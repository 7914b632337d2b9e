// WebGPU's flag values (GPUBufferUsage, GPUMapMode), spelled here so that nothing depends on a
// global that Dawn for Node only installs when asked to.
export const USAGE = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  STORAGE: 0x80,
} as const;
export const MAP_READ = 0x1;
/** What tensor buffers are used for: kernels read and write them, copies move them. */
export const TENSOR_USAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
