package dev.jrnn.edges;

import dev.jrnn.edges.RefusalCases.Action;
import dev.jrnn.edges.RefusalCases.Case;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.AdditiveAttention;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.Input;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
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
 * Bad input at Attention's and AdditiveAttention's entry points (settings, functional calls, direct calls, masks): each
 * throws IllegalArgumentException naming the parameter, what it expects and what came (the listed words), and a
 * refused call leaves the layer unbuilt.
 */
class AttentionBadInputTest {
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

    private static void settings() {
        bad("score_mode other", () -> new Attention().scoreMode("general"), "score_mode", "\"dot\", \"concat\"", "\"general\"");
        bad("score_mode null", () -> new Attention().scoreMode(null), "score_mode", "got null");
        bad("dropout negative", () -> new Attention().dropout(-0.1), "dropout", "[0, 1)", "-0.1");
        bad("dropout one", () -> new AdditiveAttention().dropout(1.0), "dropout", "[0, 1)", "1.0");
        bad("dropout NaN", () -> new Attention().dropout(Double.NaN), "dropout", "NaN");
    }

    private static void calls() {
        bad("one input", () -> new Attention().apply(Input.shape(3, 4)), "2 or 3 inputs", "[query, value]", "got 1");
        bad("four inputs", () -> new AdditiveAttention().apply(Input.shape(3, 4), Input.shape(3, 4), Input.shape(3, 4), Input.shape(3, 4)),
                "2 or 3 inputs", "got 4");
        bad("dot dims differ", () -> new Attention().apply(Input.shape(3, 4), Input.shape(5, 3)), "last dimension",
                "query (None, 3, 4)", "value (the key) (None, 5, 3)");
        bad("additive key dims differ", () -> new AdditiveAttention().apply(Input.shape(3, 4), Input.shape(5, 2), Input.shape(5, 3)),
                "last dimension", "key (None, 5, 3)");
        bad("value and key steps differ", () -> new Attention().apply(Input.shape(3, 4), Input.shape(5, 2), Input.shape(6, 4)),
                "same steps", "value (None, 5, 2)", "key (None, 6, 4)");
        bad("query without steps", () -> new Attention().apply(Input.shape(4), Input.shape(5, 4)), "query", "(batch, steps, dim)",
                "(None, 4)");
        bad("direct call on one tensor", () -> new Attention().call(Tensor.zeros(2, 3, 4)), "2 or 3 inputs", "got 1");
        bad("batch sizes differ", () -> new Attention().callAll(List.of(Tensor.zeros(2, 3, 4), Tensor.zeros(3, 5, 4))),
                "one batch size", "(2, 3, 4)", "(3, 5, 4)");
        bad("query mask shape", () -> callMasked(Tensor.zeros(2, 4), null), "query mask", "(2, 3)", "(2, 4)");
        bad("value mask shape", () -> callMasked(null, Tensor.zeros(2, 3)), "value mask", "(2, 5)", "(2, 3)");
        bad("a mask per input", () -> {
            Attention a = new Attention();
            a.build(List.of(new int[] {3, 4}, new int[] {5, 4}));
            Backend be = a.backend();
            try (DTensor q = DTensor.zeros(be, 2, 3, 4); DTensor v = DTensor.zeros(be, 2, 5, 4)) {
                a.forwardMasked(List.of(q, v), Arrays.asList(null, null, null), false).close();
            }
        }, "one mask (or null) per input", "2 in all", "got 3");
    }

    private static void callMasked(Tensor qMask, Tensor vMask) { callMasked(new Attention(), qMask, vMask); }

