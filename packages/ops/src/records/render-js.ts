import { type Expr, toJs } from "./expr.js";
import type { ElementwiseRecord } from "./registry.js";

// Renders the JS loops of the elementwise ops from their records: ops/src/generated/elementwise-loops.ts
// is this function's output, checked by a test (which rewrites it with `vitest -u`). Source text rather
// than closures built at run time: one function per op gets its own type feedback and inlines its
// formula (closures made by one factory share feedback and call the formula megamorphically), and no
// `new Function` (strict CSP forbids it).

function uses(e: Expr, v: "x" | "y"): boolean {
  switch (e.kind) {
    case "x":
    case "y":
      return e.kind === v;
    case "const":
      return false;
    case "unary":
      return uses(e.arg, v);
    default:
      return e.args.some((a) => uses(a, v));
  }
}

/** The formula as a statement's right-hand side (no parentheses around the whole). */
function rhs(e: Expr): string {
  const text = toJs(e);
  return e.kind === "binary" && text.startsWith("(") && text.endsWith(")") ? text.slice(1, -1) : text;
}

const BINARY_PARAMS =
  "d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number";
const UNARY_PARAMS = "d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number";

/** One loop body: reads of the operands the formula uses at these indices, then the store. */
function body(e: Expr, indent: string, xAt: string | null, yAt: string | null): string {
  const lines: string[] = [];
  if (xAt !== null && uses(e, "x")) lines.push(`const x = A[${xAt}] as number;`);
  if (yAt !== null && uses(e, "y")) lines.push(`const y = B[${yAt}] as number;`);
  lines.push(`d[o + j] = ${rhs(e)};`);
  return lines.map((l) => `${indent}${l}\n`).join("");
}

function loop(e: Expr, indent: string, xAt: string | null, yAt: string | null): string {
  return `${indent}for (let j = 0; j < n; j++) {\n${body(e, `${indent}  `, xAt, yAt)}${indent}}\n`;
}

function binaryLoop(name: string, e: Expr): string {
  const hoist = (v: "x" | "y", text: string) => (uses(e, v) ? `    ${text}\n` : "");
  return (
    `function ${name}Loop(${BINARY_PARAMS}): void {\n` +
    "  if (ia === 1 && ib === 1) {\n" +
    loop(e, "    ", "pa + j", "pb + j") +
    "  } else if (ia === 1 && ib === 0) {\n" +
    hoist("y", "const y = B[pb] as number;") +
    loop(e, "    ", "pa + j", null) +
    "  } else if (ia === 0 && ib === 1) {\n" +
    hoist("x", "const x = A[pa] as number;") +
    loop(e, "    ", null, "pb + j") +
    "  } else {\n" +
    loop(e, "    ", "pa + j * ia", "pb + j * ib") +
    "  }\n}\n"
  );
}

function unaryLoop(name: string, e: Expr): string {
  return (
    `function ${name}Loop(${UNARY_PARAMS}): void {\n` +
    "  if (ia === 1) {\n" +
    loop(e, "    ", "pa + j", null) +
    "  } else {\n" +
    loop(e, "    ", "pa + j * ia", null) +
    "  }\n}\n"
  );
}

/**
 * The source of the generated loops module: a loop per record not in `handTuned`, each specialised
 * for unit and zero operand strides, and the tables `GENERATED_UNARY_LOOPS`/`GENERATED_BINARY_LOOPS`.
 */
export function renderLoops(
  records: Readonly<Record<string, ElementwiseRecord>>,
  handTuned: readonly string[],
): string {
  const ops = Object.entries(records).filter(([name]) => !handTuned.includes(name));
  const table = (arity: 1 | 2) =>
    ops
      .filter(([, r]) => r.arity === arity)
      .map(([name]) => `  ${name}: ${name}Loop,\n`)
      .join("");
  return (
    "// Generated from the op records (ops/src/records/registry.ts) by records/render-js.ts; do not edit.\n" +
    "// `pnpm vitest run packages/ops -u` rewrites it after a record changes.\n" +
    'import type { TypedArray } from "@torchlet/storage";\n' +
    'import type { BinaryLoop, UnaryLoop } from "../elementwise-loops.js";\n' +
    'import { erf } from "../records/special-functions.js";\n\n' +
    ops
      .map(([name, r]) => (r.arity === 2 ? binaryLoop(name, r.formula) : unaryLoop(name, r.formula)))
      .join("\n") +
    `\nexport const GENERATED_BINARY_LOOPS = {\n${table(2)}} satisfies Record<string, BinaryLoop>;\n` +
    `\nexport const GENERATED_UNARY_LOOPS = {\n${table(1)}} satisfies Record<string, UnaryLoop>;\n`
  );
}
