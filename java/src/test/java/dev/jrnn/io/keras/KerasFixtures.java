package dev.jrnn.io.keras;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Where the real Keras files live: {@code shared/fixtures/keras} beside the repository (CI clones the repository
 * with {@code shared/} beside it; a worktree finds it further up), or the folder named by
 * {@code -Djrnn.kerasFixtures=...}. Not copied into the repository: they are third-party files (Apache-2.0, from
 * Deeplearning4j's test resources). A run that cannot find them fails, naming where it looked: they are part of
 * the suite, not optional.
 */
final class KerasFixtures {
    private KerasFixtures() {}

    static Path dir() {
        String prop = System.getProperty("jrnn.kerasFixtures");
        List<Path> tried = new ArrayList<>();
        if (prop != null) tried.add(Path.of(prop));
        // the test runs in <repo>/java; shared/ is beside <repo> (a clone) or above it (a worktree)
        Path p = Path.of("").toAbsolutePath();
        for (int up = 0; up < 4 && p != null; up++, p = p.getParent()) tried.add(p.resolve("shared/fixtures/keras"));
        for (Path t : tried) if (Files.isDirectory(t)) return t;
        return fail("Keras fixtures not found; looked in " + tried + " (set -Djrnn.kerasFixtures=<dir>)");
    }

    /** The full-model files (every .h5 except the weights-only and the inputs/outputs file). */
    static List<Path> models() throws java.io.IOException {
        try (var s = Files.list(dir())) {
            return s.filter(f -> f.toString().endsWith(".h5"))
                    .filter(f -> !f.getFileName().toString().equals("simple_lstm_weights.h5"))
                    .filter(f -> !f.getFileName().toString().equals("simple_lstm_inputs_and_outputs.h5"))
                    .sorted().toList();
        }
    }

    /** A copy of the .keras zip {@code keras} at {@code out} with its config.json edited by {@code edit}, which must change it. */
    static Path withConfig(Path keras, Path out, java.util.function.UnaryOperator<String> edit) throws java.io.IOException {
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(keras.toFile());
             java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(out))) {
            for (var e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("config.json")) {
                    String cfg = new String(b, java.nio.charset.StandardCharsets.UTF_8), changed = edit.apply(cfg);
                    assertNotEquals(cfg, changed, "the edit changed nothing in " + keras.getFileName());
                    b = changed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                z.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                z.write(b);
                z.closeEntry();
            }
        }
        return out;
    }

    /** {@code got} against a float64 reference's {@code want}, value by value within 2e-6 (float32 rounding), naming the index. */
    static void assertClose(float[] want, float[] got, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) org.junit.jupiter.api.Assertions.assertEquals(want[i], got[i], 2e-6, what + ": y[" + i + "]");
    }

    /**
     * As {@link #withConfig}, the model's layers given to {@code edit} parsed, by name (in file order; edit may replace,
     * add or remove entries), and written back in that order.
     */
    @SuppressWarnings("unchecked")
    static Path withLayers(Path keras, Path out, java.util.function.Consumer<java.util.Map<String, java.util.Map<String, Object>>> edit)
            throws java.io.IOException {
        return withConfig(keras, out, text -> {
            java.util.Map<String, Object> cfg = (java.util.Map<String, Object>) dev.jrnn.io.Json.parse(text);
            java.util.Map<String, Object> model = (java.util.Map<String, Object>) cfg.get("config");
            java.util.Map<String, java.util.Map<String, Object>> byName = new java.util.LinkedHashMap<>();
            for (Object l : (List<Object>) model.get("layers")) {
                byName.put((String) ((java.util.Map<String, Object>) l).get("name"), (java.util.Map<String, Object>) l);
            }
            edit.accept(byName);
            model.put("layers", new java.util.ArrayList<>(byName.values()));
            return dev.jrnn.io.Json.write(cfg);
        });
    }
}
