import { typeName } from "./dtype.js";
import { formatStreamDouble, type StreamFloatFormat } from "./gformat.js";
import { contiguousStrides } from "./shape.js";
import type { StridedArray } from "./strided.js";

/**
 * What the footer of a printed tensor says besides dtype and shape.
 *
 * @example
 * const options: FormatOptions = { requiresGrad: true };
 * formatTensor(StridedArray.fromFlat(new Float32Array([1, 2]), [2]), options);
 * // "torch_tensor\n 1\n 2\n[ CPUFloatType{2} ][ requires_grad = TRUE ]"
 */
export interface FormatOptions {
  /** The grad_fn's name, e.g. "AddBackward0": printed as `[ grad_fn = <AddBackward0> ]`. */
  gradFn?: string | null;
  /** A leaf that requires grad: printed as `[ requires_grad = TRUE ]`. */
  requiresGrad?: boolean;
  /**
   * R torch's `print(x, n = 30)`: when libtorch's text (its footer line included) has more than
   * `maxLines` lines, only the first `maxLines` are shown, then
   * `... [the output was truncated (use n=-1 to disable)]`, then the footer.
   * Default 30; -1 (as any value below 2 in R torch) prints everything.
   */
  maxLines?: number;
}

/** at::print's line width for `operator<<`; wider matrices are split into "Columns a to b" blocks. */
const LINE_SIZE = 80;
const DEFAULT_MAX_LINES = 30;
const TRUNCATION_NOTE = "... [the output was truncated (use n=-1 to disable)]";

/**
 * The tensor as R torch prints it: `torch_tensor`, then libtorch's `operator<<` text (PyTorch 1.13's
 * aten/src/ATen/core/Formatting.cpp, ported below with its quirks), summarised to `maxLines` lines,
 * with R torch's grad notes after the footer.
 *
 * @example
 * formatTensor(StridedArray.fromFlat(new Float32Array([1.5, 2, 3]), [3]), { gradFn: "AddBackward0" });
 * // "torch_tensor\n 1.5000\n 2.0000\n 3.0000\n[ CPUFloatType{3} ][ grad_fn = <AddBackward0> ]"
 */
export function formatTensor(array: StridedArray, options: FormatOptions = {}): string {
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  // R torch truncates only for n > 1; its documented switch-off is n = -1.
  const out = new LineStream(maxLines > 1 ? maxLines : Number.POSITIVE_INFINITY);
  // Empty tensors print only their footer (a 0-d tensor always holds one element).
  if (array.numel > 0) new TensorPrinter(out, array).print();

  const lines = ["torch_tensor", ...out.lines.slice(0, out.limit)];
  // The body alone reaching the limit means body plus footer exceed it: R torch's condition.
  if (out.full) lines.push(TRUNCATION_NOTE);
  lines.push(footer(array, options));
  return lines.join("\n");
}

function footer(array: StridedArray, options: FormatOptions): string {
  const text = `[ ${typeName(array.dtype)}{${array.shape.join(",")}} ]`;
  if (options.gradFn) return `${text}[ grad_fn = <${options.gradFn}> ]`;
  if (options.requiresGrad) return `${text}[ requires_grad = TRUE ]`;
  return text;
}

/** The ostream libtorch writes to, split into lines; it reports `full` once `limit` lines are done. */
class LineStream {
  readonly lines: string[] = [];
  private current = "";

  constructor(readonly limit: number) {}

  get full(): boolean {
    return this.lines.length >= this.limit;
  }

  write(text: string): void {
    this.current += text;
  }

  endl(): void {
    this.lines.push(this.current);
    this.current = "";
  }
}

/** A column format chosen by libtorch's `__printFormat`: cell width and a common divisor. */
interface ColumnFormat {
  scale: number;
  width: number;
}

/**
 * libtorch's print for a dense tensor, function by function. The stream's float state is shared by
 * all matrices of one tensor, as in C++: a slice that leaves `std::fixed` precision 4 behind makes
 * the next int-valued slice print with `%.4g` instead of `%.6g`.
 */
class TensorPrinter {
  private readonly stream: StreamFloatFormat = { floatField: "defaultfloat", precision: 6 };
  private readonly values: Float64Array;
  private readonly negativeNaNs = new Set<number>();

  constructor(
    private readonly out: LineStream,
    private readonly array: StridedArray,
  ) {
    // libtorch prints `tensor.to(kDouble).contiguous()`: row-major doubles.
    this.values = new Float64Array(array.numel);
    const data = array.data;
    array.forEachIndex((storageIndex, i) => {
      const value = data[storageIndex] as number;
      this.values[i] = value;
      if (Number.isNaN(value) && nanSignBit(data as Float32Array | Float64Array, storageIndex)) {
        this.negativeNaNs.add(i);
      }
    });
  }

  print(): void {
    const shape = this.array.shape;
    if (shape.length === 0) {
      this.out.write(this.text(0, 1));
      this.out.endl();
    } else if (shape.length === 1) {
      this.printVector(shape[0] as number);
    } else if (shape.length === 2) {
      this.printMatrix(0, shape[0] as number, shape[1] as number, 0);
    } else {
      this.printSlices();
    }
  }

  /** `stream << values[i] / scale` under the current float state (printf keeps a NaN's sign bit). */
  private text(i: number, scale: number): string {
    return formatStreamDouble((this.values[i] as number) / scale, this.stream, this.negativeNaNs.has(i));
  }

  /** `stream << std::setw(width) << ...`: right-aligned, never cut. */
  private cell(i: number, format: ColumnFormat): string {
    return this.text(i, format.scale).padStart(format.width);
  }

