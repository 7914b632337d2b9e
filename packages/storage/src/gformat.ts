/**
 * What a C++ `std::ostream << double` prints under libstdc++, which hands the work to printf:
 * `std::fixed` is `%.Nf`, `std::scientific` is `%.Ne`, and the default float field is `%.Ng`.
 *
 * JS's own `toFixed`/`toExponential` agree with printf on every value except in three ways, which
 * this module mends: printf breaks exact ties to even (`%.4f` of 0.03125 is `0.0312`, JS says
 * `0.0313`), writes at least two exponent digits (`1.0000e-05`, JS `1.0000e-5`), and spells the
 * non-finite values `nan`, `-nan`, `inf`, `-inf`.
 */

/** An ostream's float field: `std::fixed`, `std::scientific`, or neither (libtorch's `defaultfloat`). */
export type FloatField = "fixed" | "scientific" | "defaultfloat";

/** The part of an ostream's state that decides how a double prints. */
export interface StreamFloatFormat {
  floatField: FloatField;
  precision: number;
}

/**
 * `stream << value` for a double. `negativeNaN` says whether a NaN has its sign bit set, which a JS
 * number cannot carry but printf shows (`-nan`); callers read it from the stored bits.
 *
 * @example
 * formatStreamDouble(1e-5, { floatField: "scientific", precision: 4 }); // "1.0000e-05"
 * formatStreamDouble(1234565, { floatField: "defaultfloat", precision: 6 }); // "1.23456e+06"
 */
export function formatStreamDouble(value: number, format: StreamFloatFormat, negativeNaN = false): string {
  if (Number.isNaN(value)) return negativeNaN ? "-nan" : "nan";
  if (!Number.isFinite(value)) return value < 0 ? "-inf" : "inf";
  // printf keeps the sign of -0 and of values that round to zero: `-0.0000`.
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  const magnitude = Math.abs(value);
  switch (format.floatField) {
    case "fixed":
      return sign + toFixedHalfEven(magnitude, format.precision);
    case "scientific":
      return sign + withTwoDigitExponent(toExponentialHalfEven(magnitude, format.precision));
    case "defaultfloat":
      return sign + toGeneral(magnitude, format.precision);
  }
}

/** `%.{precision}g` of a finite magnitude: the shorter of fixed and scientific, trailing zeros dropped. */
function toGeneral(magnitude: number, precision: number): string {
  const significant = precision === 0 ? 1 : precision;
  const scientific = toExponentialHalfEven(magnitude, significant - 1);
  const [mantissa = "", exponentText = ""] = scientific.split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= significant) {
    return withTwoDigitExponent(`${stripTrailingZeros(mantissa)}e${exponentText}`);
  }
  // Fixed notation with (significant - 1 - exponent) decimals rounds at the same digit, so the
  // scientific digits only need their point moved.
  const digits = mantissa.replace(".", "");
  const fixed =
    exponent >= 0
      ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`
      : `0.${"0".repeat(-exponent - 1)}${digits}`;
  return stripTrailingZeros(fixed);
}

/** `%.{digits}f` of a finite magnitude. */
function toFixedHalfEven(magnitude: number, digits: number): string {
  // toFixed rounds the exact binary value correctly except at exact ties, where its last digit
  // one place further is a 5; it also turns to exponent notation from 1e21 on.
  if (magnitude < 1e21 && !magnitude.toFixed(digits + 1).endsWith("5")) return magnitude.toFixed(digits);
  const scaled = roundHalfEven(magnitude, digits)
    .toString()
    .padStart(digits + 1, "0");
  return digits === 0 ? scaled : `${scaled.slice(0, -digits)}.${scaled.slice(-digits)}`;
}

/** `%.{digits}e` of a finite magnitude, with JS's one-digit exponent (`1.2346e+4`). */
function toExponentialHalfEven(magnitude: number, digits: number): string {
  const longer = magnitude.toExponential(digits + 1);
  if (!longer.slice(0, longer.indexOf("e")).endsWith("5")) return magnitude.toExponential(digits);
  let exponent = Math.floor(Math.log10(magnitude));
  const lowest = 10n ** BigInt(digits);
  // The estimate can be one off near powers of ten, and rounding up can carry into a new digit.
  for (;;) {
    const scaled = roundHalfEven(magnitude, digits - exponent);
    if (scaled >= lowest * 10n) exponent++;
    else if (scaled < lowest) exponent--;
    else {
      const text = scaled.toString();
      const mantissa = digits === 0 ? text : `${text.slice(0, 1)}.${text.slice(1)}`;
      return `${mantissa}e${exponent < 0 ? "-" : "+"}${Math.abs(exponent)}`;
    }
  }
}

/** The integer nearest to magnitude × 10^power, ties to even, computed exactly with BigInt. */
function roundHalfEven(magnitude: number, power: number): bigint {
  // Every finite double is an integer over a power of two; doubling until it is one is exact.
  let numerator = magnitude;
  let halvings = 0;
  while (!Number.isInteger(numerator)) {
    numerator *= 2;
    halvings++;
  }
  let num = BigInt(numerator);
  let den = 1n << BigInt(halvings);
  if (power >= 0) num *= 10n ** BigInt(power);
  else den *= 10n ** BigInt(-power);
  const quotient = num / den;
  const twiceRemainder = (num % den) * 2n;
  const roundUp = twiceRemainder > den || (twiceRemainder === den && quotient % 2n === 1n);
  return roundUp ? quotient + 1n : quotient;
}

/** C's exponent spelling: at least two digits (`e+04`, `e-120`). */
function withTwoDigitExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

/** What `%g` does without `#`: drops trailing zeros of the fraction, then a bare point. */
function stripTrailingZeros(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}
