import { allocate, allocateUnfilled } from "./allocate.js";
import type { Device, DeviceStorage } from "./device.js";
import { type DType, dtypeOfArray, isFloating, type TypedArray } from "./dtype.js";
import { fmtShape, TorchletError } from "./errors.js";
import { toInt64 } from "./int64.js";
import { contiguousStrides, inferShape, normalizeDim, numel, type Shape } from "./shape.js";

/**
 * An n-dimensional strided view over a typed array: element (i0, i1, ...) lives at
 * `data[offset + i0*strides[0] + i1*strides[1] + ...]`. Views share `data`; nothing here copies
 * unless the method says so (`contiguous`, `copy`).
 *
 * @example
 * const a = StridedArray.fromFlat(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * a.transpose(0, 1).toNested(); // [[1, 4], [2, 5], [3, 6]]
 */
export class StridedArray {
  /** The number of elements (the product of `shape`). */
  readonly numel: number;
  /** The typed array of a CPU array; null when a device holds the elements. */
  private readonly cpuData: TypedArray | null;
  /** The device's storage when a device other than the CPU holds the elements, else null. */
  readonly deviceStorage: DeviceStorage | null;

  constructor(
    /** The backing typed array (or a device's storage), shared by every view of it. */
    source: TypedArray | DeviceStorage,
    /** The element type. */
    readonly dtype: DType,
    /** The size of each dim, outermost first. */
    readonly shape: readonly number[],
    /** How far apart in the storage consecutive indices of each dim are. */
    readonly strides: readonly number[],
    /** Where element (0, 0, ...) lives in the storage. */
    readonly offset = 0,
  ) {
    this.numel = numel(shape);
    const onCpu = ArrayBuffer.isView(source);
    this.cpuData = onCpu ? source : null;
    this.deviceStorage = onCpu ? null : source;
  }

  /**
   * The backing typed array, shared by every view of it. A device's array has none: reading it is an
   * error that names the asynchronous readers, so no CPU kernel ever computes on missing values.
   */
  get data(): TypedArray {
    if (this.cpuData === null) {
      throw new TorchletError(
        `the elements of this ${this.dtype} ${fmtShape(this.shape)} array are on ${this.device}: read them with await t.data(), t.itemAsync(), t.tolistAsync() or t.cpuAsync()`,
      );
    }
    return this.cpuData;
  }

  /** What every view shares: the typed array, or the device's storage. */
  get source(): TypedArray | DeviceStorage {
    return this.cpuData ?? (this.deviceStorage as DeviceStorage);
  }

  /** Where the elements live. */
  get device(): Device {
    return this.deviceStorage?.device ?? "cpu";
  }

  /** A contiguous array of `shape` viewing `data` (which must hold exactly numel elements). */
  static fromFlat(data: TypedArray, shape: Shape, dtype?: DType): StridedArray {
    const n = numel(shape);
    if (data.length !== n) {
      throw new TorchletError(`fromFlat: ${data.length} elements cannot fill shape ${fmtShape(shape)}`);
    }
    return new StridedArray(
      data,
      dtype ?? dtypeOfArray(data) ?? "bool",
      [...shape],
      contiguousStrides(shape),
    );
  }

  /** A new zero-filled contiguous array; `op` names the caller when the size or dtype is refused. */
  static zeros(shape: Shape, dtype: DType, op?: string): StridedArray {
    return new StridedArray(allocate(dtype, numel(shape), op), dtype, [...shape], contiguousStrides(shape));
  }

  /** The number of dims. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True when the elements lie in row-major order without gaps (size-1 dims may have any stride). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const size = this.shape[i] as number;
      if (size === 1) continue;
      if (size === 0) return true;
      if (this.strides[i] !== expected) return false;
      expected *= size;
    }
    return true;
  }

  /** The elements in row-major order: the backing subarray when contiguous, else a fresh copy. */
  flat(): TypedArray {
    if (this.isContiguous()) return this.data.subarray(this.offset, this.offset + this.numel) as TypedArray;
    return this.copy().data;
  }

  /** This array if contiguous, else a contiguous copy. */
  contiguous(): StridedArray {
    return this.isContiguous() ? this : this.copy();
  }

  /** A contiguous copy with its own storage, optionally converted to another dtype. */
  copy(dtype: DType = this.dtype): StridedArray {
    // copyInto writes every element: recycled memory need not be cleared first
    const out = new StridedArray(
      allocateUnfilled(dtype, this.numel),
      dtype,
      [...this.shape],
      contiguousStrides(this.shape),
    );
    copyInto(out, this);
    return out;
  }