  private printVector(size: number): void {
    const format = this.chooseFormat(0, size);
    if (format.scale !== 1) this.printScale(format.scale);
    for (let i = 0; i < size && !this.out.full; i++) {
      this.out.write(this.cell(i, format));
      this.out.endl();
    }
  }

  /** `__printMatrix`; the odd spacing (a header sharing its line with the first row, one extra space
   * before the later rows of a scaled block) is libtorch's. */
  private printMatrix(offset: number, rows: number, cols: number, indent: number): void {
    const format = this.chooseFormat(offset, offset + rows * cols);
    const pad = " ".repeat(indent);
    const out = this.out;
    out.write(pad);
    const perLine = Math.floor((LINE_SIZE - indent) / (format.width + 1));
    for (let first = 0; first < cols; ) {
      const last = first + perLine <= cols ? first + perLine - 1 : cols - 1;
      if (perLine < cols) {
        if (first !== 0) out.endl();
        out.write(`Columns ${first + 1} to ${last + 1}${pad}`);
      }
      if (format.scale !== 1) {
        this.printScale(format.scale);
        out.write(pad);
      }
      for (let row = 0; row < rows; row++) {
        const rowStart = offset + row * cols;
        for (let col = first; col < last; col++) out.write(`${this.cell(rowStart + col, format)} `);
        out.write(this.cell(rowStart + last, format));
        out.endl();
        if (row !== rows - 1) out.write(format.scale !== 1 ? `${pad} ` : pad);
        if (out.full) return;
      }
      first = last + 1;
    }
  }

  /** `__printTensor`: one `(i,j,.,.) = ` matrix per slice, the first leading index varying fastest. */
  private printSlices(): void {
    const shape = this.array.shape;
    const lead = shape.length - 2;
    const rows = shape[lead] as number;
    const cols = shape[lead + 1] as number;
    const strides = contiguousStrides(shape);
    const slices = this.array.numel / (rows * cols);
    for (let slice = 0; slice < slices && !this.out.full; slice++) {
      let rest = slice;
      let offset = 0;
      let label = "(";
      for (let d = 0; d < lead; d++) {
        const size = shape[d] as number;
        const index = rest % size;
        rest = (rest - index) / size;
        offset += index * (strides[d] as number);
        label += `${index + 1},`;
      }
      if (slice > 0) this.out.endl();
      this.out.write(`${label}.,.) = `);
      this.out.endl();
      this.printMatrix(offset, rows, cols, 1);
    }
  }

  /** `printScale`: the divisor in the default float field, at whatever precision the stream has. */
  private printScale(scale: number): void {
    const text = formatStreamDouble(scale, { floatField: "defaultfloat", precision: this.stream.precision });
    this.out.write(`${text} *`);
    this.out.endl();
  }

  /**
   * `__printFormat` over values[from, to): int mode (every finite value whole) prints `%g`, or
   * `%.4e` past 9 digits; otherwise `%.4e` when magnitudes span more than 4 decades, else `%.4f`,
   * divided by a power of ten when the largest magnitude has over 5 digits or is below 0.1.
   */
  private chooseFormat(from: number, to: number): ColumnFormat {
    const values = this.values;
    let intMode = true;
    for (let i = from; i < to; i++) {
      const z = values[i] as number;
      if (Number.isFinite(z) && z !== Math.ceil(z)) {
        intMode = false;
        break;
      }
    }
    let expMin = 1;
    let expMax = 1;
    let first = from;
    while (first < to && !Number.isFinite(values[first] as number)) first++;
    if (first < to) {
      let min = Math.abs(values[first] as number);
      let max = min;
      for (let i = first; i < to; i++) {
        const value = values[i] as number;
        const z = Math.abs(value);
        if (!Number.isFinite(z)) continue;
        if (z < min) min = z;
        // libtorch compares the signed value here, so a large negative value never widens the column.
        if (value > max) max = z;
      }
      expMin = decimalOrder(min);
      expMax = decimalOrder(max);
    }

    const stream = this.stream;
    if (intMode) {
      if (expMax > 9) return this.useScientific(11);
      stream.floatField = "defaultfloat";
      return { scale: 1, width: expMax + 1 };
    }
    if (expMax - expMin > 4) {
      return this.useScientific(Math.abs(expMax) > 99 || Math.abs(expMin) > 99 ? 12 : 11);
    }
    stream.floatField = "fixed";
    stream.precision = 4;
    if (expMax > 5 || expMax < 0) return { scale: powerOfTen(expMax - 1), width: 7 };
    return { scale: 1, width: expMax === 0 ? 7 : expMax + 6 };
  }

  private useScientific(width: number): ColumnFormat {
    this.stream.floatField = "scientific";
    this.stream.precision = 4;
    return { scale: 1, width };
  }
}

/** libtorch's digit count: floor(log10 z) + 1 (3 for 123, -2 for 0.001), and 1 for zero. */
function decimalOrder(z: number): number {
  return z === 0 ? 1 : Math.floor(Math.log10(z)) + 1;
}

/**
 * 10^exponent as glibc's `pow(10, e)` returns it: correctly rounded (for every exponent a scale can
 * take), which the decimal literal guarantees and JS's `10 ** e` does not.
 */
function powerOfTen(exponent: number): number {
  return Number(`1e${exponent}`);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Whether the stored float at `index` has its sign bit set: for a NaN only the raw bits tell. */
function nanSignBit(data: Float32Array | Float64Array, index: number): boolean {
  const words = new Int32Array(data.buffer, data.byteOffset, data.length * (data.BYTES_PER_ELEMENT / 4));
  // A float64's sign sits in its high 32-bit word, which comes second on little-endian machines.
  const word = data instanceof Float32Array ? index : 2 * index + (LITTLE_ENDIAN ? 1 : 0);
  return (words[word] as number) < 0;
}
