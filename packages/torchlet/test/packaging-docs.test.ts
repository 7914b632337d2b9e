import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

// The published API documents itself: every name `import * as torch from "torchlet"` gives has a TSDoc
// comment with an `@example` (what `pnpm docs` renders), and every example runs. An example line
// `expr; // value` (or `expr;` followed by a line `// value`) also checks that expr gives value, when
// value is a JS literal (numbers to the decimals written; a Tensor compares by `tolist()`);
// `expr; // throws ...` checks that expr throws. Any other comment is prose.

const root = resolve(__dirname, "../../..");
const entry = join(root, "packages", "torchlet", "src", "index.ts");

interface Documented {
  name: string;
  file: string;
  hasDoc: boolean;
  examples: string[];
}

function exportedNames(): Documented[] {
  const config = ts.readConfigFile(join(root, "tsconfig.base.json"), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const program = ts.createProgram([entry], { ...options, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`cannot read the exports of ${entry}`);
  // A namespace export (`torch.nn`, `torch.optim.lrScheduler`) documents its members, each by its
  // dotted name; a class's members' examples run too (Tensor's methods): those that have one.
  const walk = (scope: ts.Symbol, prefix: string): Documented[] =>
    checker.getExportsOfModule(scope).flatMap((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = `${prefix}${exported.name}`;
      if (symbol.flags & ts.SymbolFlags.ValueModule) return walk(symbol, `${name}.`);
      const members =
        symbol.flags & ts.SymbolFlags.Class
          ? checker
              .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))
              .map((member) => describeSymbol(`${name}.${member.name}`, member))
              .filter((member) => member.examples.length > 0)
          : [];
      return [describeSymbol(name, symbol), ...members];
    });
  const describeSymbol = (name: string, symbol: ts.Symbol): Documented => {
    const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? "?";
    return {
      name,
      file: file.slice(join(root, "packages").length + 1),
      hasDoc: ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim().length > 0,
      examples: symbol
        .getJsDocTags(checker)
        .filter((tag) => tag.name === "example")
        .map((tag) => ts.displayPartsToString(tag.text)),
    };
  };
  return walk(module, "");
}

const documented = exportedNames();

/** Decimals written in a number literal's text, for comparing to the precision the docs show. */
function tolerance(text: string): number {
  const decimals = /\.(\d+)(?:e[-+]?\d+)?$/i.exec(text)?.[1]?.length ?? 0;
  const exponent = Number(/e([-+]?\d+)$/i.exec(text)?.[1] ?? 0);
  return 0.5 * 10 ** (exponent - decimals) + 1e-12;
}

function close(actual: unknown, expected: unknown, expectedText: string): boolean {
  if (actual instanceof torch.Tensor) return close(actual.tolist(), expected, expectedText);
  if (typeof expected === "number" && typeof actual === "number") {
    if (Number.isNaN(expected)) return Number.isNaN(actual);
    if (!Number.isFinite(expected)) return actual === expected;
    const text = /-?[\d.]+(?:e[-+]?\d+)?/i.exec(expectedText.replace(/^[[\s,]+/, ""))?.[0] ?? "";
    return Math.abs(actual - expected) <= tolerance(text);
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) && !ArrayBuffer.isView(actual)) return false;
    const items = [...(actual as ArrayLike<unknown> & Iterable<unknown>)];
    // Each element compares at the precision of its own text: split the literal's text by element.
    const texts = splitElements(expectedText);
    return items.length === expected.length && expected.every((e, i) => close(items[i], e, texts[i] ?? ""));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object") return false;
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    return Object.keys(e).every((k) => close(a[k], e[k], JSON.stringify(e[k])));
  }
  return Object.is(actual, expected);
}

/** The top-level element texts of an array literal's text, `[[1, 2], 3]` -> `[1, 2]`, `3`. */
function splitElements(text: string): string[] {
  const inner = text.trim().replace(/^\[/, "").replace(/\]$/, "");
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(inner.slice(start));
  return parts.map((p) => p.trim());
}

const STATEMENT =
  /^(const|let|var|for|while|if|else|return|throw|try|catch|function|class|import|export|[{}])\b|^[{}]/;