  /** The storage index of every element, in row-major order (the general strided walk). */
  forEachIndex(visit: (storageIndex: number, flatIndex: number) => void): void {
    const n = this.numel;
    if (n === 0) return;
    const nd = this.shape.length;
    const counter = new Array<number>(nd).fill(0);
    let pos = this.offset;
    for (let i = 0; i < n; i++) {
      visit(pos, i);
      for (let d = nd - 1; d >= 0; d--) {
        const c = (counter[d] as number) + 1;
        if (c < (this.shape[d] as number)) {
          counter[d] = c;
          pos += this.strides[d] as number;
          break;
        }
        counter[d] = 0;
        pos -= (c - 1) * (this.strides[d] as number);
      }
    }
  }

  /** The storage index of every element in row-major order, for walking several arrays in step. */
  storageIndices(): Int32Array {
    const pos = new Int32Array(this.numel);
    this.forEachIndex((p, i) => {
      pos[i] = p;
    });
    return pos;
  }

  // ---- views (share storage) ----

  /** A view with a new shape, or null when the strides cannot express it (then reshape copies). */
  tryView(shape: Shape): StridedArray | null {
    const target = inferShape("view", shape, this.numel);
    const strides = viewStrides(this.shape, this.strides, target);
    return strides ? new StridedArray(this.source, this.dtype, target, strides, this.offset) : null;
  }

  /** `view`: like reshape but an error when a view is impossible, as in PyTorch. */
  view(shape: Shape): StridedArray {
    const v = this.tryView(shape);
    if (!v) {
      throw new TorchletError(
        `view: size ${fmtShape(shape)} is not compatible with input of shape ${fmtShape(this.shape)} and strides ${fmtShape(this.strides)}; use reshape instead`,
      );
    }
    return v;
  }

  /** A view when possible, else a contiguous copy in the new shape. */
  reshape(shape: Shape): StridedArray {
    const target = inferShape("reshape", shape, this.numel);
    return this.tryView(target) ?? this.copy().view(target);
  }

  /** A view with dims `dim0` and `dim1` swapped (negative dims count from the end). */
  transpose(dim0: number, dim1: number): StridedArray {
    const a = normalizeDim("transpose", dim0, this.ndim);
    const b = normalizeDim("transpose", dim1, this.ndim);
    if (a === b) return new StridedArray(this.source, this.dtype, this.shape, this.strides, this.offset);
    const order = this.shape.map((_, i) => i);
    order[a] = b;
    order[b] = a;
    return this.permuteUnchecked(order);
  }

  /** A view with the dims reordered: dim i of the result is dim `dims[i]` of this one. */
  permute(dims: readonly number[]): StridedArray {
    if (dims.length !== this.ndim) {
      throw new TorchletError(
        `permute: number of dims ${fmtShape(dims)} does not match the input's ${this.ndim} dimensions (shape ${fmtShape(this.shape)})`,
      );
    }
    const order = dims.map((d) => normalizeDim("permute", d, this.ndim));
    if (new Set(order).size !== order.length) {
      throw new TorchletError(`permute: repeated dim in ${fmtShape(dims)}`);
    }
    return this.permuteUnchecked(order);
  }

  private permuteUnchecked(order: readonly number[]): StridedArray {
    return new StridedArray(
      this.source,
      this.dtype,
      order.map((d) => this.shape[d] as number),
      order.map((d) => this.strides[d] as number),
      this.offset,
    );
  }

  /** Broadcasts to `shape` without copying: new leading dims and size-1 dims get stride 0. -1 keeps a size. */
  expand(shape: Shape): StridedArray {
    const lead = shape.length - this.ndim;
    if (lead < 0) {
      throw new TorchletError(
        `expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${this.ndim})`,
      );
    }
    const outShape: number[] = [];
    const outStrides: number[] = [];
    shape.forEach((want, i) => {
      const d = i - lead;
      const have = d >= 0 ? (this.shape[d] as number) : 1;
      if (want === -1) {
        if (d < 0)
          throw new TorchletError(
            `expand: -1 is not allowed in a leading, non-existing dimension (${fmtShape(shape)})`,
          );
        outShape.push(have);
        outStrides.push(this.strides[d] as number);
      } else if (want === have) {
        outShape.push(want);
        outStrides.push(d >= 0 ? (this.strides[d] as number) : 0);
      } else if (have === 1 && Number.isInteger(want) && want >= 0) {
        outShape.push(want);
        outStrides.push(0);
      } else {
        throw new TorchletError(
          `expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}; target sizes ${fmtShape(shape)}, tensor sizes ${fmtShape(this.shape)}`,
        );
      }
    });
    return new StridedArray(this.source, this.dtype, outShape, outStrides, this.offset);
  }

