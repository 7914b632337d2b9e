/**
 * Formats a number as R's `print`/`cat` do with the default 7 significant digits: trailing zeros
 * dropped, and scientific notation only when it is narrower than the fixed form (e.g. `1e-05`).
 * The chapter's output (`Loss: 24.92771`) comes from R, so the CLI prints losses this way.
 */
export function formatR(x: number, digits = 7): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "Inf" : "-Inf";
  if (x === 0) return "0";
  const rounded = Number(x.toPrecision(digits));
  const sci = scientific(rounded, digits);
  const fixed = fixedForm(rounded, digits);
  return fixed.length <= sci.length ? fixed : sci;
}

/** Fixed notation with just enough decimals for the significant digits that matter. */
function fixedForm(x: number, digits: number): string {
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return trimZeros(x.toFixed(Math.min(decimals, 100)));
}

/** R's scientific form: mantissa without trailing zeros, exponent with at least two digits. */
function scientific(x: number, digits: number): string {
  const [mantissa, exponent] = x.toExponential(digits - 1).split("e") as [string, string];
  const sign = exponent.startsWith("-") ? "-" : "+";
  const expDigits = exponent.replace(/^[+-]/, "").padStart(2, "0");
  return `${trimZeros(mantissa)}e${sign}${expDigits}`;
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/**
 * The shortest decimal that reads back as the same value of `dtype`: a float32 loss such as
 * 20.040578842163086 is written 20.040579, which `Math.fround` turns back into the identical float32.
 * JSON output and model files use it, so they carry the exact values and no false digits.
 */
export function exactNumber(x: number, dtype: "float32" | "float64"): number {
  if (dtype === "float64" || !Number.isFinite(x)) return x;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return candidate;
  }
  return Number(x.toPrecision(9));
}
