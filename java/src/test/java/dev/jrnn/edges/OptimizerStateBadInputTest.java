package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.edges.RefusalCases.Action;
import dev.jrnn.edges.RefusalCases.Case;
import dev.jrnn.io.keras.KerasOptimizerState;
import dev.jrnn.io.keras.KerasOptimizerState.Layout;
import dev.jrnn.io.keras.KerasOptimizerState.Saved;
import dev.jrnn.io.keras.KerasOptimizerState.Var;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Param;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.Nadam;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at {@link KerasOptimizerState#read} (what Models.load reads Keras' optimizer variables through): each refusal
 * is an IllegalArgumentException naming what differs (count, shape, slot, count value, version), and nothing changes:
 * the optimizer the state was read for keeps its count and state.
 */
class OptimizerStateBadInputTest {
    private static final List<Case> CASES = new ArrayList<>();
    private static Sequential model;
    private static List<Param> trainable;
    private static final Adam ADAM = new Adam(0.01);

    private static void bad(String name, Action action, String... words) {
        CASES.add(new Case(name, action, List.of(words)));
    }

    @BeforeAll
    static void build() {
        Jrnn.setBackend("cpu");
        model = new Sequential(new Dense(2).inputShape(3));
        model.compile(ADAM, "mse");
        model.getWeights();   // built: its kernel (3, 2) and bias (2) are the trainable weights
        trainable = model.layers().get(model.layers().size() - 1).params();
    }

    @AfterAll
    static void close() { model.close(); }

    private static Var scalar(String name, float v) { return new Var(name, Tensor.of(new float[] {v}), true); }

    private static Var array(String name, float v, int... shape) { return new Var(name, Tensor.full(v, shape), false); }

    /** Adam's six Keras 3 variables over the Dense (iteration, learning_rate, m/v of the kernel, m/v of the bias). */
    private static List<Var> adamVars() {
        return new ArrayList<>(List.of(scalar("iteration", 4), scalar("learning_rate", 0.01f), array("m0", 1, 3, 2), array("v0", 1, 3, 2),
                array("m1", 1, 2), array("v1", 1, 2)));
    }

    private static Saved keras3(List<Var> vars) { return new Saved(Layout.KERAS3, "3.11.3", vars); }

    private static void read(Optimizer opt, Saved saved) { KerasOptimizerState.read(opt, trainable, saved); }

    static List<Case> cases() {
        if (CASES.isEmpty()) {
            bad("null optimizer", () -> KerasOptimizerState.read(null, trainable, keras3(adamVars())), "optimizer, trainable or saved is null");
            bad("null saved", () -> KerasOptimizerState.read(ADAM, trainable, null), "optimizer, trainable or saved is null");
            bad("keras3VarWeights of a null optimizer", () -> KerasOptimizerState.keras3VarWeights(null, 2),
                    "keras3VarWeights", "optimizer should not be null", "got null and 2");
            bad("keras3VarWeights over -1 weights", () -> KerasOptimizerState.keras3VarWeights(ADAM, -1),
                    "keras3VarWeights", "trainable >= 0", "got Adam and -1");
            bad("another optimizer class", () -> read(new SGD(0.1).momentum(0.9), keras3(adamVars())),
                    "holds 6 variables", "SGD (momentum) over 2 trainable weights has 4", "iteration, learning_rate, momentum per weight");
            bad("amsgrad's extra slot missing", () -> read(new Adam(0.01).amsgrad(true), keras3(adamVars())),
                    "holds 6 variables", "Adam (amsgrad) over 2 trainable weights has 8", "velocity_hat per weight");
            bad("a variable short", () -> {
                List<Var> v = adamVars();
                v.remove(5);
                read(ADAM, keras3(v));
            }, "holds 5 variables", "Adam over 2 trainable weights has 6");
            bad("a slot of another shape", () -> {
                List<Var> v = adamVars();
                v.set(3, array("v0", 1, 2, 3));
                read(ADAM, keras3(v));
            }, "optimizer v v0 has shape [2, 3]", "trainable weight 0 ('kernel') has [3, 2]");
            bad("iteration not a scalar", () -> {
                List<Var> v = adamVars();
                v.set(0, array("iteration", 1, 2));
                read(ADAM, keras3(v));
            }, "iteration should be the scalar iteration", "[2]");
            bad("negative iteration", () -> {
                List<Var> v = adamVars();
                v.set(0, scalar("iteration", -3));
                read(ADAM, keras3(v));
            }, "iteration: the update count should be a whole number", "-3");
            bad("fractional iteration", () -> {
                List<Var> v = adamVars();
                v.set(0, scalar("iteration", 2.5f));
                read(ADAM, keras3(v));
            }, "whole number", "2.5");
            bad("NaN learning rate", () -> {
                List<Var> v = adamVars();
                v.set(1, scalar("learning_rate", Float.NaN));
                read(ADAM, keras3(v));
            }, "learning_rate: the learning rate should be finite and >= 0", "NaN");
            bad("order unknown without keras_version", () -> {
                List<Var> v = adamVars();
                v.add(scalar("u_product", 0.5f));
                read(new Nadam(0.01), new Saved(Layout.KERAS3, null, v));
            }, "no keras_version", "Keras 3.10 changed the order of Nadam's variables");
            bad("legacy slot of another optimizer", () -> read(ADAM, new Saved(Layout.LEGACY_H5, "2.13.1", List.of(
                    array("m/dense/kernel:0", 1, 3, 2), array("v/dense/kernel:0", 1, 3, 2), array("m/dense/bias:0", 1, 2),
                    array("rms/dense/bias:0", 1, 2)))), "optimizer weight 'rms/dense/bias:0' is none of Adam's slots [m, v, vhat]");
            bad("legacy slot for one weight of two", () -> read(ADAM, new Saved(Layout.LEGACY_H5, "2.13.1", List.of(
                    array("m/dense/kernel:0", 1, 3, 2), array("v/dense/kernel:0", 1, 3, 2), array("v/dense/bias:0", 1, 2)))),
                    "holds 1 'm' arrays, the model has 2 trainable weights");
            bad("legacy unnamed arrays of another count", () -> read(ADAM, new Saved(Layout.LEGACY_H5, "2.0.6", List.of(
                    array("Variable:0", 1, 3, 2), array("Variable_1:0", 1, 2), array("Variable_2:0", 1, 3, 2)))),
                    "holds 3 unnamed arrays", "Adam over 2 trainable weights keeps 4 ([m, v] each)");
        }
        return CASES;
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

    /** A refused read changes nothing: the compiled optimizer keeps its count and (no) state, the model its weights. */
    @Test
    void aRefusedReadLeavesTheOptimizerAndModel() {
        List<Tensor> before = model.getWeights();
        long it = ADAM.iterations();
        Map<String, float[]> state = ADAM.state();
        for (Case c : cases()) {
            try {
                c.action().run();
            } catch (Exception e) {
                // refused, as rejectedWithAClearMessage checks
            }
        }
        assertEquals(it, ADAM.iterations());
        assertEquals(state.keySet(), ADAM.state().keySet());
        assertEquals(before, model.getWeights());
        assertTrue(KerasOptimizerState.read(ADAM, trainable, keras3(adamVars())).state().containsKey("m"), "the good variables read");
    }
}