    /** Calls attention layer {@code a} on a (2, 3, 4) query and a (2, 5, 4) value with these masks (each may be null). */
    static void callMasked(dev.jrnn.layers.Layer a, Tensor qMask, Tensor vMask) {
        a.build(List.of(new int[] {3, 4}, new int[] {5, 4}));
        Backend be = a.backend();
        try (DTensor q = DTensor.zeros(be, 2, 3, 4); DTensor v = DTensor.zeros(be, 2, 5, 4);
             DTensor qm = qMask == null ? null : DTensor.from(be, qMask); DTensor vm = vMask == null ? null : DTensor.from(be, vMask);
             Trace t = a.forwardMasked(List.of(q, v), Arrays.asList(qm, vm), false)) {
            t.outputs();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(Case c) {
        RefusalCases.assertRefused(c);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinct(cases().stream().map(Case::name).toList());
    }

    /** Settings that decide weights or outputs are refused once they are fixed, and a refused call leaves the layer unbuilt. */
    @Test
    void lateSettingsAreRefusedAndARefusedCallBuildsNothing() {
        Attention a = new Attention();
        a.apply(Input.shape(3, 4), Input.shape(5, 4));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.returnAttentionScores(true));
        assertTrue(e.getMessage().contains("returnAttentionScores") && e.getMessage().contains("after the layer has been applied"),
                e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> a.useScale(true));
        assertTrue(e.getMessage().contains("useScale must be set before the layer is built"), e.getMessage());
        AdditiveAttention built = new AdditiveAttention();
        built.build(List.of(new int[] {3, 4}, new int[] {5, 4}));
        assertThrows(IllegalStateException.class, () -> built.useScale(false));
        AdditiveAttention add = new AdditiveAttention();
        assertThrows(IllegalArgumentException.class, () -> add.apply(Input.shape(3, 4), Input.shape(5, 3)));
        assertFalse(add.isBuilt());
        assertEquals(0, add.calls().size());
        add.apply(Input.shape(3, 4), Input.shape(5, 4));   // still usable, built for the good shapes
        assertArrayEquals(new int[] {4}, add.params().get(0).shape());
        // a direct call refused for its mask on an unbuilt layer builds nothing either
        AdditiveAttention direct = new AdditiveAttention();
        Backend be = dev.jrnn.Jrnn.backend();
        try (DTensor q = DTensor.zeros(be, 2, 3, 4); DTensor v = DTensor.zeros(be, 2, 5, 4); DTensor bad = DTensor.zeros(be, 2, 4)) {
            IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                    () -> direct.forwardMasked(List.of(q, v), Arrays.asList(bad, null), false));
            assertTrue(m.getMessage().contains("query mask must be (batch, steps) = (2, 3)"), m.getMessage());
        }
        assertFalse(direct.isBuilt());
    }

    /** Concat or additive scores over more than 2^31 - 9 pair values are refused naming the sizes (the counts are ints). */
    @Test
    void scoresTooLargeForOneCallAreRefused() {
        Backend be = dev.jrnn.Jrnn.backend();
        AdditiveAttention a = new AdditiveAttention();
        // shapes only: the tensors below are tiny stand-ins whose dims say (1024, 512, 512, 16): 2^32 pair values
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (DTensor q = DTensor.zeros(be, 1024, 512, 16); DTensor v = DTensor.zeros(be, 1024, 512, 16)) {
                a.forwardMasked(List.of(q, v), null, false);
            }
        });
        assertTrue(e.getMessage().contains("hold 4294967296 values, more than one call takes (2^31 - 9): split the batch"), e.getMessage());
        assertFalse(a.isBuilt());
    }

    /**
     * {@code keras3_real/<name>.keras} (Keras 3.15.1's own file, make_shared_calls.py) refused by Models.load with exactly
     * {@code message} after the file's path.
     */
    static void assertKerasFileRefused(String name, String message) throws URISyntaxException {
        Path f = Path.of(AttentionBadInputTest.class.getResource("/dev/jrnn/io/keras/keras3_real/" + name + ".keras").toURI());
        IOException e = assertThrows(IOException.class, () -> Models.load(f));
        assertEquals(f + ": " + message, e.getMessage());
    }

    /**
     * One Attention layer called twice with other call arguments (Keras keeps them per call, jrnn per layer): the message
     * named the layer by index only and listed both flags whether they differed or not ("call arguments [use_causal_mask,
     * return_attention_scores] differ between the calls of one layer"); now the layer and only what differs, per call.
     */
    @Test
    void aSharedLayerCalledWithOtherArgumentsNamesTheLayerAndWhatDiffers() throws URISyntaxException {
        String way = "; jrnn keeps call arguments per layer, where Keras keeps them per call: use one layer per set of call arguments"
                + " (each with its own weights)";
        assertKerasFileRefused("shared_att_flags", "model_config.layers[2]: layer 'my_att' (Attention): use_causal_mask is True in call 0"
                + " and False in call 1" + way);
        assertKerasFileRefused("shared_att_scores", "model_config.layers[2]: layer 'my_att2' (Attention): return_attention_scores is True"
                + " in call 0 and False in call 1" + way);
    }
}
