import { parseArgs } from "node:util";

/** A command-line mistake: printed as one line plus a usage hint, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** How one `--flag VALUE` option is parsed and described in the help. */
export interface Flag<T> {
  readonly help: string;
  /** Placeholder shown in usage, e.g. "N"; absent for boolean switches. */
  readonly value?: string;
  readonly default: T;
  parse(raw: string, flag: string): T;
}

export type Flags = Record<string, Flag<unknown>>;
export type Parsed<F extends Flags> = { [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

/**
 * Parses `--name value`, `--name=value` and boolean `--name` switches against `spec`, with
 * `node:util`'s parseArgs splitting the arguments. Unknown flags, missing values, stray positional
 * arguments and a flag given twice (which value was meant?) are usage errors naming the culprit.
 */
export function parseFlags<F extends Flags>(argv: readonly string[], spec: F): Parsed<F> {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, flag]) => [
      kebab(name),
      { type: flag.value === undefined ? ("boolean" as const) : ("string" as const) },
    ]),
  );
  // Not strict: parseArgs' own errors would not name the culprit as the CLI always has. The tokens,
  // in the order given, are checked here instead.
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const out: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(spec)) out[name] = flag.default;
  const given = new Set<string>();
  for (const token of tokens) {
    if (token.kind === "positional") throw new UsageError(`unexpected argument "${token.value}"`);
    if (token.kind === "option-terminator") throw new UsageError("unknown option --");
    // Short options such as -x (or a group -ab): the CLI has none.
    if (!token.rawName.startsWith("--")) throw new UsageError(`unexpected argument "${argv[token.index]}"`);
    const key = token.name;
    const name = camel(key);
    const flag = kebab(name) === key && Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!flag) throw new UsageError(`unknown option --${key}`);
    if (given.has(name)) throw new UsageError(`option --${key} is given more than once`);
    given.add(name);
    if (flag.value === undefined) {
      if (token.value !== undefined) throw new UsageError(`option --${key} takes no value`);
      out[name] = true;
      continue;
    }
    // parseArgs takes the next argument as the value even when it is the next option (`--epochs --json`).
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--")))
      throw new UsageError(`option --${key} needs a value (${flag.value})`);
    out[name] = flag.parse(token.value, `--${key}`);
  }
  return out as Parsed<F>;
}

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The options block of a command's help text. */
export function describeFlags(spec: Flags): string {
  const rows = Object.entries(spec).map(([name, flag]) => {
    const left = `  --${kebab(name)}${flag.value ? ` ${flag.value}` : ""}`;
    const def = flag.value && flag.default !== undefined ? ` (default: ${String(flag.default)})` : "";
    return [left, `${flag.help}${def}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, r]) => l.padEnd(width) + r).join("\n");
}

// ---- value parsers ----

/** Extra constraints of a numeric flag: its placeholder in the usage, and an upper bound if any. */
export interface NumberFlagOptions {
  value?: string;
  max?: number;
}

function integer(
  raw: string,
  flag: string,
  what: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} expects ${what}, got "${raw}"`);
  if (n > max) throw new UsageError(`${flag} is at most ${max}, got "${raw}"`);
  return n;
}

/** The number a decimal literal spells, or NaN: Number("") is 0 and Number("0x10") is 16, so those are NaN here. */
function decimal(raw: string): number {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
}

export const positiveInt = (help: string, def: number, options: NumberFlagOptions = {}): Flag<number> => ({
  help,
  value: options.value ?? "N",
  default: def,
  parse: (raw, flag) => integer(raw, flag, "a positive integer", 1, options.max),
});

/**
 * A positive integer whose default depends on other options (it is `undefined` unless given); `help`
 * says what the default is.
 */
export const optionalPositiveInt = (
  help: string,
  options: NumberFlagOptions = {},
): Flag<number | undefined> => ({
  help,
  value: options.value ?? "N",
  default: undefined,
  parse: (raw, flag) => integer(raw, flag, "a positive integer", 1, options.max),
});

const UINT64_MAX = 2n ** 64n - 1n;

/**
 * A seed: any integer in [0, 2^64 - 1], as `torch.manual_seed` takes it. Parsed as a BigInt, since
 * a Number would round seeds above 2^53 to another seed.
 */
export const randomSeed = (help: string, def: bigint): Flag<bigint> => ({
  help,
  value: "N",
  default: def,
  parse: (raw, flag) => {
    const n = /^\s*[+-]?\d+\s*$/.test(raw) ? BigInt(raw) : -1n;
    if (n < 0n) throw new UsageError(`${flag} expects a non-negative integer, got "${raw}"`);
    if (n > UINT64_MAX) throw new UsageError(`${flag} is at most ${UINT64_MAX} (2^64 - 1), got "${raw}"`);
    return n;
  },
});

export const positiveNumber = (help: string, def: number, value = "X"): Flag<number> => ({
  help,
  value,
  default: def,
  parse: (raw, flag) => {
    const x = decimal(raw);
    if (!Number.isFinite(x) || x <= 0)
      throw new UsageError(`${flag} expects a positive finite number, got "${raw}"`);
    return x;
  },
});

export const positiveIntList = (
  help: string,
  def: number[],
  options: NumberFlagOptions = {},
): Flag<number[]> => ({
  help,
  value: options.value ?? "N[,N...]",
  default: def,
  parse: (raw, flag) =>
    raw.split(",").map((part) => {
      // Name the whole list in the error: `got ""` would not show where "32,,16" went wrong.
      if (!/^\s*\+?\d+\s*$/.test(part) || Number(part) < 1)
        throw new UsageError(`${flag} expects a comma-separated list of positive integers, got "${raw}"`);
      return integer(part, flag, "a positive integer in the list", 1, options.max);
    }),
});

/**
 * Rows of numbers: values separated by commas or spaces, rows by semicolons or newlines
 * ("0.5,-1,2;1,0,0"). Every row must have the same length; what that length must be is the caller's.
 * A comma separates two values, so an empty cell ("1,,3", "1,2,") is refused rather than dropped.
 */
export function parseNumberRows(raw: string, flag: string): number[][] {
  const rows = raw
    .split(/[;\n]/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (rows.length === 0) throw new UsageError(`${flag} expects rows of numbers such as "0.5,-1,2", got none`);
  const parsed = rows.map((row, i) =>
    row.split(/\s*,\s*|\s+/).map((cell) => {
      if (cell === "") throw new UsageError(`${flag}: row ${i + 1} has an empty value: "${row}"`);
      const x = decimal(cell);
      if (!Number.isFinite(x))
        throw new UsageError(`${flag} expects finite numbers, but row ${i + 1} has "${cell}"`);
      return x;
    }),
  );
  const width = (parsed[0] as number[]).length;
  parsed.forEach((row, i) => {
    if (row.length !== width)
      throw new UsageError(`${flag}: row ${i + 1} has ${row.length} values but row 1 has ${width}`);
  });
  return parsed;
}

export const numberRows = (help: string, value = "ROWS"): Flag<number[][] | undefined> => ({
  help,
  value,
  default: undefined,
  parse: parseNumberRows,
});

export const choice = <T extends string>(help: string, options: readonly T[], def: T): Flag<T> => ({
  help: `${help}: ${options.join(" | ")}`,
  value: "NAME",
  default: def,
  parse: (raw, flag) => {
    if (!(options as readonly string[]).includes(raw))
      throw new UsageError(`${flag} expects one of ${options.join(", ")}, got "${raw}"`);
    return raw as T;
  },
});

export const text = (help: string, value = "FILE"): Flag<string | undefined> => ({
  help,
  value,
  default: undefined,
  parse: (raw, flag) => {
    if (raw === "") throw new UsageError(`${flag} expects ${value}, got an empty string`);
    return raw;
  },
});

export const toggle = (help: string): Flag<boolean> => ({ help, default: false, parse: () => true });