  /** A view with a size-1 dim inserted at `dim`. */
  unsqueeze(dim: number): StridedArray {
    const nd = this.ndim;
    const d = normalizeDim("unsqueeze", dim, nd + 1);
    const shape = new Array<number>(nd + 1);
    const strides = new Array<number>(nd + 1);
    for (let i = 0; i < d; i++) {
      shape[i] = this.shape[i] as number;
      strides[i] = this.strides[i] as number;
    }
    shape[d] = 1;
    strides[d] = d < nd ? (this.shape[d] as number) * (this.strides[d] as number) : 1;
    for (let i = d; i < nd; i++) {
      shape[i + 1] = this.shape[i] as number;
      strides[i + 1] = this.strides[i] as number;
    }
    return new StridedArray(this.source, this.dtype, shape, strides, this.offset);
  }

  /** Drops size-1 dims: all of them, or only `dim` (a no-op when that dim's size is not 1). */
  squeeze(dim?: number): StridedArray {
    // (a 0-d array has no dim to check, and squeezes to itself whatever `dim` says)
    const only = dim === undefined || this.ndim === 0 ? -1 : normalizeDim("squeeze", dim, this.ndim);
    const shape: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < this.shape.length; i++) {
      const size = this.shape[i] as number;
      if (size === 1 && (only === -1 || only === i)) continue;
      shape.push(size);
      strides.push(this.strides[i] as number);
    }
    return new StridedArray(this.source, this.dtype, shape, strides, this.offset);
  }

  /** The sub-array at `index` along `dim` (drops that dim). */
  select(dim: number, index: number): StridedArray {
    const d = normalizeDim("select", dim, this.ndim);
    const size = this.shape[d] as number;
    if (!Number.isInteger(index) || index < -size || index >= size) {
      throw new TorchletError(`select: index ${index} out of range for dimension ${d} of size ${size}`);
    }
    const i = index < 0 ? index + size : index;
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape.splice(d, 1);
    strides.splice(d, 1);
    return new StridedArray(
      this.source,
      this.dtype,
      shape,
      strides,
      this.offset + i * (this.strides[d] as number),
    );
  }

  /** Elements `start` (inclusive) to `end` (exclusive) along `dim`, PyTorch's `narrow`/slicing. */
  narrow(dim: number, start: number, length: number): StridedArray {
    const d = normalizeDim("narrow", dim, this.ndim);
    const size = this.shape[d] as number;
    const s = start < 0 ? start + size : start;
    if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
      throw new TorchletError(
        `narrow: start ${start} and length ${length} exceed dimension ${d} of size ${size}`,
      );
    }
    const shape = [...this.shape];
    shape[d] = length;
    return new StridedArray(
      this.source,
      this.dtype,
      shape,
      this.strides,
      this.offset + s * (this.strides[d] as number),
    );
  }

  // ---- reading ----

  /** The element at a multi-index (no bounds checks beyond what the caller did). */
  at(index: readonly number[]): number {
    let pos = this.offset;
    for (let d = 0; d < index.length; d++) pos += (index[d] as number) * (this.strides[d] as number);
    return this.data[pos] as number;
  }

  /** Nested JS arrays (bool as booleans), a bare number for 0-d arrays. */
  toNested(): unknown {
    const flat = this.flat();
    const conv = this.dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
    if (this.ndim === 0) return conv(flat[0] as number);
    let pos = 0;
    const build = (d: number): unknown[] => {
      const size = this.shape[d] as number;
      const out = new Array<unknown>(size);
      for (let i = 0; i < size; i++)
        out[i] = d === this.ndim - 1 ? conv(flat[pos++] as number) : build(d + 1);
      return out;
    };
    return build(0);
  }
}

/**
 * Copies `src` into `dst` elementwise (same shape; any strides; converts dtype as PyTorch's `copy_`).
 * A floating value that does not fit int64 exactly (NaN, infinite, beyond ±(2^53 - 1)) is a
 * `TorchletError` (named `to`, the conversion that gets here), raised before anything is written.
 *
 * @example
 * const dst = StridedArray.zeros([2, 2], "int32");
 * copyInto(dst, StridedArray.fromFlat(new Float32Array([1.5, 2, 3, 4]), [2, 2]).transpose(0, 1));
 * dst.toNested(); // [[1, 3], [2, 4]]
 */
