package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a model's store follows the layers' trainable flags, and how the optimizer's per-weight state follows the store. */
class ParametersTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(11);
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-1, 1);
        return t;
    }

    private static final FitOptions ONE_EPOCH = new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0);

    /** The optimizer's state of each trainable weight, by weight (its slice of the flat state at the weight's offset). */
    private static Map<Param, Map<String, float[]>> stateByWeight(Model m) {
        Map<Param, Map<String, float[]>> r = new IdentityHashMap<>();
        Map<String, float[]> flat = m.optimizer().state();
        for (Param p : m.parameters().trainable) {
            Map<String, float[]> slots = new java.util.LinkedHashMap<>();
            for (var e : flat.entrySet()) {
                int at = Math.toIntExact(p.offset());
                slots.put(e.getKey(), java.util.Arrays.copyOfRange(e.getValue(), at, at + Math.toIntExact(p.size())));
            }
            r.put(p, slots);
        }
        return r;
    }

    private static List<float[]> values(Layer l) {
        List<float[]> r = new ArrayList<>();
        for (Param p : l.params()) r.add(p.get().data().clone());
        return r;
    }

    private static void assertSameValues(List<float[]> a, List<float[]> b, String what) {
        assertEquals(a.size(), b.size(), what);
        for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k), b.get(k), what + ", weight " + k);
    }

    @Test
    void aLayerFrozenAfterTrainingStaysStillWithoutACompile() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = random(r, 8, 5, 2), y = random(r, 8, 1);
        Sequential m = new Sequential(new LSTM(3).inputShape(5, 2), new Dense(1));
        m.compile(new Adam(0.05), "mse");
        m.fit(x, y, ONE_EPOCH);   // Adam's moments of the LSTM are not zero now: they would move it on
        Layer lstm = m.layers().get(0);
        List<float[]> before = values(lstm), denseBefore = values(m.layers().get(1));
        lstm.trainable(false);
        m.fit(x, y, ONE_EPOCH);
        assertSameValues(before, values(lstm), "the frozen LSTM");
        assertNotEquals(denseBefore.get(0)[0], values(m.layers().get(1)).get(0)[0], "the Dense trains on");
        assertEquals(m.layers().get(1).params().size(), m.parameters().trainable.size(), "only the Dense's weights train");
    }

    /** An LSTM and a Dense trained one epoch with {@code opt} on data drawn from {@code seed}. */
    private record Trained(Sequential m, Tensor x, Tensor y) {
        static Trained withAdam(int seed, Optimizer opt) {
            SplittableRandom r = new SplittableRandom(seed);
            Tensor x = random(r, 8, 5, 2), y = random(r, 8, 1);
            Sequential m = new Sequential(new LSTM(3).inputShape(5, 2), new Dense(1));
            m.compile(opt, "mse");
            m.fit(x, y, ONE_EPOCH);
            return new Trained(m, x, y);
        }
    }

    @Test
    void theOptimizerKeepsTheStateOfTheWeightsThatStillTrain() {
        Optimizer adam = new Adam(0.05);
        Trained t = Trained.withAdam(4, adam);
        Sequential m = t.m();
        Tensor x = t.x(), y = t.y();
        Map<Param, Map<String, float[]>> before = stateByWeight(m);
        m.layers().get(0).trainable(false);
        m.compile(adam, "mse");   // Keras: the same optimizer keeps a slot per variable
        Map<Param, Map<String, float[]>> after = stateByWeight(m);
        assertEquals(2, after.size(), "the Dense's kernel and bias train");
        for (Param p : after.keySet()) {
            assertTrue(before.containsKey(p), p.name());
            for (String slot : List.of("m", "v")) {
                assertArrayEquals(before.get(p).get(slot), after.get(p).get(slot), p.name() + " " + slot);
                assertNotEquals(0f, after.get(p).get(slot)[0], p.name() + " " + slot + " is not zero");
            }
        }
        assertEquals(2, adam.iterations(), "the step count carries on");
        m.fit(x, y, ONE_EPOCH);   // the Dense's moments move on, the frozen LSTM's wait
        Map<Param, Map<String, float[]>> denseOn = stateByWeight(m);
        m.layers().get(0).trainable(true);
        m.compile(adam, "mse");
        Map<Param, Map<String, float[]>> again = stateByWeight(m);
        for (Param p : m.layers().get(0).params()) {
            for (String slot : List.of("m", "v")) {
                assertArrayEquals(before.get(p).get(slot), again.get(p).get(slot), p.name() + " " + slot + ": trains again from its own moments");
            }
        }
        for (Param p : m.layers().get(1).params()) assertArrayEquals(denseOn.get(p).get("v"), again.get(p).get("v"), p.name());
    }

    /** Frozen whole for a while (a fit in between trains nothing), every weight takes its own moments back when unfrozen. */
    @Test
    void theMomentsOfAModelFrozenWholeComeBackWhenItTrainsAgain() {
        Optimizer adam = new Adam(0.05);
        Trained t = Trained.withAdam(8, adam);
        Sequential m = t.m();
        Map<Param, Map<String, float[]>> before = stateByWeight(m);
        for (Layer l : m.layers()) l.trainable(false);
        m.fit(t.x(), t.y(), ONE_EPOCH);
        assertEquals(0, m.parameters().trainable.size(), "nothing trains");
        m.layers().get(1).trainable(true);   // the Dense first, in another layout than before the freeze
        m.compile(adam, "mse");
        Map<Param, Map<String, float[]>> again = stateByWeight(m);
        m.layers().get(0).trainable(true);
        m.compile(adam, "mse");
        again.putAll(stateByWeight(m));
        assertEquals(before.keySet(), again.keySet());
        for (Param p : before.keySet()) {
            for (String slot : List.of("m", "v")) {
                assertNotEquals(0f, before.get(p).get(slot)[0], p.name() + " " + slot + " is not zero");
                assertArrayEquals(before.get(p).get(slot), again.get(p).get(slot), p.name() + " " + slot + ": trains again from its own moments");
            }
        }
        assertEquals(2, adam.iterations(), "the step count carries on");
    }

    @Test
    void aWeightNewToTheOptimizerStartsFromItsInitialState() {
        SplittableRandom r = new SplittableRandom(7);
        Tensor x = random(r, 8, 5, 2), y = random(r, 8, 1);
        Sequential m = new Sequential(new LSTM(3).inputShape(5, 2), new Dense(1));
        m.layers().get(0).trainable(false);
        Optimizer adagrad = new dev.jrnn.optim.Adagrad(0.1);
        m.compile(adagrad, "mse");
        m.fit(x, y, ONE_EPOCH);
        Map<Param, Map<String, float[]>> before = stateByWeight(m);
        m.layers().get(0).trainable(true);
        m.compile(adagrad, "mse");
        Map<Param, Map<String, float[]>> after = stateByWeight(m);
        for (Param p : m.layers().get(0).params()) {
            for (float v : after.get(p).get("accumulator")) assertEquals(0.1f, v, p.name() + ": Keras' initial_accumulator_value");
        }
        for (Param p : m.layers().get(1).params()) assertArrayEquals(before.get(p).get("accumulator"), after.get(p).get("accumulator"), p.name());
    }

    /**
     * use_ema's average of a weight new to the optimizer starts at the weight itself (an average from 0 would pull it to 0,
     * and fit's end would write that); the weights that trained keep theirs.
     */
    @Test
    void aWeightNewToAnEmaOptimizerStartsItsAverageAtItsValue() {
        SplittableRandom r = new SplittableRandom(8);
        Tensor x = random(r, 8, 5, 2), y = random(r, 8, 1);
        Sequential m = new Sequential(new LSTM(3).inputShape(5, 2), new Dense(1));
        m.layers().get(0).trainable(false);
        Optimizer sgd = new dev.jrnn.optim.SGD(0.1).useEma(true);
        m.compile(sgd, "mse");
        m.fit(x, y, ONE_EPOCH);
        Map<Param, Map<String, float[]>> before = stateByWeight(m);
        m.layers().get(0).trainable(true);
        m.compile(sgd, "mse");
        Map<Param, Map<String, float[]>> after = stateByWeight(m);
        for (Param p : m.layers().get(0).params()) assertArrayEquals(p.get().toArray(), after.get(p).get("average"), p.name());
        for (Param p : m.layers().get(1).params()) assertArrayEquals(before.get(p).get("average"), after.get(p).get("average"), p.name());
    }

    /** Unfreezing in a callback after batch 0 trains as two trainOnBatch calls around the same unfreeze. */
    @Test
    void anUnfreezeInACallbackEqualsTheSameStepsByHand() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor x = random(r, 8, 5, 2), y = random(r, 8, 1);
        Tensor x0 = x.slice(0, 4), y0 = y.slice(0, 4), x1 = x.slice(4, 8), y1 = y.slice(4, 8);
        java.util.function.Supplier<Sequential> make = () -> {
            Jrnn.setSeed(21);
            Sequential m = new Sequential(new LSTM(3).inputShape(5, 2), new Dense(1));
            m.layers().get(0).trainable(false);
            m.compile(new Adam(0.05), "mse");
            return m;
        };
        Sequential byFit = make.get(), byHand = make.get();
        Layer lstm = byFit.layers().get(0);
        byFit.fit(x, y, new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0).callbacks(new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                if (batch == 0) lstm.trainable(true);
            }
        }));
        byHand.trainOnBatch(x0, y0);
        byHand.layers().get(0).trainable(true);
        byHand.trainOnBatch(x1, y1);
        List<Tensor> a = byFit.getWeights(), b = byHand.getWeights();
        for (int k = 0; k < a.size(); k++) assertArrayEquals(b.get(k).data(), a.get(k).data(), "weight " + k);
    }

    @Test
    void aCallbackThatUnfreezesALayerTrainsItFromTheNextBatch() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = random(r, 8, 5, 2), y = random(r, 8, 1);
        Sequential m = new Sequential(new LSTM(3).inputShape(5, 2), new Dense(1));
        Layer lstm = m.layers().get(0);
        lstm.trainable(false);
        m.compile(new SGD(0.1).momentum(0.9), "mse");
        List<float[]> start = values(lstm);
        List<List<float[]>> atBatchEnd = new ArrayList<>();
        Callback unfreeze = new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                atBatchEnd.add(values(lstm));
                if (batch == 0) lstm.trainable(true);
            }
        };
        m.fit(x, y, new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0).callbacks(unfreeze));
        assertSameValues(start, atBatchEnd.get(0), "frozen in batch 0");
        assertFalse(java.util.Arrays.equals(start.get(0), atBatchEnd.get(1).get(0)), "the LSTM's kernel moved in batch 1");
        assertEquals(5, m.parameters().trainable.size(), "all weights train");
    }

    @Test
    void popThenAddKeepsTheMomentsOfTheLayersThatStay() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor x = random(r, 8, 5, 2), y = random(r, 8, 1);
        Sequential m = new Sequential(new LSTM(3).inputShape(5, 2), new Dense(1));
        m.compile(new Adam(0.05), "mse");
        m.fit(x, y, ONE_EPOCH);
        Map<Param, Map<String, float[]>> before = stateByWeight(m);
        m.pop();
        m.add(new Dense(1).name("head"));
        m.ensureGraph();
        Map<Param, Map<String, float[]>> after = stateByWeight(m);
        for (Param p : m.layers().get(0).params()) {
            assertArrayEquals(before.get(p).get("m"), after.get(p).get("m"), p.name() + " m");
            assertArrayEquals(before.get(p).get("v"), after.get(p).get("v"), p.name() + " v");
        }
        for (Param p : m.layers().get(1).params()) for (float v : after.get(p).get("v")) assertEquals(0f, v, "the new head starts at zero");
        m.fit(x, y, ONE_EPOCH);   // and trains on
        assertEquals(4, m.optimizer().iterations());
    }
}
