package dev.jrnn.edges;

import dev.jrnn.edges.RefusalCases.Action;
import dev.jrnn.edges.RefusalCases.Case;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at MultiHeadAttention's entry points (constructor, settings, functional and direct calls, masks, the
 * attention mask input, saving): each throws IllegalArgumentException naming the parameter, what it expects and what came
 * (the listed words), and a refused call leaves the layer unbuilt.
 */
class MultiHeadAttentionBadInputTest {
    private static final List<Case> CASES = new ArrayList<>();

    private static void bad(String name, Action action, String... words) {
        CASES.add(new Case(name, action, List.of(words)));
    }

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    static List<Case> cases() {
        if (CASES.isEmpty()) {
            settings();
            calls();
        }
        return CASES;
    }

    private static MultiHeadAttention mha() { return new MultiHeadAttention(2, 3); }

    private static void settings() {
        bad("num_heads zero", () -> new MultiHeadAttention(0, 3), "numHeads", "positive integer", "got 0");
        bad("key_dim negative", () -> new MultiHeadAttention(2, -1), "keyDim", "positive integer", "got -1");
        bad("value_dim negative", () -> mha().valueDim(-2), "valueDim", "positive integer", "got -2");
        bad("output_shape negative", () -> mha().outputShape(-1), "outputShape", "positive integer", "got -1");
        bad("dropout one", () -> mha().dropout(1.0), "dropout", "[0, 1)", "1.0");
        bad("dropout NaN", () -> mha().dropout(Double.NaN), "dropout", "NaN");
        bad("attention_axes other", () -> mha().attentionAxes(2), "attentionAxes", "none, 1 or -2", "[2]");
        bad("attention_axes two", () -> mha().attentionAxes(1, 2), "attentionAxes", "[1, 2]");
        bad("kernel initializer unknown", () -> mha().kernelInitializer("he_normal"), "kernelInitializer", "glorot_uniform, zeros",
                "\"he_normal\"");
        bad("bias initializer null", () -> mha().biasInitializer(null), "biasInitializer", "zeros, ones", "got null");
    }

    private static void calls() {
        bad("one input", () -> mha().apply(Input.shape(3, 4)), "2 or 3 inputs", "[query, value]", "got 1");
        bad("four inputs", () -> mha().apply(Input.shape(3, 4), Input.shape(3, 4), Input.shape(3, 4), Input.shape(3, 4)),
                "2 or 3 inputs", "got 4");
        bad("mask input missing", () -> mha().attentionMaskInput(true).apply(Input.shape(3, 4), Input.shape(5, 4)),
                "3 or 4 inputs", "attention_mask", "got 2");
        bad("value and key steps differ", () -> mha().apply(Input.shape(3, 4), Input.shape(5, 2), Input.shape(6, 4)),
                "same steps", "value (None, 5, 2)", "key (None, 6, 4)");
        bad("query without steps", () -> mha().apply(Input.shape(4), Input.shape(5, 4)), "query", "(batch, steps, dim)", "(None, 4)");
        bad("attention mask shape", () -> mha().attentionMaskInput(true).apply(Input.shape(3, 4), Input.shape(5, 4), Input.shape(3, 4)),
                "attention_mask", "(batch, Tq, Tv) = (None, 3, 5)", "(None, 3, 4)");
        bad("attention mask of other heads", () -> mha().attentionMaskInput(true).apply(Input.shape(3, 4), Input.shape(5, 4),
                Input.shape(7, 3, 5)), "attention_mask", "(batch, Tq, Tv) = (None, 3, 5) or broadcast to it", "(None, 7, 3, 5)");
        bad("direct call on one tensor", () -> mha().call(Tensor.zeros(2, 3, 4)), "2 or 3 inputs", "got 1");
        bad("batch sizes differ", () -> mha().callAll(List.of(Tensor.zeros(2, 3, 4), Tensor.zeros(3, 5, 4))),
                "one batch size", "(2, 3, 4)", "(3, 5, 4)");
        bad("direct attention mask shape", () -> mha().attentionMaskInput(true).callAll(List.of(Tensor.zeros(2, 3, 4),
                Tensor.zeros(2, 5, 4), Tensor.zeros(2, 5, 3))), "attention_mask", "(None, 3, 5)", "got (None, 5, 3)");
        bad("query mask shape", () -> callMasked(Tensor.zeros(2, 4), null), "query mask", "(2, 3)", "(2, 4)");
        bad("value mask shape", () -> callMasked(null, Tensor.zeros(2, 3)), "value mask", "(2, 5)", "(2, 3)");
        bad("a mask per input", () -> {
            MultiHeadAttention a = mha();
            a.build(List.of(new int[] {3, 4}, new int[] {5, 4}));
            Backend be = a.backend();
            try (DTensor q = DTensor.zeros(be, 2, 3, 4); DTensor v = DTensor.zeros(be, 2, 5, 4)) {
                a.forwardMasked(List.of(q, v), Arrays.asList(null, null, null), false).close();
            }
        }, "one mask (or null) per input", "2 in all", "got 3");
        bad("other dims after the build", () -> {
            MultiHeadAttention a = mha();
            a.callAll(List.of(Tensor.zeros(1, 3, 4), Tensor.zeros(1, 5, 4)));
            a.callAll(List.of(Tensor.zeros(1, 3, 4), Tensor.zeros(1, 5, 6)));
        }, "(the shape it was built for)", "(None, 5, 6)");
    }

