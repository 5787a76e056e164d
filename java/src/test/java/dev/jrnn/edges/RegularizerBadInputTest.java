package dev.jrnn.edges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.layers.WeightRules;
import dev.jrnn.model.BackupAndRestore;
import dev.jrnn.model.CSVLogger;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.regularizers.Constraints;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad regularizer and constraint settings ({@code dev.jrnn.regularizers} and the layers' builders): each an
 * exception naming the parameter, what was expected and what came; one found at compile leaves the model uncompiled,
 * one that a change after compile made is found before fit, evaluate or a batch call changes anything.
 */
class RegularizerBadInputTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(1);
    }

    static Stream<Arguments> factories() {
        return Stream.of(
                Arguments.of("negative l2", (Executable) () -> Regularizers.l2(-1), List.of("Regularizers.l2: l2", ">= 0", "-1.0")),
                Arguments.of("NaN l1", (Executable) () -> Regularizers.l1(Double.NaN), List.of("Regularizers.l1: l1", "finite", "NaN")),
                Arguments.of("infinite l1l2 l2", (Executable) () -> Regularizers.l1l2(0, Double.POSITIVE_INFINITY),
                        List.of("Regularizers.l1l2: l2", "Infinity")),
                Arguments.of("l2 over float32", (Executable) () -> Regularizers.l2(1e39), List.of("Regularizers.l2: l2", "1.0E39", "rounds it to Infinity")),
                Arguments.of("unknown regularizer name", (Executable) () -> Regularizers.of("orthogonal_regularizer"),
                        List.of("Regularizers.of: name", "l1, l2, l1l2", "'orthogonal_regularizer'")),
                Arguments.of("Keras 2's l1_l2 name", (Executable) () -> Regularizers.of("l1_l2"),
                        List.of("Regularizers.of: name", "l1, l2, l1l2", "Regularizers.l1l2(l1, l2)", "'l1_l2'")),
                Arguments.of("null regularizer name", (Executable) () -> Regularizers.of(null), List.of("Regularizers.of: name", "got null")),
                Arguments.of("negative max norm", (Executable) () -> Constraints.maxNorm(-2), List.of("Constraints.maxNorm: maxValue", ">= 0", "-2.0")),
                Arguments.of("NaN max norm", (Executable) () -> Constraints.maxNorm(Double.NaN, 0), List.of("Constraints.maxNorm: maxValue", "NaN")),
                Arguments.of("max below min", (Executable) () -> Constraints.minMaxNorm(2, 1), List.of("Constraints.minMaxNorm: maxValue", ">= minValue", "1.0")),
                Arguments.of("rate above 1", (Executable) () -> Constraints.minMaxNorm(0, 1, 1.5, 0), List.of("Constraints.minMaxNorm: rate", "[0, 1]", "1.5")),
                Arguments.of("no axis", (Executable) () -> Constraints.unitNorm(new int[0]), List.of("Constraints.unitNorm: axis", "at least one", "none")),
                Arguments.of("repeated axis", (Executable) () -> Constraints.maxNorm(1, 0, 0), List.of("Constraints.maxNorm: axis", "not repeat", "[0, 0]")),
                Arguments.of("rule for a weight no builder takes", (Executable) () -> WeightRules.setRegularizer(new Dense(1).name("d"), "gamma",
                        Regularizers.l2()), List.of("d: weight must be one of kernel, recurrent_kernel, bias, embeddings", "'gamma'")),
                Arguments.of("rule for a null weight name", (Executable) () -> WeightRules.setRegularizer(new Dense(1).name("d"), null,
                        Regularizers.l2()), List.of("d: weight must be a weight's name (kernel, recurrent_kernel", "got null")),
                Arguments.of("rule for a blank weight name of a layer of one's own", (Executable) () -> WeightRules.setConstraint(
                        new dev.jrnn.model.CustomLayerTest.Scale().name("s"), " ", Constraints.nonNeg()),
                        List.of("s: weight must be a weight's name (one its addParam gave)", "got ' '")),
                Arguments.of("rule for no layer", (Executable) () -> WeightRules.setConstraint(null, "kernel", Constraints.nonNeg()),
                        List.of("WeightRules: layer", "got null")),
                Arguments.of("unknown constraint name", (Executable) () -> Constraints.of("positive"),
                        List.of("Constraints.of: name", "max_norm, non_neg", "'positive'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void badSettingsAreRefusedNamingTheParameter(String name, Executable call, List<String> words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, name);
        for (String w : words) assertTrue(e.getMessage().contains(w), name + ": message lacks '" + w + "': " + e.getMessage());
    }

    private static Tensor y() { return Tensor.wrap(new float[] {1, 0, 0, 1}, 2, 2); }

    private static void assertMentions(Exception e, List<String> words) {
        for (String w : words) assertTrue(e.getMessage().contains(w), "message lacks '" + w + "': " + e.getMessage());
    }

    static Stream<Arguments> refusedAtCompile() {
        return Stream.of(
                Arguments.of("constraint axis the bias lacks", (Supplier<Sequential>) () -> {
                    Sequential m = new Sequential(new Dense(2).name("d").biasConstraint(Constraints.maxNorm(1, 1))).name("m");
                    m.build(3);
                    return m;
                }, List.of("m: layer d's bias constraint", "axis in [-1, 1)", "(2,)", "got axis 1")),
                Arguments.of("activity inside a Bidirectional", (Supplier<Sequential>) () -> {
                    LSTM inner = new LSTM(2).name("inner").activityRegularizer(Regularizers.l2(0.1));
                    Sequential m = new Sequential(new Bidirectional(inner).name("bi"), new Dense(2)).name("m");
                    m.build(3, 1);
                    return m;
                }, List.of("bi: activityRegularizer of the wrapped layer forward_inner", "expected none", "L2(l2=0.1)")),
                // Keras' TimeDistributed calls Bidirectional.call, which calls the inner layers' __call__: refused alike
                Arguments.of("activity inside a Bidirectional inside a TimeDistributed", (Supplier<Sequential>) () -> {
                    LSTM inner = new LSTM(2).name("inner").activityRegularizer(Regularizers.l1(0.1));
                    Sequential m = new Sequential(new TimeDistributed(new Bidirectional(inner).name("bi")).name("td"), new Dense(2)).name("m");
                    m.build(2, 3, 1);
                    return m;
                }, List.of("bi: activityRegularizer of the wrapped layer forward_inner", "expected none", "L1(l1=0.1)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedAtCompile")
    void badRulesOfABuiltModelFailCompileLeavingItUncompiled(String name, Supplier<Sequential> model, List<String> words) {
        Sequential m = model.get();
        List<Tensor> before = m.getWeights();
        assertMentions(assertThrows(IllegalArgumentException.class, () -> m.compile("sgd", "mse"), name), words);
        assertNull(m.optimizer(), "the refused compile set nothing");
        assertEquals(before, m.getWeights());
    }

    /** Each entry point that runs the model, on a stateful model whose rules went bad after compile. */
    static Stream<Arguments> entries() {
        Tensor x = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3, 1);
        return Stream.of(
                Arguments.of("fit", (Entry) (m, csv, dir) -> m.fit(x, y(), new FitOptions().epochs(1).batchSize(2).verbose(0)
                        .callbacks(new CSVLogger(csv), new BackupAndRestore(dir)))),
                Arguments.of("trainOnBatch", (Entry) (m, csv, dir) -> m.trainOnBatch(x, y())),
                Arguments.of("evaluate", (Entry) (m, csv, dir) -> m.evaluate(x, y())),
                Arguments.of("testOnBatch", (Entry) (m, csv, dir) -> m.testOnBatch(x, y())));
    }

    interface Entry {
        void run(Sequential m, Path csv, Path backupDir) throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void rulesThatWentBadFailBeforeStatesIterationsOrCallbacksMove(String name, Entry entry, @TempDir Path dir) throws Exception {
        for (int kind = 0; kind < 2; kind++) {
            LSTM lstm = new LSTM(2).name("lstm").stateful(true);
            Dense d = new Dense(2).name("d");
            Sequential m = new Sequential().add(Input.batchShape(2, 3, 1)).add(new Bidirectional(lstm).name("bi")).add(d).name("m");
            m.compile(new SGD(0.1), "mse");
            Tensor x = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3, 1);
            m.trainOnBatch(x, y());   // states and iterations away from their start
            Path csv = dir.resolve("log" + kind + ".csv");
            Files.writeString(csv, "epoch,loss\n0,1.5\n");
            Path backup = dir.resolve("backup" + kind);
            List<String> words;
            if (kind == 0) {
                d.biasConstraint(Constraints.unitNorm(-2));   // after compile: found when the model next runs
                words = List.of("m: layer d's bias constraint", "axis in [-1, 1)", "got axis -2");
            } else {
                lstm.weightRules().activity(Regularizers.l2(0.1));   // the forward layer, past its closed builders
                words = List.of("bi: activityRegularizer of the wrapped layer forward_lstm", "expected none");
            }
            List<Tensor> weights = m.getWeights(), states = lstm.states();
            long iterations = m.optimizer().iterations();
            assertMentions(assertThrows(IllegalArgumentException.class, () -> entry.run(m, csv, backup), name), words);
            assertEquals(weights, m.getWeights(), name + ": weights");
            assertEquals(states, lstm.states(), name + ": the stateful layer's states");
            assertEquals(iterations, m.optimizer().iterations(), name + ": the optimizer's iterations");
            assertEquals("epoch,loss\n0,1.5\n", Files.readString(csv), name + ": CSVLogger's file");
            assertFalse(Files.exists(backup), name + ": BackupAndRestore's directory");
        }
    }

    @Test
    void nonNegHasNoAxisToWiden() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Constraints.nonNeg().allAxes());
        assertMentions(e, List.of("NonNeg().allAxes", "no axis", "expected MaxNorm, UnitNorm or MinMaxNorm"));
    }

    @Test
    void aWrappedLayersRulesAreClosed() {
        LSTM inner = new LSTM(2).name("inner");
        new Bidirectional(inner);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> inner.kernelRegularizer(Regularizers.l2()));
        assertTrue(e.getMessage().contains("inner: cannot set kernel_regularizer of a layer a Bidirectional wraps"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> WeightRules.setConstraint(inner, "bias", Constraints.nonNeg()));
        assertTrue(e.getMessage().contains("inner: cannot set the bias rules of a layer a Bidirectional wraps"), e.getMessage());
    }
}
