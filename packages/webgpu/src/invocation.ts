/** Invocations per workgroup of the one-invocation-per-element kernels. */
export const WORKGROUP = 256;

/**
 * The head of a kernel with one invocation per element: its entry point, over workgroups that
 * `Queue.dispatch` may spread over two dims, giving the element's number `i` and returning past the
 * count (parameter word 0). The kernel's body follows, and its closing brace.
 */
export const INVOCATION = /* wgsl */ `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.x + wg.y * nw.x) * ${WORKGROUP}u + li;
  if (i >= params[0]) { return; }`;
