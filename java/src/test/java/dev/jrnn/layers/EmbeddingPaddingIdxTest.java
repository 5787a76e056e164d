package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.check.TorchGolden;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.AdamW;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.SGD;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Embedding#paddingIdx(Integer)} as torch's {@code nn.Embedding(padding_idx=0)}: Embedding -> mean over steps ->
 * Dense trained for five steps against torch.optim in float64 ({@code src/test/resources/torchref/embedding_padding.py}
 * wrote {@code embedding_padding.json}): the losses and every weight after, the padding row included (no gradient from
 * the lookups; AdamW's decoupled decay and a coupled L2 decay still move it, as torch moves it).
 */
class EmbeddingPaddingIdxTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @SuppressWarnings("unchecked")
    static Map<String, Object> golden() throws IOException {
        try (InputStream in = EmbeddingPaddingIdxTest.class.getResourceAsStream("/torchref/embedding_padding.json")) {
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static double[] flat(Object nested) {
        return ((List<?>) nested).stream().flatMapToDouble(o -> o instanceof List<?> l
                ? l.stream().mapToDouble(v -> ((Number) v).doubleValue())
                : java.util.stream.DoubleStream.of(((Number) o).doubleValue())).toArray();
    }

    static Tensor tensor(Object nested, int... shape) {
        double[] d = flat(nested);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return Tensor.wrap(f, shape);
    }

    private static Sequential model(Embedding e) {
        return new Sequential(e.inputShape(4), new GlobalAveragePooling1D(), new Dense(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adamw", "sgd_momentum_coupled_decay"})
    @SuppressWarnings("unchecked")
    void trainsAsTorch(String name) throws IOException {
        Map<String, Object> g = golden();
        Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) g.get("cases")).get(name);
        double l2 = ((Number) c.get("l2")).doubleValue();
        Embedding e = new Embedding(6, 3).paddingIdx(0);
        if (l2 > 0) e.embeddingsRegularizer(Regularizers.l2(l2));
        try (Sequential m = model(e)) {
            Optimizer o = switch (name) {
                case "sgd" -> new SGD(0.5);
                case "adamw" -> new AdamW(0.05).weightDecay(0.1).epsilon(1e-10);
                default -> new SGD(0.2).momentum(0.9);
            };
            m.compile(o, "mse");
            m.setWeights(List.of(tensor(g.get("embeddings"), 6, 3), tensor(g.get("kernel"), 3, 1), tensor(g.get("bias"), 1)));
            Tensor ids = tensor(g.get("ids"), 2, 4), y = tensor(g.get("y"), 2, 1);
            double[] losses = new double[((Number) g.get("steps")).intValue()];
            for (int s = 0; s < losses.length; s++) losses[s] = m.trainOnBatch(ids, y);
            TorchGolden.compare(name + ": the loss before each step", losses, flat(c.get("losses")), TorchGolden.TOL);
            List<Tensor> w = m.getWeights();
            double[] want = flat(c.get("embeddings_after"));
            TorchGolden.compare(name + ": the padding row after the steps", java.util.Arrays.copyOf(TorchGolden.toDouble(w.get(0)), 3),
                    java.util.Arrays.copyOf(want, 3), TorchGolden.TOL);
            TorchGolden.compare(name + ": the table after the steps", TorchGolden.toDouble(w.get(0)), want, TorchGolden.TOL);
            TorchGolden.compare(name + ": the kernel after", TorchGolden.toDouble(w.get(1)), flat(c.get("kernel_after")), TorchGolden.TOL);
            TorchGolden.compare(name + ": the bias after", TorchGolden.toDouble(w.get(2)), flat(c.get("bias_after")), TorchGolden.TOL);
        }
    }

    @Test
    void thePaddingRowStartsAtZeroAsTorchsAndANegativeIndexCountsFromTheEnd() {
        try (Sequential m = model(new Embedding(6, 3).paddingIdx(-2).seed(3))) {
            float[] t = m.getWeights().get(0).data();
            assertEquals(4, ((Embedding) m.layers().get(0)).paddingIdx());
            assertArrayEquals(new float[3], java.util.Arrays.copyOfRange(t, 12, 15));
            for (int r = 0; r < 6; r++) if (r != 4) assertFalse(t[3 * r] == 0 && t[3 * r + 1] == 0 && t[3 * r + 2] == 0, "row " + r);
        }
    }

    @Test
    void aSharedLayerSendsTheRowNothingFromEitherCall() {
        Embedding e = new Embedding(5, 2).paddingIdx(0);
        Input a = Input.shape(3), b = Input.shape(3);
        dev.jrnn.layers.Node sum = new Add().apply(new GlobalAveragePooling1D().apply(e.apply(a)), new GlobalAveragePooling1D().apply(e.apply(b)));
        try (Model m = new Model(List.of(a, b), new Dense(1).apply(sum))) {
            m.compile(new SGD(0.5), "mse");
            float[] before = m.getWeights().get(0).data().clone();
            Tensor x1 = Tensor.of(new float[] {0, 1, 2, 0, 0, 3}, 2, 3), x2 = Tensor.of(new float[] {4, 0, 0, 2, 2, 0}, 2, 3);
            m.trainOnBatch(List.of(x1, x2), List.of(Tensor.of(new float[] {1, -1}, 2, 1)));
            float[] after = m.getWeights().get(0).data();
            assertArrayEquals(java.util.Arrays.copyOf(before, 2), java.util.Arrays.copyOf(after, 2));
            assertFalse(java.util.Arrays.equals(before, after), "the other rows train");
        }
    }

    /**
     * An .h5 keeps neither truncated BPTT nor paddingIdx: the save warns once per model for each setting it loses, so a
     * paddingIdx set after the model's first warning (about its tbptt) is still reported (it was not: once per model).
     */
    @Test
    void anH5SaveWarnsOnceForEachSettingItLoses(@TempDir Path dir) throws Exception {
        try (Sequential m = new Sequential(new Embedding(6, 3).name("emb").inputShape(4), new LSTM(2).tbptt(2), new Dense(1))) {
            Path f = dir.resolve("m.h5");
            List<String> first = dev.jrnn.LogCapture.warnings("dev.jrnn.model.ModelFiles", () -> {
                m.save(f);
                m.save(f);
            });
            assertEquals(1, first.size(), first.toString());
            assertTrue(first.get(0).contains("truncated BPTT") && !first.get(0).contains("paddingIdx"), first.get(0));
            ((Embedding) m.layers().get(0)).paddingIdx(0);
            List<String> then = dev.jrnn.LogCapture.warnings("dev.jrnn.model.ModelFiles", () -> {
                m.save(f);
                m.save(f);
            });
            assertEquals(1, then.size(), then.toString());
            assertTrue(then.get(0).contains("Embedding paddingIdx {emb=0} is not kept in an .h5") && !then.get(0).contains("BPTT")
                    && then.get(0).contains("trains every embedding row: save .keras to keep it"), then.get(0));
        }
    }

    /** A loaded .keras trains as the saved model would: the padding row is not only reported, it stays frozen. */
    @Test
    void aLoadedModelKeepsTheRowFrozenUnderTraining(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.keras");
        try (Sequential m = model(new Embedding(6, 3).paddingIdx(2).name("emb"))) {
            m.compile(new SGD(0.5), "mse");
            m.setWeights(List.of(Tensor.full(0.25f, 6, 3), Tensor.full(0.5f, 3, 1), Tensor.full(0f, 1)));   // row 2 not zero
            m.save(f);
        }
        try (Model back = Models.load(f)) {
            float[] before = back.getWeights().get(0).data().clone();
            Tensor ids = Tensor.of(new float[] {2, 2, 1, 0, 2, 3, 2, 5}, 2, 4), y = Tensor.of(new float[] {1, -1}, 2, 1);
            for (int s = 0; s < 3; s++) back.trainOnBatch(ids, y);
            float[] after = back.getWeights().get(0).data();
            assertArrayEquals(java.util.Arrays.copyOfRange(before, 6, 9), java.util.Arrays.copyOfRange(after, 6, 9), "row 2");
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, java.util.Arrays.copyOfRange(after, 6, 9), "row 2 as saved");
            for (int r : new int[] {0, 1, 3, 5}) {
                assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(before, 3 * r, 3 * r + 3),
                        java.util.Arrays.copyOfRange(after, 3 * r, 3 * r + 3)), "row " + r + " trains");
            }
        }
    }

    @Test
    void keptAcrossSaveAndCloneButNotInKerasConfig(@TempDir Path dir) throws IOException {
        try (Sequential m = model(new Embedding(6, 3).paddingIdx(2).name("emb"))) {
            m.getWeights();
            assertFalse(m.toJson().contains("padding"), m.toJson());
            Path f = dir.resolve("m.keras");
            m.save(f);
            try (Model back = Models.load(f); Model clone = Models.cloneModel(m)) {
                assertEquals(2, ((Embedding) back.layers().get(0)).paddingIdx());
                assertEquals(2, ((Embedding) clone.layers().get(0)).paddingIdx());
                // the clone's weights are fresh: its row starts at zero as a new layer's (fromJson drew it before the index was set)
                assertArrayEquals(new float[3], java.util.Arrays.copyOfRange(clone.getWeights().get(0).data(), 6, 9), "the clone's padding row");
                assertFalse(java.util.Arrays.equals(m.getWeights().get(0).data(), clone.getWeights().get(0).data()), "fresh weights");
            }
        }
        try (Sequential plain = model(new Embedding(6, 3).name("emb"))) {
            Path f = dir.resolve("plain.keras");
            plain.getWeights();
            plain.save(f);
            try (Model back = Models.load(f)) {
                assertNull(((Embedding) back.layers().get(0)).paddingIdx());
            }
        }
    }
}
