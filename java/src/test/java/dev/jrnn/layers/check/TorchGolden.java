package dev.jrnn.layers.check;

import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npz;
import dev.jrnn.io.Json;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The PyTorch golden values under {@code src/test/resources/torchref/} (written by {@code make_golden.py} there):
 * {@code <stem>.json} lists the cases with their settings, {@code <stem>/<case>.npz} holds a case's arrays, every one
 * with a leading axis of 1, so a case reads back through jrnn's own {@link Npz} / {@link Dataset#fromNpz} as one
 * sample.
 */
public final class TorchGolden {
    /**
     * Relative tolerance against the float64 reference: jrnn computes in float32 (unit roundoff 6e-8), and over the
     * 5 steps, 4-12 term sums and the recurrence of these cases the rounding grows to ~1e-6; a wrong formula (gate
     * order, a step too many, a missing term, another reduction) is off by more than 1e-2.
     */
    public static final double TOL = 1e-4;

    /** One case: its settings from the JSON and its arrays by name (leading axis dropped). */
    public record Case(Map<String, Object> meta, Map<String, Array> arrays) {
        public String name() { return (String) meta.get("name"); }

        public Array get(String array) {
            Array a = arrays.get(array);
            assertNotNull(a, () -> name() + ": no array '" + array + "' in the golden file (it has " + arrays.keySet() + ")");
            return a;
        }

        public boolean has(String array) { return arrays.containsKey(array); }

        public boolean flag(String key) { return Boolean.TRUE.equals(meta.get(key)); }

        public int integer(String key) { return ((Number) meta.get(key)).intValue(); }

        public String string(String key, String absent) {
            Object v = meta.get(key);
            return v == null ? absent : (String) v;
        }

        @Override
        public String toString() { return name(); }
    }

    /** An array's values (float32 read as double) and shape. */
    public record Array(double[] v, int[] shape) {
        GradCheck.Var var(String name) { return new GradCheck.Var(name, v, true, shape); }

        /** The values as a float32 tensor (they are float32 values). */
        public Tensor tensor() {
            float[] f = new float[v.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
            return Tensor.of(f, shape);
        }
    }

    private TorchGolden() {}

    /** The cases of {@code torchref/<stem>.json} with their arrays from {@code torchref/<stem>/<case>.npz}. */
    @SuppressWarnings("unchecked")
    public static List<Case> load(String stem) {
        try {
            List<Object> meta = (List<Object>) Json.parse(Files.readString(resource(stem + ".json")));
            List<Case> cases = new ArrayList<>();
            for (Object o : meta) {
                Map<String, Object> m = (Map<String, Object>) o;
                cases.add(new Case(m, read(resource(stem + "/" + m.get("name") + ".npz"))));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every array of one case's archive, read as one sample of a Dataset over it. */
    private static Map<String, Array> read(Path npz) throws IOException {
        List<String> names = new ArrayList<>(Npz.headers(npz).keySet());
        Map<String, Array> out = new LinkedHashMap<>();
        try (BatchStream s = Dataset.fromNpz(npz, names, List.of()).batch(1).epoch(0); Batch b = s.next()) {
            for (int i = 0; i < names.size(); i++) {
                Tensor t = b.input(i);
                int[] shape = t.shape();
                out.put(names.get(i), new Array(GradCheck.toDouble(t), Arrays.copyOfRange(shape, 1, shape.length)));
            }
        }
        return out;
    }

    /** The jrnn layer for a Keras configuration as make_golden.py writes it. */
    public static RecurrentLayer recurrent(Map<String, Object> m) {
        int units = ((Number) m.get("units")).intValue();
        String act = (String) m.getOrDefault("activation", "tanh");
        String rec = (String) m.getOrDefault("recurrent_activation", "sigmoid");
        RecurrentLayer l = switch ((String) m.get("cell")) {
            case "lstm" -> new LSTM(units).recurrentActivation(rec);
            case "gru" -> new GRU(units).resetAfter(!Boolean.FALSE.equals(m.get("reset_after"))).recurrentActivation(rec);
            case "simple_rnn" -> new SimpleRNN(units);
            default -> throw new IllegalArgumentException("cell " + m.get("cell"));
        };
        return l.activation(act).useBias(!Boolean.FALSE.equals(m.get("use_bias")))
                .returnSequences(Boolean.TRUE.equals(m.get("return_sequences")))
                .returnState(Boolean.TRUE.equals(m.get("return_state")))
                .goBackwards(Boolean.TRUE.equals(m.get("go_backwards")))
                .zeroOutputForMask(Boolean.TRUE.equals(m.get("zero_output_for_mask")));
    }

    private static Path resource(String file) {
        var url = TorchGolden.class.getResource("/torchref/" + file);
        assertNotNull(url, "test resource torchref/" + file + " is missing (run make_golden.py)");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link GradCheck#compare}: relative norm error and per element within {@code tol}. */
    public static double compare(String what, double[] got, double[] want, double tol) {
        return GradCheck.compare(what, got, want, tol);
    }

    /** A tensor's float32 values as doubles. */
    public static double[] toDouble(Tensor t) { return GradCheck.toDouble(t); }
}