export function copyInto(dst: StridedArray, src: StridedArray): void {
  const out = dst.data;
  const from = src.data;
  if (src.numel === 0) return; // (an empty view's offset may lie past its storage's end)
  if (dst.isContiguous() && src.isContiguous() && dst.dtype === src.dtype) {
    out.set(from.subarray(src.offset, src.offset + src.numel), dst.offset);
    return;
  }
  const fromFloat = isFloating(src.dtype);
  if (dst.dtype === "int64" && fromFloat) checkFitsInt64(src);
  const mode =
    dst.dtype === "bool" ? 1 : (dst.dtype === "int32" || dst.dtype === "int64") && fromFloat ? 2 : 0;
  // Walk both in row-major order over coalesced dims (innermost first): a transposed or sliced copy
  // is a few long rows, not a callback per element.
  const sizes: number[] = [];
  const sd: number[] = [];
  const ss: number[] = [];
  for (let d = src.shape.length - 1; d >= 0; d--) {
    const size = src.shape[d] as number;
    if (size === 1) continue;
    const a = dst.strides[d] as number;
    const b = src.strides[d] as number;
    const k = sizes.length - 1;
    if (
      k >= 0 &&
      a === (sd[k] as number) * (sizes[k] as number) &&
      b === (ss[k] as number) * (sizes[k] as number)
    ) {
      sizes[k] = (sizes[k] as number) * size;
    } else {
      sizes.push(size);
      sd.push(a);
      ss.push(b);
    }
  }
  if (sizes.length === 0) {
    sizes.push(1);
    sd.push(0);
    ss.push(0);
  }
  const nd = sizes.length;
  const inner = sizes[0] as number;
  const id = sd[0] as number;
  const is = ss[0] as number;
  const counter = new Array<number>(nd).fill(0);
  let pd = dst.offset;
  let ps = src.offset;
  for (;;) {
    copyRow(out, pd, id, from, ps, is, inner, mode);
    let d = 1;
    for (; d < nd; d++) {
      const c = (counter[d] as number) + 1;
      if (c < (sizes[d] as number)) {
        counter[d] = c;
        pd += sd[d] as number;
        ps += ss[d] as number;
        break;
      }
      counter[d] = 0;
      pd -= (c - 1) * (sd[d] as number);
      ps -= (c - 1) * (ss[d] as number);
    }
    if (d === nd) return;
  }
}

/** Throws the `to` error for the first element of a floating `src` that int64 cannot hold exactly. */
function checkFitsInt64(src: StridedArray): void {
  const data = src.data;
  src.forEachIndex((i) => {
    toInt64("to", data[i] as number);
  });
}

/**
 * One row of `copyInto`: mode 0 stores as is, 1 as bool (nonzero -> 1), 2 truncates toward zero (to
 * an integer type; `+ 0` turns the -0 of truncating -0.5 into the integer 0).
 */
function copyRow(
  out: TypedArray,
  pd: number,
  id: number,
  from: TypedArray,
  ps: number,
  is: number,
  n: number,
  mode: number,
): void {
  if (mode === 0) {
    for (let j = 0; j < n; j++) out[pd + j * id] = from[ps + j * is] as number;
  } else if (mode === 1) {
    for (let j = 0; j < n; j++) out[pd + j * id] = (from[ps + j * is] as number) !== 0 ? 1 : 0;
  } else {
    for (let j = 0; j < n; j++) out[pd + j * id] = Math.trunc(from[ps + j * is] as number) + 0;
  }
}

/**
 * Strides that make `newShape` a view of memory laid out as (`shape`, `strides`), or null if none exist.
 * PyTorch's `computeStride`: walk both shapes from the right in chunks of memory-contiguous dims.
 *
 * @example
 * viewStrides([2, 3], [3, 1], [3, 2]); // [2, 1]
 * viewStrides([3, 2], [1, 3], [6]); // null
 */
export function viewStrides(shape: Shape, strides: Shape, newShape: Shape): number[] | null {
  if (shape.length === 0 || numel(shape) === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = strides[strides.length - 1] as number;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d] as number;
    const chunkEnds = d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBaseStride);
    if (!chunkEnds) continue;
    while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
      out[viewD] = viewNumel * chunkBaseStride;
      viewNumel *= newShape[viewD] as number;
      viewD--;
    }
    if (viewNumel !== tensorNumel) return null;
    if (d > 0) {
      chunkBaseStride = strides[d - 1] as number;
      tensorNumel = 1;
      viewNumel = 1;
    }
  }
  return viewD === -1 ? out : null;
}
