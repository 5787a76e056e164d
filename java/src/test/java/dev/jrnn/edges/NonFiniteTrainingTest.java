package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.BatchLogs;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.NonFiniteException;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NaN and infinities that appear while training: fit stops with a {@link NonFiniteException} naming
 * the epoch and batch and what went non-finite (loss, gradients or weights), and the model keeps the
 * weights of the last finite step, bit for bit.
 */
class NonFiniteTrainingTest {
    @BeforeEach
    void session() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(3);
    }

    /** Records the weights after every applied batch. */
    static final class Recorder implements Callback {
        final List<List<int[]>> after = new ArrayList<>();

        @Override
        public void onBatchEnd(int batch, BatchLogs logs, Model model) {
            logs.loss();   // throws the batch's NonFiniteException before its weights are recorded
            after.add(bits(model.getWeights()));
        }
    }

    static List<int[]> bits(List<Tensor> ws) {
        List<int[]> r = new ArrayList<>();
        for (Tensor t : ws) r.add(Fixture.bits(t));
        return r;
    }

    static void assertWeights(List<int[]> want, Model m) {
        List<Tensor> now = m.getWeights();
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), Fixture.bits(now.get(i)), "weight " + i);
        for (Tensor t : now) assertTrue(t.isFinite());
    }

    static Sequential rnn(int t, int f) {
        return new Sequential(new SimpleRNN(5).inputShape(t, f), new Dense(1));
    }

    @Test
    void divergingTrainingStopsAtTheFailingBatchWithTheLastFiniteWeights() {
        Sequential m = rnn(4, 2);
        m.compile(new SGD(1e12), "mse");
        Tensor x = Tensor.full(0.5f, 16, 4, 2);
        Tensor y = Tensor.full(1e18f, 16, 1);
        List<int[]> initial = bits(m.getWeights());
        Recorder rec = new Recorder();
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> m.fit(x, y, new FitOptions().epochs(50).batchSize(4).verbose(0).shuffle(false).callbacks(rec)));
        int applied = rec.after.size();
        assertEquals(applied / 4, e.epoch(), e.getMessage());
        assertEquals(applied % 4, e.batch(), e.getMessage());
        assertTrue(e.getMessage().contains("at epoch " + (e.epoch() + 1) + "/50, batch " + (e.batch() + 1) + "/4"), e.getMessage());
        assertTrue(e.getMessage().contains("weights kept from the last finite step"), e.getMessage());
        assertTrue(List.of("loss", "gradients", "weights").contains(e.quantity()), e.quantity());
        assertWeights(applied == 0 ? initial : rec.after.get(applied - 1), m);
        assertNotNull(e.history());
        assertEquals(e.epoch(), e.history().history().getOrDefault("loss", List.of()).size(), "completed epochs in the history");
    }

    /**
     * BatchNormalization's moving statistics, updated by the forward pass, are kept from the last finite step too: with
     * checkFinite, and without it (the loss guard still skips a NaN step).
     */
    @ParameterizedTest(name = "checkFinite {0}")
    @ValueSource(booleans = {true, false})
    void movingStatisticsAreKeptFromTheLastFiniteStep(boolean checkFinite) {
        Sequential m = new Sequential(new Dense(4).inputShape(3), new dev.jrnn.layers.BatchNormalization().momentum(0.5),
                new Dense(1));
        m.compile(new SGD(1e12), "mse");
        float[] xs = new float[16 * 3];
        for (int i = 0; i < xs.length; i++) xs[i] = (i * 7 % 11) / 5f - 1;
        Tensor x = Tensor.of(xs, 16, 3), y = Tensor.full(1e18f, 16, 1);
        List<int[]> initial = bits(m.getWeights());
        Recorder rec = new Recorder();
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> m.fit(x, y, new FitOptions().epochs(50).batchSize(4)
                .verbose(0).shuffle(false).checkFinite(checkFinite).callbacks(rec)));
        int applied = rec.after.size();
        if (checkFinite) assertTrue(e.getMessage().contains("weights kept from the last finite step"), e.getMessage());
        assertWeights(applied == 0 ? initial : rec.after.get(applied - 1), m);
    }

    /** Moving statistics that overflow in a step count as the weights' failure: the optimizer ran once and was undone. */
    @Test
    void movingStatisticsThatOverflowAreUndoneAsAnUpdate() {
        Sequential m = new Sequential(new dev.jrnn.layers.BatchNormalization().momentum(0.5).center(false).scale(false).inputShape(2),
                new Dense(1));
        m.compile(new SGD(1e-3), "mse");
        List<int[]> initial = bits(m.getWeights());
        long iterations = m.optimizer().iterations();
        // inputs near the float range: the batch variance overflows, the normalized output (and loss) stays finite
        Tensor x = Tensor.of(new float[] {3e38f, -3e38f, -3e38f, 3e38f}, 2, 2), y = Tensor.zeros(2, 1);
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> m.fit(x, y, new FitOptions().epochs(1).batchSize(2).verbose(0).shuffle(false)));
        assertEquals("weights", e.quantity(), e.getMessage());
        assertWeights(initial, m);
        assertEquals(iterations + 1, m.optimizer().iterations(), "the optimizer ran once; its result was rolled back");
    }

    @Test
    void anUpdateThatOverflowsIsUndone() {
        Sequential m = rnn(3, 1);
        m.compile(new SGD(1e38), "mse");   // finite loss and gradients, the update itself overflows
        List<int[]> initial = bits(m.getWeights());
        long iterations = m.optimizer().iterations();
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> m.fit(Tensor.full(0.5f, 4, 3, 1), Tensor.full(100f, 4, 1), new FitOptions().epochs(3).batchSize(4).verbose(0)));
        assertEquals("weights", e.quantity(), e.getMessage());
        assertEquals(0, e.epoch());
        assertEquals(0, e.batch());
        assertTrue(e.getMessage().contains("the weights became NaN or infinite in the update at epoch 1/3, batch 1/1"), e.getMessage());
        assertWeights(initial, m);
        assertEquals(iterations + 1, m.optimizer().iterations(), "the optimizer ran once; its result was rolled back");
        // the model still works: a sane learning rate trains on from the kept weights
        m.optimizer().learningRate(1e-3f);
        m.fit(Tensor.full(0.5f, 4, 3, 1), Tensor.full(1f, 4, 1), new FitOptions().epochs(2).batchSize(4).verbose(0));
        for (Tensor t : m.getWeights()) assertTrue(t.isFinite());
    }

    @Test
    void infiniteGradientsStopBeforeTheUpdate() {
        Sequential m = new Sequential(new SimpleRNN(1).inputShape(2, 1), new Dense(1));
        m.compile(new SGD(1e-3), "mse");
        // loss (0.76e18)^2 ~ 6e35 is finite; the kernel gradient x * dz ~ 1e4 * 1.6e35 * 8 overflows
        m.setWeights(List.of(Tensor.full(1e-4f, 1, 1), Tensor.zeros(1, 1), Tensor.zeros(1),
                Tensor.full(1e18f, 1, 1), Tensor.zeros(1)));
        List<int[]> before = bits(m.getWeights());
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> m.fit(Tensor.full(1e4f, 4, 2, 1), Tensor.zeros(4, 1), new FitOptions().epochs(1).batchSize(4).verbose(0)));
        assertEquals("gradients", e.quantity(), e.getMessage());
        assertTrue(e.getMessage().contains("the gradients became NaN or infinite at epoch 1/1, batch 1/1"), e.getMessage());
        assertWeights(before, m);
        assertEquals(0, m.optimizer().iterations(), "no update was applied");
    }

    @Test
    void withCheckFiniteOffNanDataStillStopsAtTheLoss() {
        Sequential m = rnn(3, 2);
        m.compile("adam", "mse");
        float[] xs = Fixture.x(12).toArray();
        xs[5 * 6 + 1] = Float.NaN;   // sample 5: second batch of 4
        Tensor x = Tensor.of(xs, 12, 3, 2);
        IllegalArgumentException up = assertThrows(IllegalArgumentException.class,
                () -> m.fit(x, Fixture.y(12), new FitOptions().batchSize(4).verbose(0).shuffle(false)));
        assertTrue(up.getMessage().contains("x holds NaN at (5, 0, 1)"), up.getMessage());
        Recorder rec = new Recorder();
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> m.fit(x, Fixture.y(12),
                new FitOptions().batchSize(4).verbose(0).shuffle(false).checkFinite(false).callbacks(rec)));
        assertEquals("loss", e.quantity());
        assertEquals(0, e.epoch());
        assertEquals(1, e.batch());
        assertEquals(1, rec.after.size());
        assertTrue(e.getMessage().contains("the loss became NaN at epoch 1/1, batch 2/3 (output dense)"), e.getMessage());
        assertWeights(rec.after.get(0), m);
    }

    @Test
    void trainOnBatchNamesItself() {
        Sequential m = rnn(3, 1);
        m.compile(new SGD(1e38), "mse");
        List<int[]> initial = bits(m.getWeights());
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> m.trainOnBatch(Tensor.full(0.5f, 4, 3, 1), Tensor.full(100f, 4, 1)));
        assertTrue(e.getMessage().contains("in trainOnBatch"), e.getMessage());
        assertEquals(-1, e.epoch());
        assertWeights(initial, m);
    }

    /**
     * A loss undefined at the outputs (poisson's log of a negative prediction): Keras' evaluate returns nan, and so does
     * jrnn's (it threw, blaming values too large for float32); fit still stops, naming the loss's domain.
     */
    @Test
    void aLossOutsideItsDomainEvaluatesToNanAndStopsFit() {
        Dense d = new Dense(1);
        Sequential m = new Sequential(dev.jrnn.model.Input.shape(1), d);
        m.setWeights(List.of(Tensor.of(new float[] {1}, 1, 1), Tensor.of(new float[] {0}, 1)));
        m.compile(new SGD(0.1), "poisson", "mae");
        Tensor x = Tensor.of(new float[] {-1, 2}, 2, 1), y = Tensor.of(new float[] {2, 2}, 2, 1);
        assertTrue(Double.isNaN(m.evaluate(x, y)), "Keras: nan");
        java.util.Map<String, Double> logs = m.evaluateAll(List.of(x), List.of(y));
        assertTrue(Double.isNaN(logs.get("loss")), logs.toString());
        assertEquals(1.5, logs.get("mae"), 1e-6, "the metrics as they are: |(-1) - 2| and |2 - 2| over 2");
        assertTrue(Double.isNaN(m.testOnBatch(x, y)));
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> m.fit(x, y, new FitOptions().epochs(1).verbose(0)));
        assertTrue(e.getMessage().contains("the loss became NaN at epoch 1/1, batch 1/1 (output dense; poisson takes log(y_pred), NaN for a"
                + " negative prediction: give the output a non-negative activation)"), e.getMessage());
    }
}