    private static void callMasked(Tensor qMask, Tensor vMask) { AttentionBadInputTest.callMasked(mha(), qMask, vMask); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(Case c) {
        RefusalCases.assertRefused(c);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinct(cases().stream().map(Case::name).toList());
    }

    /** Settings that decide weights or outputs are refused once fixed; a refused call builds nothing; steps may change. */
    @Test
    void lateSettingsAreRefusedAndARefusedCallBuildsNothing() {
        MultiHeadAttention a = mha();
        a.apply(Input.shape(3, 4), Input.shape(5, 4));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.returnAttentionScores(true));
        assertTrue(e.getMessage().contains("returnAttentionScores") && e.getMessage().contains("after the layer has been applied"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> a.attentionMaskInput(true));
        for (Runnable late : List.<Runnable>of(() -> a.valueDim(4), () -> a.outputShape(2), () -> a.useBias(false),
                () -> a.kernelInitializer("zeros"))) {
            e = assertThrows(IllegalStateException.class, late::run);
            assertTrue(e.getMessage().contains("must be set before the layer is built"), e.getMessage());
        }
        MultiHeadAttention m = mha();
        assertThrows(IllegalArgumentException.class, () -> m.apply(Input.shape(3, 4), Input.shape(5, 2), Input.shape(6, 4)));
        assertFalse(m.isBuilt());
        assertEquals(0, m.calls().size());
        Backend be = Jrnn.backend();
        try (DTensor q = DTensor.zeros(be, 2, 3, 4); DTensor v = DTensor.zeros(be, 2, 5, 4); DTensor badMask = DTensor.zeros(be, 2, 4)) {
            assertThrows(IllegalArgumentException.class, () -> m.forwardMasked(List.of(q, v), Arrays.asList(badMask, null), false));
        }
        assertFalse(m.isBuilt());
        // built: other steps fit (Keras' built layer takes them), the weights stay
        List<Tensor> out = m.callAll(List.of(Tensor.zeros(1, 3, 4), Tensor.zeros(1, 5, 4)));
        assertArrayEquals(new int[] {1, 3, 4}, out.get(0).shape());
        assertArrayEquals(new int[] {2, 7, 4}, m.callAll(List.of(Tensor.zeros(2, 7, 4), Tensor.zeros(2, 2, 4))).get(0).shape());
    }

    /** Scores over more than 2^31 - 9 values are refused naming the sizes (the counts are ints), building nothing. */
    @Test
    void scoresTooLargeForOneCallAreRefused() {
        Backend be = Jrnn.backend();
        MultiHeadAttention a = new MultiHeadAttention(16, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (DTensor q = DTensor.zeros(be, 1024, 512, 1); DTensor v = DTensor.zeros(be, 1024, 512, 1)) {
                a.forwardMasked(List.of(q, v), null, false);
            }
        });
        assertTrue(e.getMessage().contains("batch 1024, 16 heads, 512 query and 512 value steps hold 4294967296 values, more than one"
                + " call takes (2^31 - 9): split the batch"), e.getMessage());
        assertFalse(a.isBuilt());
    }

