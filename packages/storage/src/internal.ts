// `@torchlet/storage/internal`: what the layers above storage need and users must not call. `allocate`
// may hand out memory the autograd engine recycled (`allocateUnfilled` without clearing it), `recycle`
// hands an array back for reuse (given a live tensor's memory it would corrupt that tensor), and `collectAllocations` is the engine's proof
// that it created an array. The umbrella `torchlet` package does not re-export this entry.
export { allocate, allocateUnfilled } from "./allocate.js";
// The checks of public arguments (see arguments.ts) and PyTorch's checked conversion of stored values.
export { argumentError, checkDType, checkFlag, checkScalar, describeValue } from "./arguments.js";
export { castInRange } from "./checked-convert.js";
// int64's exactness checks (see int64.ts), for the kernels and factories that store int64 values.
export { castChecked, checkInt64Results, int64RangeError, toInt64 } from "./int64.js";
export { collectAllocations, noteDeviceAllocation, recycle } from "./recycle.js";
// The Wasm heap (see wasm-heap.ts): the memory the elementwise and matmul kernels import, where a heap
// array lives in it, a block for a kernel's own scratch, and the test hooks. Its arrays view the
// whole heap: never hand one to user code.
export {
  HEAP_MAX_PAGES,
  HEAP_MIN_BYTES,
  HEAP_SCRATCH_BYTES,
  heapAddress,
  heapFloat32,
  heapInfo,
  limitHeapForTests,
  wasmHeap,
} from "./wasm-heap.js";
