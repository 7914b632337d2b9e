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
 * Parses `--name value`, `--name=value` and boolean `--name` switches against `spec`. Unknown flags,
 * missing values and stray positional arguments are usage errors naming the culprit.
 */
export function parseFlags<F extends Flags>(argv: readonly string[], spec: F): Parsed<F> {
  const out: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(spec)) out[name] = flag.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const key = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const name = camel(key);
    const flag = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!flag) throw new UsageError(`unknown option --${key}`);
    if (flag.value === undefined) {
      if (eq >= 0) throw new UsageError(`option --${key} takes no value`);
      out[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined || (eq < 0 && raw.startsWith("--")))
      throw new UsageError(`option --${key} needs a value (${flag.value})`);
    out[name] = flag.parse(raw, `--${key}`);
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

function integer(raw: string, flag: string, what: string, min: number): number {
  const n = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} expects ${what}, got "${raw}"`);
  return n;
}

export const positiveInt = (help: string, def: number, value = "N"): Flag<number> => ({
  help,
  value,
  default: def,
  parse: (raw, flag) => integer(raw, flag, "a positive integer", 1),
});

export const nonNegativeInt = (help: string, def: number, value = "N"): Flag<number> => ({
  help,
  value,
  default: def,
  parse: (raw, flag) => integer(raw, flag, "a non-negative integer", 0),
});

export const positiveNumber = (help: string, def: number, value = "X"): Flag<number> => ({
  help,
  value,
  default: def,
  parse: (raw, flag) => {
    const x = raw.trim() === "" ? Number.NaN : Number(raw);
    if (!Number.isFinite(x) || x <= 0)
      throw new UsageError(`${flag} expects a positive finite number, got "${raw}"`);
    return x;
  },
});

export const positiveIntList = (help: string, def: number[], value = "N[,N...]"): Flag<number[]> => ({
  help,
  value,
  default: def,
  parse: (raw, flag) =>
    raw.split(",").map((part) => integer(part, flag, "a comma-separated list of positive integers", 1)),
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
  parse: (raw) => raw,
});

export const toggle = (help: string): Flag<boolean> => ({ help, default: false, parse: () => true });
