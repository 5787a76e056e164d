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
}
