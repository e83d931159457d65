/** Number text as Spark (Java) writes it into the log, and exact decimal parsing. */

/**
 * Java's Double/Float.toString, which Spark uses for partition values: shortest digits that
 * round-trip (for floats: among 32-bit floats), plain notation for 1e-3 <= |v| < 1e7 with at
 * least one fraction digit (`1.0`), else `d.dddE±n` (`1.0E10`, `1.5E-4`).
 */
export function formatFloat(value: number, isFloat32: boolean): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [digits, exponent] = shortestDigits(value, isFloat32);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    // Plain notation: place the decimal point `exponent + 1` digits into the digit string.
    const point = exponent + 1;
    const intPart = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0');
    const fracPart = point <= 0 ? '0'.repeat(-point) + digits : digits.slice(point);
    return `${sign}${intPart}.${fracPart === '' ? '0' : fracPart}`;
  }
  const mantissa = digits.length === 1 ? `${digits}.0` : `${digits[0]}.${digits.slice(1)}`;
  return `${sign}${mantissa}E${exponent}`;
}

/** The shortest significant digits (no trailing zeros) and decimal exponent that identify `value`. */
function shortestDigits(value: number, isFloat32: boolean): [string, number] {
  let text = Math.abs(value).toExponential(); // shortest round-trip digits for a double
  if (isFloat32) {
    for (let p = 1; p <= 9; p++) {
      const candidate = Math.abs(value).toExponential(p - 1);
      if (Math.fround(Number(candidate)) === Math.fround(Math.abs(value))) {
        text = candidate;
        break;
      }
    }
  }
  const [mantissa, exp] = text.split('e') as [string, string];
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  return [digits, Number(exp)];
}

/**
 * The unscaled value of a decimal text at `scale` (plain or scientific notation); extra fraction
 * digits are rounded half-up as Spark's cast does. Undefined when the text is not a number or
 * does not fit `precision`.
 */
export function parseDecimal(text: string, precision: number, scale: number): bigint | undefined {
  const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return undefined;
  const fraction = m[3] ?? '';
  let unscaled = BigInt((m[2] ?? '') + fraction || '0');
  const shift = scale - fraction.length + Number(m[4] ?? 0);
  if (shift >= 0) unscaled *= 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    const remainder = unscaled % divisor;
    unscaled = unscaled / divisor + (remainder * 2n >= divisor ? 1n : 0n);
  }
  if (m[1] === '-') unscaled = -unscaled;
  const limit = 10n ** BigInt(precision);
  return unscaled < limit && unscaled > -limit ? unscaled : undefined;
}

/** Plain decimal text of an unscaled value: `scale` fraction digits, no exponent (`-0.05`). */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return (negative ? '-' : '') + body;
}