/** Turns `expr; // value` lines into checks; leaves every other line as written. */
function instrument(code: string): string {
  const lines = code.split("\n").filter((line) => !/^\s*import\s.*from\s/.test(line));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    let m = /^(\s*)(.+?);\s*\/\/\s*(.+)$/.exec(line);
    let skipNext = false;
    if (!m) {
      const next = /^\s*\/\/\s*(.+)$/.exec(lines[i + 1] ?? "");
      const bare = /^(\s*)(.+?);\s*$/.exec(line);
      if (bare && next) {
        m = [line, bare[1] as string, bare[2] as string, next[1] as string] as unknown as RegExpExecArray;
        skipNext = true;
      }
    }
    if (!m || STATEMENT.test((m[2] as string).trim())) {
      out.push(line);
      continue;
    }
    const [, indent, expr, comment] = m as unknown as [string, string, string, string];
    const where = JSON.stringify(`line ${i + 1}: ${expr.trim()}`);
    if (/^throws\b/.test(comment)) out.push(`${indent}__throws(() => (${expr}), ${where});`);
    else out.push(`${indent}__check(${expr}, ${JSON.stringify(comment)}, ${where});`);
    if (skipNext) {
      out.push(lines[i + 1] as string);
      i++;
    }
  }
  return out.join("\n");
}

function literal(text: string): { value: unknown } | null {
  try {
    return { value: new Function(`"use strict"; return (${text});`)() };
  } catch {
    return null; // prose, not a value
  }
}

function runExample(code: string): void {
  const js = ts.transpileModule(instrument(code), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const names = Object.keys(torch).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== "torch");
  const values = names.map((n) => (torch as Record<string, unknown>)[n]);
  const check = (actual: unknown, comment: string, where: string) => {
    const expected = literal(comment);
    if (expected && !close(actual, expected.value, comment)) {
      const shown = actual instanceof torch.Tensor ? actual.tolist() : actual;
      throw new Error(`${where}: expected ${comment}, got ${JSON.stringify(shown)}`);
    }
  };
  const throws = (fn: () => unknown, where: string) => {
    try {
      fn();
    } catch {
      return;
    }
    throw new Error(`${where}: expected an error`);
  };
  // An inner block, so that an example's `const t = ...` may shadow an exported name.
  new Function("torch", "__check", "__throws", ...names, `"use strict";\n{\n${js}\n}`)(
    torch,
    check,
    throws,
    ...values,
  );
}

describe("API documentation (pnpm docs)", () => {
  it("finds the public API", () => {
    expect(documented.length).toBeGreaterThan(100);
    expect(documented.map((d) => d.name)).toEqual(
      expect.arrayContaining([
        "Tensor",
        "tensor",
        "randn",
        "manualSeed",
        "StridedArray",
        "referenceBackend",
        "nn.Linear",
        "nn.functional.mseLoss",
        "nn.init.kaimingUniform_",
        "optim.Adam",
        "optim.lrScheduler.StepLR",
        "utils.data.DataLoader",
      ]),
    );
  });

  it("has a doc comment with an @example for every exported name", () => {
    const missing = documented
      .filter((d) => !d.hasDoc || d.examples.length === 0)
      .map((d) => `${d.file}: ${d.name}${d.hasDoc ? " (no @example)" : " (no doc comment)"}`)
      .sort();
    expect(missing).toEqual([]);
  });

  it("checks example values (the runner is not vacuous)", () => {
    expect(() => runExample("torch.tensor([1.25, 2]).tolist(); // [1.25, 2]")).not.toThrow();
    expect(() => runExample("const t = tensor([0.33669]);\nt.tolist(); // [0.3367]")).not.toThrow();
    expect(() => runExample("torch.tensor([1.25, 2]).tolist(); // [1.3, 2]")).not.toThrow();
    expect(() => runExample("torch.tensor([1.25, 2]).tolist(); // [1.1, 2]")).toThrow(/expected \[1\.1, 2\]/);
    expect(() => runExample('torch.tensor([1, 2]).toString();\n// "x"')).toThrow(/expected "x"/);
    expect(() => runExample("torch.ones(2).sum().item(); // 3")).toThrow(/expected 3, got 2/);
    expect(() => runExample("torch.ones(2).mm(torch.ones(2)); // throws TorchletError")).not.toThrow();
    expect(() => runExample("torch.ones(2); // throws")).toThrow(/expected an error/);
    expect(() => runExample("torch.ones(2).sum(); // the total, as prose")).not.toThrow();
  });

  it("runs every example, and its `// value` comments hold", () => {
    const failures: string[] = [];
    const saved = torch.defaultGenerator.getState();
    const initialBackend = torch.backend();
    for (const { name, file, examples } of documented) {
      for (const example of examples) {
        try {
          torch.setBackend(initialBackend);
          torch.setGradEnabled(true);
          runExample(example);
        } catch (error) {
          failures.push(`${file}: ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    torch.defaultGenerator.setState(saved);
    torch.setBackend(initialBackend);
    torch.setGradEnabled(true);
    expect(failures).toEqual([]);
  }, 60_000);
});