    /** Keras applies the layer's activity_regularizer to its projections: saving one is refused, leaving no file. */
    @Test
    void anActivityRegularizerIsNotSaved(@TempDir Path dir) {
        Input q = Input.shape(3, 4);
        MultiHeadAttention a = mha();
        a.weightRules().activity(Regularizers.l2(0.1));
        try (Model m = new Model(q, a.apply(q, q))) {
            Path f = dir.resolve("mha.keras");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.save(f));
            assertTrue(e.getMessage().contains("activity") && e.getMessage().contains("expected none"), e.getMessage());
            assertFalse(Files.exists(f));
        }
    }

    /**
     * One MultiHeadAttention layer called twice with other call arguments (Keras 3.15.1's files, make_shared_calls.py): the
     * message said "call arguments [use_causal_mask, return_attention_scores] and attention_mask differ" where only one
     * differed, naming the layer by index; now the layer and only what differs, with its value in each call.
     */
    @Test
    void aSharedLayerCalledWithOtherArgumentsNamesTheLayerAndWhatDiffers() throws java.net.URISyntaxException {
        String way = "; jrnn keeps call arguments per layer, where Keras keeps them per call: use one layer per set of call arguments"
                + " (each with its own weights)";
        AttentionBadInputTest.assertKerasFileRefused("shared_mha_flags", "model_config.layers[2]: layer 'my_mha' (MultiHeadAttention):"
                + " use_causal_mask is True in call 0 and False in call 1" + way);
        AttentionBadInputTest.assertKerasFileRefused("shared_mha_mask", "model_config.layers[3]: layer 'my_mha2' (MultiHeadAttention):"
                + " use_causal_mask is False in call 0 and True in call 1, attention_mask is given in call 0 and not given in call 1" + way);
    }

    /**
     * Keras' weights of a MultiHeadAttention(2, 3) (make_mha_heads.py; its shapes as h5py lists them) into the same model
     * with 3 heads: each projection's arrays were all "weight kernel" / "weight bias", four times the same words; now
     * each names its projection as Keras does (query, key, value, attention_output), and the model is unchanged.
     */
    @Test
    void loadingWeightsOfOtherHeadsNamesEachProjection() throws Exception {
        Path f = Path.of(MultiHeadAttentionBadInputTest.class.getResource("/dev/jrnn/io/keras/keras3_real/mha_heads2.weights.h5").toURI());
        Input in = Input.shape(6);
        var e = new dev.jrnn.layers.Embedding(9, 4).maskZero(true).name("embedding").apply(in);
        var a = new MultiHeadAttention(3, 3).name("multi_head_attention").apply(e, e);
        try (Model m = new Model(in, new dev.jrnn.layers.Dense(1).name("dense").apply(
                new dev.jrnn.layers.GlobalAveragePooling1D().name("global_average_pooling1d").apply(a)))) {
            List<Tensor> before = m.getWeights();
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(f));
            String l = "layer 'multi_head_attention' weight ";
            assertEquals(m.name() + ".loadWeights(" + f + "): the file does not match the model: " + l + "query/kernel expected shape (4, 3, 3), the file has (4, 2, 3); " + l + "query/bias expected shape"
                    + " (3, 3), the file has (2, 3); " + l + "key/kernel expected shape (4, 3, 3), the file has (4, 2, 3); " + l + "key/bias"
                    + " expected shape (3, 3), the file has (2, 3); " + l + "value/kernel expected shape (4, 3, 3), the file has (4, 2, 3); "
                    + l + "value/bias expected shape (3, 3), the file has (2, 3); " + l + "attention_output/kernel expected shape (3, 3, 4),"
                    + " the file has (2, 3, 4); build the same architecture as the Keras model that saved it", x.getMessage());
            assertEquals(before, m.getWeights());
            // setWeights names the projection too (it said "weight 2 (kernel)")
            List<Tensor> ws = new ArrayList<>(before.subList(1, 9));
            ws.set(2, Tensor.zeros(4, 2, 3));
            IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> m.getLayer("multi_head_attention").setWeights(ws));
            assertEquals("multi_head_attention: weight 2 (key/kernel) expected shape (4, 3, 3), got (4, 2, 3)", s.getMessage());
        }
    }
}
