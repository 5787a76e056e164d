package dev.jrnn.data;

import dev.jrnn.io.Json;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Csv} against what TensorFlow 2.21's {@code CsvDataset} read from the same texts
 * (src/test/resources/dev/jrnn/data/csv/make_csv.py): the same float32 values, and a refusal where it refused.
 */
class CsvTest {
    @TempDir Path dir;

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() throws IOException {
        try (InputStream in = CsvTest.class.getResourceAsStream("csv/csv.json")) {
            return (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8))).get("cases");
        }
    }

    static Csv.Options options(Map<?, ?> o) {
        Csv.Options c = new Csv.Options().header(!Boolean.FALSE.equals(o.get("header")));
        if (o.get("defaults") instanceof List<?> d) {
            float[] f = new float[d.size()];
            for (int i = 0; i < f.length; i++) f[i] = ((Number) d.get(i)).floatValue();
            c = c.defaults(f);
        }
        if (o.get("na_value") != null) c = c.naValue((String) o.get("na_value"));
        if (o.get("delim") != null) c = c.delimiter(((String) o.get("delim")).charAt(0));
        if (Boolean.FALSE.equals(o.get("quotes"))) c = c.quotes(false);
        if (o.get("select") instanceof List<?> s) c = c.columns(s.stream().mapToInt(v -> ((Number) v).intValue()).toArray());
        return c;
    }

    static float value(Object v) {
        return switch (String.valueOf(v)) {
            case "nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> ((Number) v).floatValue();
        };
    }

    @Test
    void readsWhatTfDataReadsAndRefusesWhatItRefuses() throws IOException {
        int read = 0, refused = 0;
        for (Map<String, Object> c : cases()) {
            Path f = dir.resolve("f.csv");
            Files.writeString(f, (String) c.get("text"), StandardCharsets.UTF_8);
            Csv.Options o = options((Map<?, ?>) c.get("options"));
            String name = (String) c.get("name");
            if (c.containsKey("refused")) {
                String tf = (String) c.get("refused");
                IOException e = assertThrows(IOException.class, () -> Csv.read(f, o), name + " (TensorFlow: " + tf + ")");
                assertTrue(e.getMessage().startsWith("Csv: " + f + " line "), name + ": " + e.getMessage());
                String why = tf.contains("not a valid float") ? "expected a number" : tf.contains("required but missing")
                        ? (e.getMessage().contains("an empty line") ? "an empty line" : "is missing") : tf.startsWith("Expect ")
                        ? (e.getMessage().contains("an empty line") ? "an empty line" : "fields (as the header)") : tf.contains("quotes inside")
                        ? "a quote inside a field" : tf.contains("closing quoted") ? "a quoted field" : "?";
                assertTrue(e.getMessage().contains(why), name + ": TensorFlow's '" + tf + "' should read '" + why + "' in: " + e.getMessage());
                refused++;
                continue;
            }
            List<?> bits = (List<?>) c.get("bits");
            Tensor t = Csv.read(f, o).values();
            int k = ((List<?>) bits.get(0)).size();
            assertArrayEquals(new int[] {bits.size(), k}, t.shape(), name);
            for (int r = 0; r < bits.size(); r++) {
                for (int j = 0; j < k; j++) {   // the bits: -0, and a NaN's sign and payload, as glibc's strtof
                    int want = (int) ((Number) ((List<?>) bits.get(r)).get(j)).longValue();
                    assertEquals(Integer.toHexString(want), Integer.toHexString(Float.floatToRawIntBits(t.data()[r * k + j])),
                            name + " row " + r + " column " + j);
                }
            }
            read++;
        }
        assertEquals(18, read);
        assertEquals(20, refused);
    }

    @Test
    void columnsByNameInTheGivenOrderWithTheirNames() throws IOException {
        Path f = Files.writeString(dir.resolve("w.csv"), "Date Time,p (mbar),T (degC)\n01.01.2009 00:10:00,996.52,-8.02\n"
                + "01.01.2009 00:20:00,996.57,-8.41\n");
        Csv.Data d = Csv.read(f, new Csv.Options().columns("T (degC)", "p (mbar)"));
        assertEquals(List.of("T (degC)", "p (mbar)"), d.columns());
        assertArrayEquals(new float[] {-8.02f, 996.52f, -8.41f, 996.57f}, d.values().data());
        assertEquals(List.of("0", "1"), Csv.read(Files.writeString(dir.resolve("n.csv"), "1,2\n"), new Csv.Options().header(false)).columns());
        IOException e = assertThrows(IOException.class, () -> Csv.read(f));   // the date column is no number
        assertTrue(e.getMessage().contains("line 2: column \"Date Time\": expected a number, got \"01.01.2009 00:10:00\""), e.getMessage());
    }

    /** A file of any size streams into a .npy that maps as a time series; a failure leaves the old .npy as it was. */
    @Test
    void toNpyStreamsAndFailsWithoutTouchingTheTarget() throws IOException {
        StringBuilder b = new StringBuilder("t,x,y\n");
        for (int i = 0; i < 5000; i++) b.append(i).append(',').append(i * 0.5f).append(',').append(-i).append('\n');
        Path csv = Files.writeString(dir.resolve("big.csv"), b), npy = dir.resolve("big.npy");
        assertEquals(5000, Csv.toNpy(csv, npy, new Csv.Options().columns("x", "y")));
        Tensor back = Npy.read(npy);
        assertArrayEquals(new int[] {5000, 2}, back.shape());
        assertEquals(4999 * 0.5f, back.data()[4999 * 2], 0f);
        assertEquals(Csv.read(csv, new Csv.Options().columns("x", "y")).values().data().length, back.size());
        assertArrayEquals(Csv.read(csv, new Csv.Options().columns("x", "y")).values().data(), back.data());
        Timeseries ts = Timeseries.of(npy, npy, 10);
        assertEquals(4991, ts.windows());

        byte[] before = Files.readAllBytes(npy);
        Path bad = Files.writeString(dir.resolve("bad.csv"), b + "5000,oops,1\n");
        IOException e = assertThrows(IOException.class, () -> Csv.toNpy(bad, npy, new Csv.Options().columns("x", "y")));
        assertTrue(e.getMessage().contains("line 5002: column \"x\": expected a number, got \"oops\""), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(npy));
        try (var s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary file left");
        }
    }

    @Test
    void lineNumbersCountLineBreaksInsideQuotes() throws IOException {
        for (String eol : List.of("\n", "\r\n", "\r")) {
            Path f = Files.writeString(dir.resolve("q.csv"), String.join(eol, "name,v", "\"two", "lines\",1", "x,2", "y,z", ""));
            IOException e = assertThrows(IOException.class, () -> Csv.read(f, new Csv.Options().columns("v")));
            assertTrue(e.getMessage().contains("line 5: column \"v\": expected a number, got \"z\""), eol.replace("\r", "CR").replace("\n", "LF")
                    + ": " + e.getMessage());
        }
    }

    /** tf.data gives no rows; a tensor needs one, so both read and toNpy refuse, naming it. */
    @Test
    void aFileOfOnlyTheHeaderIsRefused() throws IOException {
        Path f = Files.writeString(dir.resolve("h.csv"), "a,b\n"), npy = dir.resolve("h.npy");
        IOException e = assertThrows(IOException.class, () -> Csv.read(f));
        assertTrue(e.getMessage().endsWith("h.csv: no records after the header (a tensor needs at least one row)"), e.getMessage());
        assertThrows(IOException.class, () -> Csv.toNpy(f, npy, new Csv.Options()));
        assertFalse(Files.exists(npy));
    }

    /** An unclosed quote stops at a cap naming its line, rather than reading the rest of a big file into one field. */
    @Test
    void anUnclosedQuoteIsRefusedBeforeItFillsMemory() throws IOException {
        Path f = dir.resolve("open.csv");
        try (var w = Files.newBufferedWriter(f)) {
            w.write("a,b\n1,2\n3,\"4\n");
            String row = "5,6\n".repeat(1 << 12);
            for (int i = 0; i < (64 << 20) / row.length() + 2; i++) w.write(row);
        }
        Path npy = Files.writeString(dir.resolve("old.npy"), "PREVIOUS");
        IOException e = assertThrows(IOException.class, () -> Csv.toNpy(f, npy, new Csv.Options()));
        assertTrue(e.getMessage().contains("line 3: a quoted field runs past 67108864 characters (a quote not closed?)"), e.getMessage());
        assertEquals("PREVIOUS", Files.readString(npy));
    }

    /** An Error while rows stream (here out of memory in the writer's caller) leaves the target as it was, as an exception does. */
    @Test
    void anErrorWhileStreamingLeavesTheTargetAsItWas() throws IOException {
        Path csv = Files.writeString(dir.resolve("e.csv"), "a\n1\n2\n"), npy = Files.writeString(dir.resolve("e.npy"), "PREVIOUS");
        Csv.Options failing = new Csv.Options().defaults(0);
        assertThrows(StackOverflowError.class, () -> Csv.toNpy(csv, npy, failing, row -> { throw new StackOverflowError("test"); }));
        assertEquals("PREVIOUS", Files.readString(npy));
    }

    @Test
    void textThatIsNotUtf8ReadsAsReplacementCharacters() throws IOException {
        Path f = Files.write(dir.resolve("latin1.csv"), new byte[] {'c', (byte) 0xe9, ',', 'a', '\n', 'x', (byte) 0xe9, ',', '1', '\n',
                'y', ',', (byte) 0xe9, '\n'});
        IOException e = assertThrows(IOException.class, () -> Csv.read(f, new Csv.Options().columns("a")));
        assertTrue(e.getMessage().startsWith("Csv: " + f + " line 3: column \"a\": expected a number, got \"\ufffd\""), e.getMessage());
        Path g = Files.write(dir.resolve("latin1-ok.csv"), new byte[] {'c', (byte) 0xe9, ',', 'a', '\n', 'x', (byte) 0xe9, ',', '1', '\n'});
        Path h = Files.write(dir.resolve("latin1-header.csv"), new byte[] {'c', (byte) 0xe9, ',', 'a', '\n', '1', ',', '2', '\n'});
        assertEquals(List.of("c\ufffd", "a"), Csv.read(h).columns());
        assertArrayEquals(new float[] {1f}, Csv.read(g, new Csv.Options().columns("a")).values().data());
    }

    @Test
    void strtofFormsAsC() {
        assertEquals(16f, Csv.strtof("0x10"));
        assertEquals(0.5f, Csv.strtof("0x.8"));
        assertEquals(-8f, Csv.strtof("-0x1p3"));
        assertEquals(Float.NEGATIVE_INFINITY, Csv.strtof(" -infinity\t"));
        assertEquals(null, Csv.strtof("1d"));
        assertEquals(null, Csv.strtof("0x"));
        assertEquals(null, Csv.strtof("+-1"));
        assertEquals(null, Csv.strtof("\u00a01"));   // a no-break space is not C's isspace
        assertEquals(0x7fc0007b, Float.floatToRawIntBits(Csv.strtof("nan(123)")));
        assertEquals(0x7fc00008, Float.floatToRawIntBits(Csv.strtof("nan(010)")));   // octal, as strtoull base 0
        assertEquals(0xffc00000, Float.floatToRawIntBits(Csv.strtof("-nan")));
        assertEquals(null, Csv.strtof("nan(1"));
        assertEquals(1e5f, Csv.strtof("1E+5"));
        assertEquals(26f, Csv.strtof("0X1A"));
    }
}
