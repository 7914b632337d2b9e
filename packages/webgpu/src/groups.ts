import { WGSL_HELPERS } from "@torchlet/ops";
import type { StridedArray } from "@torchlet/storage";
import { MAX_DIMS } from "./elementwise.js";
import type { Queue } from "./queue.js";

/**
 * The walk of the kernels that combine groups of elements: reductions (a group is every element
 * that differs only along the reduced dims) and line ops (a group is a line along one dim), computed
 * by a workgroup or a thread per group (`Walk`). Threads per workgroup:
 */
export const WORKGROUP = 64;

// Parameter words: groups, members per group, kept dims, reduced dims, offset of a, offset of b, the
// elements after a line's dim (a line op's contiguous output), then the kept dims' sizes (8) and a's
// strides along them (16), the reduced dims' sizes (24) and a's strides along them (32), and b's
// strides along the kept (40) and reduced (48) dims.
const WORDS = 56;

/** Whether the group kernels walk `a` reduced over `dims`: at most 8 kept and 8 reduced dims. */
export function groupsFit(a: StridedArray, dims: readonly number[]): boolean {
  return dims.length <= MAX_DIMS && a.ndim - dims.length <= MAX_DIMS;
}

/**
 * The parameters of a group kernel over `a` reduced over `dims` (normalised), and of `b` walked in
 * step with it (a second operand of `a`'s shape). Groups are numbered in row-major order of the kept
 * dims, members in row-major order of the reduced dims (so a whole-array group numbers its members
 * as the flattened array does).
 */
export function groupParams(a: StridedArray, dims: readonly number[], b?: StridedArray): number[] {
  const kept = a.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const reduced = [...dims].sort((x, y) => x - y);
  const size = (n: number, d: number) => n * (a.shape[d] as number);
  const params = new Array<number>(WORDS).fill(0);
  params[0] = kept.reduce(size, 1);
  params[1] = reduced.reduce(size, 1);
  params[2] = kept.length;
  params[3] = reduced.length;
  params[4] = a.offset;
  params[5] = b?.offset ?? 0;
  params[6] = a.shape.slice((reduced.at(-1) ?? a.ndim) + 1).reduce((n, s) => n * s, 1);
  kept.forEach((d, i) => {
    params[8 + i] = a.shape[d] as number;
    params[16 + i] = a.strides[d] as number;
    params[40 + i] = (b?.strides[d] as number) ?? 0;
  });
  reduced.forEach((d, i) => {
    params[24 + i] = a.shape[d] as number;
    params[32 + i] = a.strides[d] as number;
    params[48 + i] = (b?.strides[d] as number) ?? 0;
  });
  return params;
}

/**
 * What every group kernel starts with: the parameters, the walk (`group` numbers this workgroup;
 * `startA`/`startB` give a group's first element in a or b, `stepA`/`stepB` a member's distance
 * from it; `outLine` a line op's first output element, `inner` apart), and float helpers that hold for
 * NaN however the compiler treats `x != x`: NaN wins in `t_max`/`t_min`, as in PyTorch's max and min,
 * and the exp of the softmax family, which gives 0 for -inf.
 */
export const GROUP_WGSL = /* wgsl */ `${WGSL_HELPERS}
@group(0) @binding(0) var<storage, read> params: array<u32>;
var<workgroup> partial: array<f32, ${WORKGROUP}>;

fn position(index: u32, dims: u32, sizes: u32, strides: u32) -> u32 {
  var rest = index;
  var p = 0u;
  for (var k = i32(dims) - 1; k >= 0; k--) {
    let size = params[sizes + u32(k)];
    p += (rest % size) * params[strides + u32(k)];
    rest = rest / size;
  }
  return p;
}
fn group(wg: vec3u, nw: vec3u) -> u32 { return wg.x + wg.y * nw.x; }
fn startA(o: u32) -> u32 { return params[4] + position(o, params[2], 8u, 16u); }
fn startB(o: u32) -> u32 { return params[5] + position(o, params[2], 8u, 40u); }
fn stepA(r: u32) -> u32 { return position(r, params[3], 24u, 32u); }
fn stepB(r: u32) -> u32 { return position(r, params[3], 24u, 48u); }
fn inner() -> u32 { return params[6]; }
fn outLine(o: u32) -> u32 { return (o / inner()) * params[1] * inner() + o % inner(); }
fn t_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn t_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn t_max(a: f32, b: f32) -> f32 { return select(select(a, b, b > a), b, t_isnan(b)); }
fn t_min(a: f32, b: f32) -> f32 { return select(select(a, b, b < a), b, t_isnan(b)); }
// exp(-inf) is exactly 0 (some implementations give a denormal), exp(NaN) NaN (SwiftShader's is inf).
fn t_exp(x: f32) -> f32 { return select(select(exp(x), 0.0, bitcast<u32>(x) == 0xff800000u), x, t_isnan(x)); }
`;

