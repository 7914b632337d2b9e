/**
 * A tiny WebAssembly binary writer: just enough of the format (one imported memory, functions of
 * i32 parameters, structured control flow, i32 arithmetic and the SIMD loads/stores/arithmetic of
 * the matmul, elementwise and exp kernels) to generate the kernels' module at run time, so no prebuilt binary ships.
 * Encoding per the WebAssembly core spec, sections 5.x (binary format).
 */

export const I32 = 0x7f;
export const V128 = 0x7b;

/** unsigned LEB128 */
function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** signed LEB128 of a 32-bit integer */
function sleb(out: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/** One function body under construction; the methods append instructions and return `this`. */
export class FunctionBody {
  readonly code: number[] = [];
  private readonly localTypes: number[] = [];

  constructor(readonly params: number) {}

  /** Declares a local of `type` and returns its index. */
  local(type: number): number {
    this.localTypes.push(type);
    return this.params + this.localTypes.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  private simd(opcode: number): this {
    this.code.push(0xfd);
    uleb(this.code, opcode);
    return this;
  }
  private memarg(align: number, offset: number): this {
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }

  get(i: number): this {
    this.op(0x20);
    uleb(this.code, i);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(this.code, i);
    return this;
  }
  i32(value: number): this {
    this.op(0x41);
    sleb(this.code, value);
    return this;
  }
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  geS(): this {
    return this.op(0x4e);
  }
  ltS(): this {
    return this.op(0x48);
  }
  ne(): this {
    return this.op(0x47);
  }
  /** i32.and */
  and(): this {
    return this.op(0x71);
  }
  or(): this {
    return this.op(0x72);
  }
  eqz(): this {
    return this.op(0x45);
  }
  gtS(): this {
    return this.op(0x4a);
  }
  /** i8x16.shuffle taking 32-bit lanes: lanes 0-3 from the first operand, 4-7 from the second */
  shuffle32(lanes: readonly [number, number, number, number]): this {
    this.simd(0x0d);
    for (const lane of lanes) for (let byte = 0; byte < 4; byte++) this.code.push(lane * 4 + byte);
    return this;
  }
  select(): this {
    return this.op(0x1b);
  }
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d, depth);
  }
  call(fn: number): this {
    this.op(0x10);
    uleb(this.code, fn);
    return this;
  }
  /** f32.load / f64.load */
  load(elementBytes: 4 | 8, offset = 0): this {
    return this.op(elementBytes === 4 ? 0x2a : 0x2b).memarg(0, offset);
  }
  /** f32.store / f64.store */
  store(elementBytes: 4 | 8, offset = 0): this {
    return this.op(elementBytes === 4 ? 0x38 : 0x39).memarg(0, offset);
  }
  /** f32.const 0 / f64.const 0 */
  zero(elementBytes: 4 | 8): this {
    return elementBytes === 4 ? this.op(0x43, 0, 0, 0, 0) : this.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  v128Load(offset: number): this {
    return this.simd(0x00).memarg(0, offset);
  }
  v128Store(offset: number): this {
    return this.simd(0x0b).memarg(0, offset);
  }
  /** v128.load32_splat (elementBytes 4) or v128.load64_splat (8) */
  loadSplat(elementBytes: 4 | 8, offset: number): this {
    return this.simd(elementBytes === 4 ? 0x09 : 0x0a).memarg(0, offset);
  }
  /** f32x4.add / f64x2.add */
  vAdd(elementBytes: 4 | 8): this {
    return this.simd(elementBytes === 4 ? 0xe4 : 0xf0);
  }
  /** f32x4.mul / f64x2.mul */
  vMul(elementBytes: 4 | 8): this {
    return this.simd(elementBytes === 4 ? 0xe6 : 0xf2);
  }

  /**
   * f32x4.relaxed_madd / f64x2.relaxed_madd (relaxed SIMD) of a, b, c on the stack: a * b + c, fused
   * (one rounding) where the CPU has FMA, else a multiply and an add (two roundings).
   */
  vMadd(elementBytes: 4 | 8): this {
    return this.simd(elementBytes === 4 ? 0x105 : 0x107);
  }

  /** f32x4.sub / f64x2.sub */
  vSub(elementBytes: 4 | 8): this {
    return this.simd(elementBytes === 4 ? 0xe5 : 0xf1);
  }
  /** f32x4.div / f64x2.div */
  vDiv(elementBytes: 4 | 8): this {
    return this.simd(elementBytes === 4 ? 0xe7 : 0xf3);
  }
  /** v128.and */
  vAnd(): this {
    return this.simd(0x4e);
  }
  /** v128.andnot: first & ~second */
  vAndNot(): this {
    return this.simd(0x4f);
  }
  /** f32.const `value` (rounded to float32) */
  f32(value: number): this {
    this.op(0x43);
    this.code.push(...new Uint8Array(Float32Array.of(value).buffer));
    return this;
  }
  /** f32x4.splat of the f32 on the stack */
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  /** f32x4.min / f32x4.max (NaN if either lane is NaN) */
  f32x4MinMax(op: "min" | "max"): this {
    return this.simd(op === "min" ? 0xe8 : 0xe9);
  }
  /** f32x4.nearest: round to the nearest integer, ties to even */
  f32x4Nearest(): this {
    return this.simd(0x6a);
  }
  /** i32x4.trunc_sat_f32x4_s */
  i32x4TruncSatF32x4S(): this {
    return this.simd(0xf8);
  }
  /** i32x4.add */
  i32x4Add(): this {
    return this.simd(0xae);
  }
  /** i32x4.shl by the i32 on the stack */
  i32x4Shl(): this {
    return this.simd(0xab);
  }
  /** i32x4.splat of the i32 on the stack */
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  /** i32x4.shr_s by the i32 on the stack */
  i32x4ShrS(): this {
    return this.simd(0xac);
  }
  /** i32x4.sub */
  i32x4Sub(): this {
    return this.simd(0xb1);
  }
  /** v128.load64_zero: 8 bytes into the low half, zeros above */
  load64Zero(offset: number): this {
    return this.simd(0x5d).memarg(0, offset);
  }
  /** f64x2.promote_low_f32x4 */
  promoteLow(): this {
    return this.simd(0x5f);
  }

  /** f32x4 comparison against the second operand: all-ones lanes where true (NaN: only `ne` is true) */
  f32x4Cmp(op: "eq" | "ne" | "lt" | "gt" | "le" | "ge"): this {
    return this.simd({ eq: 0x41, ne: 0x42, lt: 0x43, gt: 0x44, le: 0x45, ge: 0x46 }[op]);
  }
  /** i16x8.narrow_i32x4_s: two i32x4 into one i16x8, saturating (all-ones lanes stay all ones) */
  i16x8NarrowS(): this {
    return this.simd(0x85);
  }
  /** i8x16.narrow_i16x8_s: two i16x8 into one i8x16, saturating */
  i8x16NarrowS(): this {
    return this.simd(0x65);
  }
  /** i8x16.abs (turns all-ones bytes into 1) */
  i8x16Abs(): this {
    return this.simd(0x60);
  }
  /** i8x16.ne: all-ones bytes where the operands differ */
  i8x16Ne(): this {
    return this.simd(0x24);
  }
  /** i16x8.extend_{low,high}_i8x16_s */
  i16x8ExtendS(high: boolean): this {
    return this.simd(high ? 0x88 : 0x87);
  }
  /** i32x4.extend_{low,high}_i16x8_s */
  i32x4ExtendS(high: boolean): this {
    return this.simd(high ? 0xa8 : 0xa7);
  }
  /** v128.bitselect(a, b, mask): a where mask bits are set, else b */
  bitselect(): this {
    return this.simd(0x52);
  }

  /** The encoded body: local declarations, code, end. */
  encode(): number[] {
    const body: number[] = [];
    uleb(body, this.localTypes.length);
    for (const t of this.localTypes) {
      uleb(body, 1);
      body.push(t);
    }
    body.push(...this.code, 0x0b);
    const out: number[] = [];
    uleb(out, body.length);
    out.push(...body);
    return out;
  }
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  out.push(...content);
}

/**
 * A module importing `env.memory` (shared when `shared`, which needs a maximum) and exporting `fns`,
 * every one of type (i32 x params) -> ().
 */
export function encodeModule(
  fns: readonly { name: string | null; body: FunctionBody }[],
  memory: { initialPages: number; maximumPages: number; shared: boolean },
): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const arities = [...new Set(fns.map((f) => f.body.params))];
  const types: number[] = [];
  uleb(types, arities.length);
  for (const a of arities) {
    types.push(0x60);
    uleb(types, a);
    for (let i = 0; i < a; i++) types.push(I32);
    types.push(0x00);
  }
  section(out, 1, types);
  const imports: number[] = [];
  uleb(imports, 1);
  name(imports, "env");
  name(imports, "memory");
  imports.push(0x02, memory.shared ? 0x03 : 0x01);
  uleb(imports, memory.initialPages);
  uleb(imports, memory.maximumPages);
  section(out, 2, imports);
  const funcs: number[] = [];
  uleb(funcs, fns.length);
  for (const f of fns) uleb(funcs, arities.indexOf(f.body.params));
  section(out, 3, funcs);
  const exported = fns.map((f, i) => [f.name, i] as const).filter(([n]) => n !== null);
  const exports: number[] = [];
  uleb(exports, exported.length);
  for (const [n, i] of exported) {
    name(exports, n as string);
    exports.push(0x00);
    uleb(exports, i);
  }
  section(out, 7, exports);
  const code: number[] = [];
  uleb(code, fns.length);
  for (const f of fns) code.push(...f.body.encode());
  section(out, 10, code);
  return new Uint8Array(out);
}
