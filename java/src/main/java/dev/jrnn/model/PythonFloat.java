package dev.jrnn.model;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/** Numbers printed as Keras (Python) prints them, so logs and files read alike. */
final class PythonFloat {
    private PythonFloat() {}

    /** {@code v} as Python's repr prints a float (0.0001, 1e-05, 3.0): the shortest digits, as Java's, in Python's layout. */
    static String repr(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return (1 / v < 0) ? "-0.0" : "0.0";
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        // Java writes at least two digits where one can be the shortest (4.9e-324, Python's 5e-324)
        BigDecimal one = new BigDecimal(v).round(new MathContext(1, RoundingMode.HALF_EVEN));
        if (d.precision() == 2 && one.doubleValue() == v) d = one.stripTrailingZeros();
        int exp = d.precision() - d.scale() - 1;   // the decimal exponent of the first digit
        if (exp < -4 || exp >= 16) {
            String digits = d.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (v < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
        }
        String s = d.toPlainString();
        return s.contains(".") ? s : s + ".0";
    }

    /**
     * {@code v} as Python's {@code format(v, spec)} formats a float for a spec of {@code type} 'f', 'e', 'g' or 0 (none) and
     * {@code precision} (-1: none given), without width: rounded from the exact binary value half to even, as Python
     * (Java's Formatter rounds the shortest decimal half up: 0.145 with ".2f" is 0.15 there, 0.14 in Python), 'g' and none
     * with their trailing zeros dropped, none keeping a ".0" and with no precision the repr.
     */
    static String format(double v, char type, int precision) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (type == 0 && precision < 0) return repr(v);
        String sign = v < 0 || v == 0 && 1 / v < 0 ? "-" : "";
        BigDecimal a = new BigDecimal(Math.abs(v));
        int p = precision < 0 ? 6 : precision;
        return sign + switch (type) {
            case 'f' -> a.setScale(p, RoundingMode.HALF_EVEN).toPlainString();
            case 'e' -> scientific(a, p, false);
            default -> general(a, Math.max(p, 1), type == 0);
        };
    }

    /** Python's 'e' of {@code a} >= 0: one digit, {@code p} decimals, a signed exponent of two digits or more; {@code strip}: 'g's zeros dropped. */
    private static String scientific(BigDecimal a, int p, boolean strip) {
        int exp = 0;
        String digits = "0";
        if (a.signum() != 0) {
            BigDecimal r = a.round(new MathContext(p + 1, RoundingMode.HALF_EVEN));
            exp = r.precision() - r.scale() - 1;
            digits = r.unscaledValue().toString();
        }
        String frac = (digits + "0".repeat(p)).substring(1, p + 1);
        if (strip) frac = frac.replaceAll("0+$", "");
        return digits.charAt(0) + (frac.isEmpty() ? "" : "." + frac) + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
    }

    /** Python's 'g' of {@code a} >= 0 to {@code p} significant digits, or with {@code none} its format without a type (a ".0" kept, exponent from p - 1). */
    private static String general(BigDecimal a, int p, boolean none) {
        BigDecimal r = a.round(new MathContext(p, RoundingMode.HALF_EVEN));
        int exp = a.signum() == 0 ? 0 : r.precision() - r.scale() - 1;
        if (exp < -4 || exp >= (none ? p - 1 : p)) return scientific(a, p - 1, true);
        String s = r.setScale(Math.max(p - 1 - exp, 0), RoundingMode.HALF_EVEN).toPlainString();
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return none && !s.contains(".") ? s + ".0" : s;
    }
}
