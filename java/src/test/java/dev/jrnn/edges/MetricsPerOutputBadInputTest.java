package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.Node;
import dev.jrnn.losses.Auc;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.WeightedMetrics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad metrics per output and weighted_metrics given to compile: an IllegalArgumentException naming the parameter, what was
 * expected and what came; the model keeps its previous compile (optimizer, losses, metrics).
 */
class MetricsPerOutputBadInputTest {
    private Model m;

    /** Outputs "seq" (a sequence of 2) and "kind" (1, sigmoid), compiled with metrics on "kind". */
    @BeforeEach
    void model() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
        Input in = Input.shape(4, 2);
        Node seq = new SimpleRNN(2).returnSequences(true).name("seq").apply(in);
        Node kind = new Dense(1).activation("sigmoid").name("kind").apply(new SimpleRNN(3).apply(in));
        m = new Model(in, List.of(seq, kind)).name("two");
        m.compile("adam", List.of("mse", "binary_crossentropy"), Map.of("kind", List.of("auc")), WeightedMetrics.of(Map.of("seq", "mae")));
    }

    private void bad(Executable compile, String... words) {
        var optimizer = m.optimizer();
        var losses = m.losses();
        List<String> keys = m.metricKeys();
        List<Object> config = m.metricsConfig();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, compile);
        for (String w : words) assertTrue(e.getMessage().contains(w), "'" + w + "' not in: " + e.getMessage());
        assertSame(optimizer, m.optimizer(), "a refused compile keeps the optimizer");
        assertEquals(losses, m.losses());
        assertEquals(keys, m.metricKeys());
        assertEquals(config, m.metricsConfig());
    }

    private void compile(Object... metrics) { m.compile("adam", List.of("mse", "binary_crossentropy"), metrics); }

    @Test
    void unknownOutputNames() {
        bad(() -> compile(Map.of("kinds", List.of("auc"))), "two.compile: metrics names output 'kinds'", "expected output names [seq, kind]");
        bad(() -> compile(WeightedMetrics.of(Map.of("price", "mae"))), "two.compile: weightedMetrics names output 'price'",
                "expected output names [seq, kind]");
        bad(() -> compile(Map.of(1, "auc")), "metrics names output 1", "expected output names");
    }

    @Test
    void listsOfListsOfTheWrongLength() {
        bad(() -> compile(List.of(List.of("mae"))), "two.compile: metrics as a List of Lists needs one List per output (2: [seq, kind])",
                "got 1: [[mae]]");
        bad(() -> compile(WeightedMetrics.of(List.of(List.of("mae"), List.of(), List.of("auc")))),
                "weightedMetrics as a List of Lists needs one List per output (2: [seq, kind])", "got 3");
    }

    @Test
    void metricsThatCannotGoOnTheirOutput() {
        bad(() -> compile(Map.of("seq", List.of("f1_score"))), "two.compile: metric f1_score on output seq", "expects 2-D outputs",
                "(None, 4, 2)");
        bad(() -> compile(List.of(List.of(), List.of("sparse_categorical_accuracy"))),
                "metric sparse_categorical_accuracy needs class-index targets but the loss binary_crossentropy of output kind takes dense targets");
        bad(() -> compile(WeightedMetrics.of(Map.of("kind", "r2"))), "two.compile: weightedMetrics[\"kind\"]: unknown metric 'r2'",
                "expected one of");
    }

    @Test
    void wrongTypesAndShapes() {
        bad(() -> compile(WeightedMetrics.of(42)), "two.compile: weightedMetrics: metric 42 is a Integer", "expected a metric name");
        bad(() -> compile("mae", Map.of("kind", "auc")), "two.compile: metrics holds {kind=auc} among its metrics",
                "one Map by output name or one List with a List per output");
        bad(() -> compile(List.of(List.of("mae"), "auc")), "two.compile: metrics holds [[mae], auc] among its metrics",
                "given as the only metrics");
        bad(() -> compile(Map.of("kind", Map.of("x", "auc"))), "two.compile: metrics[\"kind\"] is a Map {x=auc}",
                "expected a metric or a List of metrics");
        bad(() -> compile(List.of(List.of(List.of("mae")), List.of())), "two.compile: metrics[0] holds [mae]",
                "expected metric names or metric objects");
        bad(() -> compile(WeightedMetrics.of("mae"), WeightedMetrics.of(new Auc())), "two.compile: two WeightedMetrics given");
        bad(() -> WeightedMetrics.of((Object[]) null), "WeightedMetrics.of: metrics is null");
        bad(() -> new WeightedMetrics(null), "WeightedMetrics: metrics is null");
    }

    /**
     * "accuracy" on an output without a loss reads class indices or dense targets by their shape (Keras' get_metric);
     * targets of neither fit are refused naming the target, the output and what its metrics need, and class indices
     * outside the classes too. "crossentropy" / "ce", which Keras resolves from the shapes as losses only, are no
     * metric names there either (Keras 3.15.1: "Could not interpret metric identifier").
     */
    @Test
    void accuracyWithoutALossTakesTargetsOfEitherShapeOnly() {
        m.compile("adam", java.util.Arrays.asList(null, "binary_crossentropy"), List.of(List.of("accuracy"), List.of()));
        dev.jrnn.tensor.Tensor x = dev.jrnn.tensor.Tensor.of(new float[5 * 8], 5, 4, 2), yk = dev.jrnn.tensor.Tensor.of(new float[5], 5, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.evaluateAll(List.of(x), List.of(dev.jrnn.tensor.Tensor.of(new float[5 * 12], 5, 4, 3), yk)));
        assertTrue(e.getMessage().contains("y[0] has shape (5, 4, 3) (12 values per sample), output seq (None, 4, 2) needs 8 per sample"
                + " for its metrics (it has no loss), or one class index per row (4)"), e.getMessage());
        float[] indices = new float[20];
        indices[7] = 2;
        e = assertThrows(IllegalArgumentException.class, () -> m.evaluateAll(List.of(x), List.of(dev.jrnn.tensor.Tensor.of(indices, 5, 4), yk)));
        assertTrue(e.getMessage().contains("y[0] holds class index 2.0 at (1, 3); its metrics need integers in [0, 2) for output seq"), e.getMessage());
        indices[7] = 1;
        assertEquals(List.of("loss", "seq_accuracy"), List.copyOf(new java.util.TreeSet<>(
                m.evaluateAll(List.of(x), List.of(dev.jrnn.tensor.Tensor.of(indices, 5, 4), yk)).keySet())), "class indices (n, T) are taken");
        for (String ce : List.of("crossentropy", "ce")) {
            bad(() -> m.compile("adam", java.util.Arrays.asList(null, "binary_crossentropy"), List.of(List.of(ce), List.of())),
                    "unknown metric '" + ce + "'");
        }
    }
}