/**
 * How a kernel's threads cover the groups. Long groups: a workgroup per group, whose threads share the
 * members and then fold their partial results as a tree in workgroup memory. Short ones (at most
 * `SHORT` members, such as a classifier's rows of logits): a thread per group, folding its members in
 * order, without barriers or idle threads.
 */
export type Walk = "workgroup" | "thread";
const SHORT = 256;

/** The walk for a kernel with these parameters (`groupParams`). */
export function walkFor(params: readonly number[]): Walk {
  return (params[1] as number) <= SHORT ? "thread" : "workgroup";
}

/** Dispatches a group kernel: a workgroup per group, or a thread per group. */
export function dispatchGroups(
  q: Queue,
  wgsl: string,
  params: readonly number[],
  buffers: readonly GPUBuffer[],
  walk: Walk,
): void {
  const groups = params[0] as number;
  q.dispatch(wgsl, params, buffers, walk === "thread" ? Math.ceil(groups / WORKGROUP) : groups);
}

/**
 * The WGSL of a walk: `main`, the entry point's opening (`o` is the group, `li` the thread in its
 * workgroup, `count` the members per group), `members`, a loop over the members this thread visits
 * (`r`), and `fold(name, join)`, a function `name(li, v)` combining every thread's `v` of the group
 * with `join` (a WGSL f32 expression over partial results `a` and `b`), which every thread of the
 * group gets; with a workgroup per group it must be called in uniform control flow. `leader` is
 * true in the one thread of a group that writes its result.
 */
export function walkText(walk: Walk): {
  main: string;
  members: string;
  leader: string;
  fold(name: string, join: string): string;
} {
  const thread = walk === "thread";
  return {
    leader: thread ? "true" : "li == 0u",
    main: /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let o = ${thread ? `group(wg, nw) * ${WORKGROUP}u + li` : "group(wg, nw)"};
  if (o >= params[0]) { return; }
  let count = params[1];`,
    members: thread ? "for (var r = 0u; r < count; r++)" : `for (var r = li; r < count; r += ${WORKGROUP}u)`,
    fold: (name, join) =>
      thread
        ? `fn ${name}(li: u32, v: f32) -> f32 { return v; }`
        : /* wgsl */ `
fn ${name}(li: u32, v: f32) -> f32 {
  partial[li] = v;
  workgroupBarrier();
  for (var half = ${WORKGROUP / 2}u; half > 0u; half = half / 2u) {
    if (li < half) { let a = partial[li]; let b = partial[li + half]; partial[li] = ${join}; }
    workgroupBarrier();
  }
  let result = partial[0];
  workgroupBarrier();
  return result;
}`,
  };
}

/**
 * `expSum(o, li)`: the maximum of group `o` of the shader's `x` (`top`, NaN if any is NaN) and the sum
 * of the exps of its members less the maximum (`total`, in [1, count] when the maximum is finite, so
 * nothing overflows), for logsumexp and softmax. With an infinite or NaN maximum the sum is not
 * computed: the callers give PyTorch's results from `top` alone.
 */
export function expSumWgsl(walk: Walk): string {
  const { members, fold } = walkText(walk);
  return /* wgsl */ `
${fold("foldMax", "t_max(a, b)")}
${fold("foldSum", "a + b")}
struct ExpSum { top: f32, total: f32 }
fn expSum(o: u32, li: u32) -> ExpSum {
  let base = startA(o);
  let count = params[1];
  var m = -t_inf();
  ${members} { m = t_max(m, x[base + stepA(r)]); }
  let top = foldMax(li, m);
  var s = 0.0;
  if (t_finite(top)) {
    ${members} { s += t_exp(x[base + stepA(r)] - top); }
  }
  return ExpSum(top, foldSum(li, s));
}`;
}

const SHADERS = new Map<string, string>();

/** The text of the shader named `key`, made once. */
export function shaderFor(key: string, make: () => string): string {
  let text = SHADERS.get(key);
  if (text === undefined) {
    text = make();
    SHADERS.set(key, text);
  }
  return text;
}
