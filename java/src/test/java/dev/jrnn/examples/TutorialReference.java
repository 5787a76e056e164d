package dev.jrnn.examples;

import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npz;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float64 torch replays of the Keras tutorials under {@code src/test/resources/tutorials/} (written by
 * {@code make_reference.py} there): each archive's arrays carry a leading axis of 1, read back as one sample.
 */
final class TutorialReference {
    private TutorialReference() {}

    static Path resource(String file) {
        var url = TutorialReference.class.getResource("/tutorials/" + file);
        assertNotNull(url, "test resource tutorials/" + file + " is missing (run make_reference.py)");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every array of {@code tutorials/<stem>.npz}, leading axis dropped. */
    static Map<String, Tensor> load(String stem) throws IOException {
        Path npz = resource(stem + ".npz");
        List<String> names = new ArrayList<>(Npz.headers(npz).keySet());
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (BatchStream s = Dataset.fromNpz(npz, names, List.of()).batch(1).epoch(0); Batch b = s.next()) {
            for (int i = 0; i < names.size(); i++) {
                Tensor t = b.input(i);
                int[] shape = t.shape();
                out.put(names.get(i), Tensor.of(t.toArray(), shape.length == 1 ? new int[] {1} : Arrays.copyOfRange(shape, 1, shape.length)));
            }
        }
        return out;
    }

    /** |got - want| <= tol * (1 + |want|) for each element, naming the first that is not. */
    static void close(String what, float[] want, float[] got, double tol) {
        assertEquals(want.length, got.length, what + ": sizes");
        for (int i = 0; i < want.length; i++) {
            int at = i;
            assertTrue(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])),
                    () -> what + "[" + at + "]: expected " + want[at] + ", got " + got[at]);
        }
    }

    static void close(String what, Tensor want, Tensor got, double tol) {
        assertEquals(Arrays.toString(want.shape()), Arrays.toString(got.shape()), what + ": shape");
        close(what, want.toArray(), got.toArray(), tol);
    }

    static void close(String what, Tensor want, List<Double> got, double tol) {
        float[] g = new float[got.size()];
        for (int i = 0; i < g.length; i++) g[i] = got.get(i).floatValue();
        close(what, want.toArray(), g, tol);
    }
}
