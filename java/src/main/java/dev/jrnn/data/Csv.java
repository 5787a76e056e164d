package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Numeric CSV files as float32 columns, parsed as tf.data's {@code CsvDataset} parses them (quoted fields with
 * {@code ""} escapes and line breaks, a field equal to {@code naValue} or empty taking its column's default, numbers as
 * C's {@code strtof} reads them: spaces around them, {@code inf}, {@code nan}, hexadecimal). {@link #read} gives a
 * tensor; {@link #toNpy} streams a file of any size into a {@code .npy} that {@link Dataset#fromNpy} or
 * {@link Timeseries#of(Path, Path, int)} then map without loading it.
 * <pre>{@code
 * Csv.Options o = new Csv.Options().columns("p (mbar)", "T (degC)", "rh (%)");
 * Csv.toNpy(Path.of("jena_climate_2009_2016.csv"), Path.of("climate.npy"), o);     // (420551, 3) float32
 * Csv.Data small = Csv.read(Path.of("prices.csv"), new Csv.Options().defaults(Float.NaN));
 * }</pre>
 */
public final class Csv {
    private Csv() {}

    /**
     * How a file is read: tf.data's {@code CsvDataset} options under their Keras-user names, with its defaults but
     * {@code header}.
     */
    public static final class Options {
        private boolean header = true;
        private char delimiter = ',';
        private boolean quotes = true;
        private String naValue = "";
        private String[] names;
        private int[] indices;
        private float[] defaults;

        /** tf.data's CsvDataset defaults but a header row: comma-delimited, quotes, "" as NA. */
        public Options() {}

        private Options copy() {
            Options o = new Options();
            o.header = header;
            o.delimiter = delimiter;
            o.quotes = quotes;
            o.naValue = naValue;
            o.names = names;
            o.indices = indices;
            o.defaults = defaults;
            return o;
        }

        /** Whether the first record names the columns (true by default, as {@code make_csv_dataset} and pandas). */
        public Options header(boolean on) {
            Options o = copy();
            o.header = on;
            return o;
        }

        /** {@code field_delim}: ',' by default; not a quote or a line break. */
        public Options delimiter(char c) {
            if (c == '"' || c == '\n' || c == '\r' || c > 0x7f) {
                throw new IllegalArgumentException("Csv: delimiter: expected an ASCII character other than '\"' and line breaks (as tf.data), got "
                        + (c == '"' ? "'\"'" : c > 0x7f ? "'" + c + "'" : "a line break"));
            }
            Options o = copy();
            o.delimiter = c;
            return o;
        }

        /** {@code use_quote_delim}: whether '"' opens a quoted field (true by default); false reads quotes as text. */
        public Options quotes(boolean on) {
            Options o = copy();
            o.quotes = on;
            return o;
        }

        /** {@code na_value}: a field equal to it (or empty) is missing and takes its column's default; "" by default. */
        public Options naValue(String s) {
            if (s == null) throw new IllegalArgumentException("Csv: naValue: expected a string (\"\" for empty fields only), got null");
            Options o = copy();
            o.naValue = s;
            return o;
        }

        /** {@code select_cols} by header name, in the order given (the columns of the result). Needs the header. */
        public Options columns(String... names) {
            if (names == null || names.length == 0) throw new IllegalArgumentException("Csv: columns: expected at least one column name, got none");
            for (int i = 0; i < names.length; i++) {
                if (names[i] == null) throw new IllegalArgumentException("Csv: columns: name " + i + " is null");
                for (int j = 0; j < i; j++) {
                    if (names[j].equals(names[i])) throw new IllegalArgumentException("Csv: columns: \"" + names[i] + "\" is given twice");
                }
            }
            Options o = copy();
            o.names = names.clone();
            o.indices = null;
            return o;
        }

        /** {@code select_cols} by position (0 is the first field), in increasing order as tf.data requires. */
        public Options columns(int... indices) {
            if (indices == null || indices.length == 0) throw new IllegalArgumentException("Csv: columns: expected at least one column index, got none");
            for (int i = 0; i < indices.length; i++) {
                if (indices[i] < 0 || i > 0 && indices[i] <= indices[i - 1]) {
                    throw new IllegalArgumentException("Csv: columns: expected increasing indices >= 0, got " + Arrays.toString(indices));
                }
            }
            Options o = copy();
            o.indices = indices.clone();
            o.names = null;
            return o;
        }

        /**
         * {@code record_defaults}: the value of a missing field, one per column read, or one for all (NaN, as pandas gives,
         * is allowed). Without defaults every field is required, as a {@code tf.float32} default.
         */
        public Options defaults(float... values) {
            if (values == null || values.length == 0) throw new IllegalArgumentException("Csv: defaults: expected one value per column read (or one for all), got none");
            Options o = copy();
            o.defaults = values.clone();
            return o;
        }
    }

    /** What {@link #read} gives: the column names (the header's, or "0", "1", ... without one) and the (rows, columns) values. */
    public record Data(List<String> columns, Tensor values) {}

    /**
     * The whole file in memory. An IOException names the line (where the record starts) and the column of a field it
     * cannot read.
     */
    public static Data read(Path file, Options options) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<String> names = scan(file, options, rows::add);
        float[] all = new float[Math.multiplyExact(rows.size(), names.size())];
        for (int r = 0; r < rows.size(); r++) System.arraycopy(rows.get(r), 0, all, r * names.size(), names.size());
        return new Data(names, Tensor.wrap(all, rows.size(), names.size()));
    }

    /** {@link #read(Path, Options)} with the defaults: a header, commas, every column required. */
    public static Data read(Path file) throws IOException { return read(file, new Options()); }

    /**
     * Streams the file into {@code npy}, float32 of shape (rows, columns), without holding it; returns the rows. On a
     * failure {@code npy} is left as it was (the rows go to a temporary file first, as {@link NpyWriter}).
     */
    public static long toNpy(Path csv, Path npy, Options options) throws IOException { return toNpy(csv, npy, options, null); }

    /** {@link #toNpy(Path, Path, Options)}, each row also given to {@code tap} (null: none) before it is written. */
    static long toNpy(Path csv, Path npy, Options options, java.util.function.Consumer<float[]> tap) throws IOException {
        if (npy == null) throw new IllegalArgumentException("Csv: npy: expected the .npy file to write, got null");
        int k = columnsOf(csv, options);
        try (NpyWriter w = NpyWriter.open(npy, k)) {
            boolean done = false;
            try {
                scan(csv, options, row -> {
                    if (tap != null) tap.accept(row);
                    try {
                        w.append(row, 0, row.length);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                done = true;
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            } finally {
                if (!done) w.abort();   // any failure, an Error too: close() would otherwise commit the rows so far
            }
            return w.rows();
        }
    }

    private static int columnsOf(Path csv, Options o) throws IOException {
        check(csv, o);
        if (o.names != null) return o.names.length;
        if (o.indices != null) return o.indices.length;
        try (BufferedReader in = reader(csv)) {
            List<String> first = new Records(in, o, csv).next();
            if (first == null) throw new IOException("Csv: " + csv + ": the file is empty");
            return first.size();
        }
    }

    private static void check(Path file, Options o) throws IOException {
        if (file == null) throw new IllegalArgumentException("Csv: file: expected a CSV file, got null");
        if (!Files.isRegularFile(file)) throw new IOException("Csv: file: " + file + (Files.exists(file) ? " is not a file" : " does not exist"));
        if (o == null) throw new IllegalArgumentException("Csv: options: expected Csv.Options, got null");
        if (o.names != null && !o.header) {
            throw new IllegalArgumentException("Csv: columns: names need header(true); without a header select columns by index");
        }
    }

    /** Parses every record, giving each row of the selected columns to {@code sink}; returns the columns' names. */
    private static List<String> scan(Path file, Options o, java.util.function.Consumer<float[]> sink) throws IOException {
        check(file, o);
        try (BufferedReader in = reader(file)) {
            return scan(file, o, sink, new Records(in, o, file));
        }
    }

    /**
     * UTF-8, bytes that are not read as U+FFFD: a column of such text that is not read does no harm, one that is read
     * is no number.
     */
    private static BufferedReader reader(Path file) throws IOException {
        return new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8));
    }

    private static List<String> scan(Path file, Options o, java.util.function.Consumer<float[]> sink, Records records) throws IOException {
        List<String> first = records.next();
        if (first == null) throw new IOException("Csv: " + file + ": the file is empty");
        int fields = first.size();
        int[] select = o.indices;
        List<String> names = new ArrayList<>();
        if (o.names != null) {
            select = new int[o.names.length];
            for (int i = 0; i < select.length; i++) {
                select[i] = first.indexOf(o.names[i]);
                if (select[i] < 0) {
                    throw new IllegalArgumentException("Csv: columns: \"" + o.names[i] + "\" is not in the header " + first + " of " + file
                            + (first.get(0).startsWith("\ufeff") ? " (its first name starts with a byte order mark, U+FEFF)" : ""));
                }
            }
        } else if (select == null) {
            select = new int[fields];
            for (int i = 0; i < fields; i++) select[i] = i;
        } else if (select[select.length - 1] >= fields) {
            throw new IllegalArgumentException("Csv: columns: index " + select[select.length - 1] + " is past the " + fields
                    + " fields of the first record of " + file);
        }
        for (int c : select) names.add(o.header ? first.get(c) : String.valueOf(c));
        if (o.defaults != null && o.defaults.length != 1 && o.defaults.length != select.length) {
            throw new IllegalArgumentException("Csv: defaults: expected one per column read (" + select.length + ") or one for all, got "
                    + o.defaults.length);
        }
        List<String> r = o.header ? records.next() : first;
        if (r == null) throw new IOException("Csv: " + file + ": no records after the header (a tensor needs at least one row)");
        for (; r != null; r = records.next()) {
            if (r.size() == 1 && r.get(0).isEmpty() && fields > 1) {
                throw new IOException("Csv: " + file + " line " + records.line + ": an empty line (tf.data refuses it too; remove it)");
            }
            if (r.size() != fields) {
                throw new IOException("Csv: " + file + " line " + records.line + ": expected " + fields
                        + " fields (as the " + (o.header ? "header" : "first record") + "), got " + r.size());
            }
            float[] row = new float[select.length];
            for (int i = 0; i < select.length; i++) row[i] = value(r.get(select[i]), i, o, file, records, names.get(i));
            sink.accept(row);
        }
        return List.copyOf(names);
    }

    private static float value(String field, int column, Options o, Path file, Records at, String name) throws IOException {
        if (field.isEmpty() || field.equals(o.naValue)) {
            if (o.defaults == null) {
                throw new IOException("Csv: " + file + " line " + at.line + ": column \"" + name + "\" is missing ("
                        + (field.isEmpty() ? "empty" : "\"" + field + "\", the naValue") + ") and no default was given (Csv.Options.defaults)");
            }
            return o.defaults.length == 1 ? o.defaults[0] : o.defaults[column];
        }
        Float v = strtof(field);
        if (v == null) {
            throw new IOException("Csv: " + file + " line " + at.line + ": column \"" + name
                    + "\": expected a number, got \"" + field + "\"");
        }
        return v;
    }

    /**
     * glibc's {@code strtof} over the whole field, as tf.data: C's spaces around it, a sign, {@code inf} / {@code infinity},
     * {@code nan} or {@code nan(chars)} (the chars, read as a number, in the quiet NaN's payload; the sign kept), decimal
     * and hexadecimal forms; null if the field is not one number. Checked by hand rather than by regular expressions:
     * a big file has millions of fields.
     */
    static Float strtof(String field) {
        int from = 0, to = field.length();
        while (from < to && isSpace(field.charAt(from))) from++;
        while (to > from && isSpace(field.charAt(to - 1))) to--;
        if (from == to) return null;
        boolean negative = field.charAt(from) == '-';
        int i = field.charAt(from) == '+' || negative ? from + 1 : from;
        String body = field.substring(i, to);
        if (body.equalsIgnoreCase("inf") || body.equalsIgnoreCase("infinity")) return negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        if (body.regionMatches(true, 0, "nan", 0, 3)) return nan(body, negative);
        boolean hex = body.length() > 1 && body.charAt(0) == '0' && (body.charAt(1) == 'x' || body.charAt(1) == 'X');
        if (!number(body, hex ? 2 : 0, hex)) return null;
        String sign = negative ? "-" : "";
        if (!hex) return Float.parseFloat(sign + body);
        return Float.parseFloat(sign + (body.indexOf('p') >= 0 || body.indexOf('P') >= 0 ? body : body + "p0"));
    }

    private static boolean isSpace(char c) { return c == ' ' || c >= '\t' && c <= '\r'; }

    /**
     * {@code [digits][.digits]} with at least one digit, then an optional exponent ({@code e} or, for hex, {@code p},
     * with decimal digits).
     */
    private static boolean number(String s, int at, boolean hex) {
        int i = at, n = s.length(), digits = 0;
        while (i < n && digit(s.charAt(i), hex)) { i++; digits++; }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && digit(s.charAt(i), hex)) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i == n) return true;
        char e = Character.toLowerCase(s.charAt(i));
        if (e != (hex ? 'p' : 'e')) return false;
        i++;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        int exp = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') { i++; exp++; }
        return exp > 0 && i == n;
    }

    private static boolean digit(char c, boolean hex) {
        return c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
    }

    /**
     * glibc: {@code nan} alone, or {@code nan(chars)} of letters, digits and '_'; the chars, if they read as a number,
     * fill the payload.
     */
    private static Float nan(String body, boolean negative) {
        int payload = 0;
        if (body.length() > 3) {
            if (body.charAt(3) != '(' || body.charAt(body.length() - 1) != ')') return null;
            String seq = body.substring(4, body.length() - 1);
            for (int k = 0; k < seq.length(); k++) {
                char c = seq.charAt(k);
                if (!(Character.isLetterOrDigit(c) && c < 128 || c == '_')) return null;
            }
            payload = (int) (strtoull(seq) & 0x3fffff);
        }
        int bits = 0x7fc00000 | payload | (negative ? 0x80000000 : 0);
        return Float.intBitsToFloat(bits);
    }

    /**
     * C's {@code strtoull(s, &end, 0)} when it reads all of {@code s} (0x hex, 0 octal, else decimal; wrapping as an
     * unsigned long), else 0.
     */
    private static long strtoull(String s) {
        int radix = 10, at = 0;
        if (s.length() > 1 && s.charAt(0) == '0' && (s.charAt(1) == 'x' || s.charAt(1) == 'X')) { radix = 16; at = 2; }
        else if (s.length() > 1 && s.charAt(0) == '0') { radix = 8; at = 1; }
        if (at == s.length() && radix == 16) return 0;
        long v = 0;
        for (int k = at; k < s.length(); k++) {
            int d = Character.digit(s.charAt(k), radix);
            if (d < 0) return 0;
            v = v * radix + d;
        }
        return v;
    }

    /** The records of a CSV text: fields split at the delimiter, quoted fields with "" escapes and line breaks. */
    private static final class Records {
        private final Reader in;
        private final Options o;
        private final Path file;
        long line = 1;   // the line the record just read starts on
        private long nextLine = 1;
        private int peeked = -2;
        private final char[] buf = new char[1 << 16];
        private int pos, len;
        private static final int MAX_FIELD = 64 << 20;   // chars: an unclosed quote would otherwise read the rest of the file into one field

        Records(Reader in, Options o, Path file) {
            this.in = in;
            this.o = o;
            this.file = file;
        }

        private int read() throws IOException {
            if (peeked != -2) {
                int c = peeked;
                peeked = -2;
                return c;
            }
            if (pos == len) {
                len = in.read(buf, 0, buf.length);
                pos = 0;
                if (len <= 0) {
                    len = 0;
                    return -1;
                }
            }
            return buf[pos++];
        }

        /** The next record's fields, or null at the end. */
        List<String> next() throws IOException {
            int c = read();
            if (c == -1) return null;
            peeked = c;
            line = nextLine;
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quoted = false;   // a closing quote must be followed by a delimiter or the end: no second quote can open
            int prev = -1;
            while (true) {
                c = read();
                if (quoted) {
                    if (c == -1) throw new IOException("Csv: " + file + " line " + line + ": a quoted field is not closed");
                    if (c == '"') {
                        int d = read();
                        if (d == '"') {
                            f.append('"');
                            continue;
                        }
                        quoted = false;
                        if (d != o.delimiter && d != '\n' && d != '\r' && d != -1) {
                            throw new IOException("Csv: " + file + " line " + line + ": a quoted field must end at a "
                                    + "delimiter or the end of the record, got '" + (char) d + "' after its closing quote");
                        }
                        peeked = d;
                        continue;
                    }
                    if (c == '\n' && prev != '\r' || c == '\r') nextLine++;   // LF, CRLF and CR each end one line
                    prev = c;
                    if (f.length() == MAX_FIELD) {
                        throw new IOException("Csv: " + file + " line " + line + ": a quoted field runs past " + MAX_FIELD
                                + " characters (a quote not closed?)");
                    }
                    f.append((char) c);
                    continue;
                }
                if (c == -1 || c == '\n' || c == '\r' || c == o.delimiter) {
                    fields.add(f.toString());
                    f.setLength(0);
                    if (c == o.delimiter) continue;
                    if (c == '\r') {
                        int d = read();
                        if (d != '\n') peeked = d;
                    }
                    if (c != -1) nextLine++;
                    return fields;
                }
                if (c == '"' && o.quotes) {
                    if (!f.isEmpty()) {
                        throw new IOException("Csv: " + file + " line " + line + ": a quote inside a field that does not start with one "
                                + "(quote the whole field, or quotes(false) to read quotes as text)");
                    }
                    quoted = true;
                    continue;
                }
                f.append((char) c);
            }
        }
    }
}
