package dev.jrnn.io.keras;

import dev.jrnn.io.Json;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The JSON goldens that Keras 3.15.1 wrote under keras3_layers/ (keras3_goldens.py's {@code arr} and
 * {@code write_json_gz}): read, turned into tensors, compared at float32 rounding. Shared by RealKerasLayersTest and
 * the guide ports (examples/KerasRnnGuidesTest).
 */
public final class KerasGoldens {
    private KerasGoldens() {}

    /** A file of keras3_layers/. */
    public static Path file(String name) {
        return GeneratedKerasFilesTest.resource("keras3_layers/" + name);
    }

    /** keras3_layers/{@code name}.json.gz as maps and lists. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> golden(String name) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file(name + ".json.gz")))) {
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** An {@code arr} entry ({@code {"shape": [...], "data": [...]}}) as a tensor; a scalar as shape [1], as jrnn holds it. */
    @SuppressWarnings("unchecked")
    public static Tensor tensor(Object o) {
        Map<String, Object> a = (Map<String, Object>) o;
        List<Object> shape = (List<Object>) a.get("shape"), data = (List<Object>) a.get("data");
        if (shape.isEmpty()) shape = List.of(1);  // a scalar variable (Attention's scale): jrnn holds it as [1]
        int[] s = new int[shape.size()];
        for (int i = 0; i < s.length; i++) s[i] = ((Number) shape.get(i)).intValue();
        float[] d = new float[data.size()];
        for (int i = 0; i < d.length; i++) d[i] = ((Number) data.get(i)).floatValue();
        return Tensor.of(d, s);
    }

    /** A list of {@code arr} entries as tensors. */
    @SuppressWarnings("unchecked")
    public static List<Tensor> tensors(Object o) {
        List<Tensor> out = new ArrayList<>();
        for (Object t : (List<Object>) o) out.add(tensor(t));
        return out;
    }

    /** Every element within float32 rounding of Keras' (1e-5 relative, 2e-6 near 0); adds the first that is not to {@code bad}. */
    public static void compare(String what, Tensor want, Tensor got, List<String> bad) {
        compare(what, want, got, 1e-5, bad);
    }

    /** As {@link #compare(String, Tensor, Tensor, List)} with a relative tolerance of {@code rel} (and rel / 5 near 0). */
    public static void compare(String what, Tensor want, Tensor got, double rel, List<String> bad) {
        if (!java.util.Arrays.equals(want.shape(), got.shape())) {
            bad.add(what + ": shape " + Tensor.shapeString(got.shape()) + ", Keras " + Tensor.shapeString(want.shape()));
            return;
        }
        float[] w = want.data(), g = got.data();
        for (int k = 0; k < w.length; k++) {
            if (!(Math.abs(w[k] - g[k]) <= rel / 5 + rel * Math.abs(w[k]))) {
                bad.add(what + "[" + k + "]: " + g[k] + ", Keras " + w[k]);
                return;
            }
        }
    }
}
