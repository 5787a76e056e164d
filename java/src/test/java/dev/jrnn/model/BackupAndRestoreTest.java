package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' BackupAndRestore: a fit killed after some epochs, run again, ends as the fit that was never killed. */
class BackupAndRestoreTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @TempDir
    Path tmp;

    private static final Tensor X, Y;

    static {
        SplittableRandom r = new SplittableRandom(31);
        float[] x = new float[10 * 4 * 2], y = new float[10 * 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextGaussian();
        X = Tensor.of(x, 10, 4, 2);
        Y = Tensor.of(y, 10, 2);
    }

    /** The same model each call, as a restarted process builds it: dropout streams, Adam moments, a GRU. */
    private static Model make() {
        Jrnn.setSeed(17);
        Sequential s = new Sequential(new LSTM(5).returnSequences(true).recurrentDropout(0.2).inputShape(4, 2), new Dropout(0.3),
                new GRU(4), new Dense(2));
        s.compile(new Adam(0.02), "mse");
        return s;
    }

    /** A failure at the end of epoch {@code at} (after the backup of that epoch), as a killed process. */
    private static Callback killAt(int at) {
        return new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                if (epoch == at) throw new IllegalStateException("killed");
            }
        };
    }

    private static FitOptions options(Callback... cbs) {
        return new FitOptions().epochs(5).batchSize(3).verbose(0).callbacks(cbs);
    }

    private static List<float[]> weights(Model m) {
        List<float[]> r = new ArrayList<>();
        for (Tensor t : m.getWeights()) r.add(t.toArray());
        return r;
    }

    private static void assertSameWeights(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "weight " + i);
    }

    @Test
    void aKilledFitRunAgainEndsBitForBitAsTheUninterruptedOne() {
        Path dir = tmp.resolve("backup");
        Model straight = make();
        History all = straight.fit(X, Y, options().seed(5));

        Model first = make();
        assertThrows(IllegalStateException.class, () -> first.fit(X, Y, options(new BackupAndRestore(dir), killAt(2)).seed(5)));
        assertTrue(Files.exists(dir.resolve("backup-epoch-3.keras")));
        Jrnn.setSeed(999);   // nothing may depend on the global stream
        Model again = make();
        History rest = again.fit(X, Y, options(new BackupAndRestore(dir)).seed(5));
        assertEquals(List.of(3, 4), rest.epochs());
        assertEquals(all.get("loss").subList(3, 5), rest.get("loss"));
        assertSameWeights(weights(straight), weights(again));
        assertFalse(Files.exists(dir), "a fit that ends normally removes its backups");
    }

    /**
     * A model that calls a nested functional model twice, enc = Model(x, [e2(bn(e1(x))), u1(x)]) in
     * head(concat(p(a), enc(a)[0], enc(b)[0])): its backup is a .keras that keeps enc nested (weights at
     * layers/functional/layers/..., Adam's slots in Keras' depth-first order with u1's, which only enc's unused output
     * needs). {@code u1} gets u1.
     */
    private static Model makeNested(dev.jrnn.layers.Layer[] u1) {
        Jrnn.setSeed(23);
        Input x = Input.shape(3);
        Dense e1 = new Dense(4), e2 = new Dense(3), p = new Dense(2), head = new Dense(2);
        u1[0] = new Dense(2);
        Model enc = new Model(x, List.of(e2.apply(new dev.jrnn.layers.BatchNormalization().apply(e1.apply(x))), u1[0].apply(x)));
        Input a = Input.shape(3), b = Input.shape(3);
        Node joined = new dev.jrnn.layers.Concatenate().apply(p.apply(a), enc.applyAll(List.of(a)).get(0), enc.applyAll(List.of(b)).get(0));
        Model m = new Model(List.of(a, b), head.apply(joined));
        m.compile(new Adam(0.02), "mse");
        return m;
    }

    /**
     * A killed fit of a model calling a nested model, run again, resumes from its nested backup and ends as the fit
     * never killed: every weight (the BatchNormalization's moving statistics too, and u1's, which does not train) and the
     * loss of each resumed epoch. Before, the resume refused the backup ("holds a nested model").
     */
    @Test
    void aKilledFitOfAModelCallingANestedModelResumesFromItsNestedBackup() {
        Path dir = tmp.resolve("nested");
        List<Tensor> xs = List.of(Tensor.of(java.util.Arrays.copyOf(X.toArray(), 30), 10, 3),
                Tensor.of(java.util.Arrays.copyOfRange(X.toArray(), 30, 60), 10, 3));
        dev.jrnn.layers.Layer[] u1 = new dev.jrnn.layers.Layer[1];
        Model straight = makeNested(u1);
        History all = straight.fit(xs, List.of(Y), options().seed(5));
        List<Tensor> straightU1 = u1[0].getWeights();

        Model first = makeNested(u1);
        assertThrows(IllegalStateException.class, () -> first.fit(xs, List.of(Y), options(new BackupAndRestore(dir), killAt(2)).seed(5)));
        assertTrue(Files.exists(dir.resolve("backup-epoch-3.keras")));
        Model again = makeNested(u1);
        History rest = again.fit(xs, List.of(Y), options(new BackupAndRestore(dir)).seed(5));
        assertEquals(List.of(3, 4), rest.epochs());
        assertEquals(all.get("loss").subList(3, 5), rest.get("loss"));
        assertSameWeights(weights(straight), weights(again));
        assertEquals(12, weights(again).size(), "p, e1, bn (4), e2, head: u1 is not listed");
        for (int i = 0; i < 2; i++) assertArrayEquals(straightU1.get(i).toArray(), u1[0].getWeights().get(i).toArray(), "u1 weight " + i);
    }

    @Test
    void withoutASeedTheBackupKeepsTheOneItDrew() throws IOException {
        Path dir = tmp.resolve("b");
        Model first = make();
        assertThrows(IllegalStateException.class, () -> first.fit(X, Y,
                options(new BackupAndRestore(dir).deleteCheckpoint(false), killAt(1))));
        // the same backup resumed twice, each time from another global stream: the same run
        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        Files.copy(dir.resolve("backup-epoch-2.keras"), copy.resolve("backup-epoch-2.keras"));
        Jrnn.setSeed(1);
        Model a = make();
        Jrnn.setSeed(2);
        a.fit(X, Y, options(new BackupAndRestore(dir)));
        Model b = make();
        Jrnn.setSeed(3);
        b.fit(X, Y, options(new BackupAndRestore(copy)));
        assertSameWeights(weights(a), weights(b));
    }

    @Test
    void keepsOneBackupOrTwoAndFallsBackToTheOlderWhenTheNewestIsUnreadable() throws IOException {
        Path one = tmp.resolve("one"), two = tmp.resolve("two");
        make().fit(X, Y, options(new BackupAndRestore(one).deleteCheckpoint(false)).epochs(3));
        try (var files = Files.list(one)) {
            assertEquals(List.of("backup-epoch-3.keras"), files.map(p -> p.getFileName().toString()).toList());
        }
        Model m = make();
        assertThrows(IllegalStateException.class, () -> m.fit(X, Y, options(new BackupAndRestore(two).doubleCheckpoint(true), killAt(2)).seed(5)));
        assertTrue(Files.exists(two.resolve("backup-epoch-2.keras")));
        Files.write(two.resolve("backup-epoch-3.keras"), new byte[] {1, 2, 3});   // torn by a crash
        Model again = make();
        History rest = again.fit(X, Y, options(new BackupAndRestore(two).doubleCheckpoint(true)).seed(5));
        assertEquals(List.of(2, 3, 4), rest.epochs());
        Model straight = make();
        straight.fit(X, Y, options().seed(5));
        assertSameWeights(weights(straight), weights(again));
    }

    @Test
    void aBackupOfAnotherModelIsRefusedAndLeavesTheModelAsItWas() {
        Path dir = tmp.resolve("other");
        make().fit(X, Y, options(new BackupAndRestore(dir).deleteCheckpoint(false)).epochs(1));
        Jrnn.setSeed(4);
        Sequential other = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(2));
        other.compile(new SGD(0.1), "mse");
        List<float[]> before = weights(other);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.fit(X, Y, options(new BackupAndRestore(dir))));
        assertTrue(e.getMessage().startsWith("BackupAndRestore: cannot restore from " + dir), e.getMessage());
        assertSameWeights(before, weights(other));
        // the same layers compiled with another optimizer: refused too, the weights put back
        Model sgd = make();
        sgd.compile(new SGD(0.1), "mse");
        List<float[]> w = weights(sgd);
        e = assertThrows(IllegalStateException.class, () -> sgd.fit(X, Y, options(new BackupAndRestore(dir))));
        assertTrue(e.getMessage().contains("optimizer state of Adam for a model compiled with SGD"), e.getMessage());
        assertSameWeights(w, weights(sgd));
        assertEquals("BackupAndRestore: backupDir must be a directory path, got null",
                assertThrows(IllegalArgumentException.class, () -> new BackupAndRestore(null)).getMessage());
    }

    @Test
    void aBackupOfTheLastEpochTrainsNothingMore() {
        Path dir = tmp.resolve("done");
        Model m = make();
        assertThrows(IllegalStateException.class, () -> m.fit(X, Y, options(new BackupAndRestore(dir), killAt(4))));
        Model again = make();
        History h = again.fit(X, Y, options(new BackupAndRestore(dir)));
        assertEquals(0, h.size());
        assertSameWeights(weights(m), weights(again));
    }

    @Test
    void theRateACallbackSetIsBackedUpToo() {
        // the rate halves every epoch from the rate it had: a resume that came back at the compiled rate would differ
        java.util.function.Supplier<LearningRateScheduler> halve = () -> new LearningRateScheduler((epoch, lr) -> epoch == 0 ? lr : lr / 2);
        Model straight = make();
        History all = straight.fit(X, Y, options(halve.get()).seed(5));
        Path dir = tmp.resolve("rate");
        Model first = make();
        assertThrows(IllegalStateException.class, () -> first.fit(X, Y, options(new BackupAndRestore(dir), halve.get(), killAt(2)).seed(5)));
        Model again = make();
        History rest = again.fit(X, Y, options(new BackupAndRestore(dir), halve.get()).seed(5));
        assertEquals(all.get("learning_rate").subList(3, 5), rest.get("learning_rate"));
        assertSameWeights(weights(straight), weights(again));
    }

    @Test
    void aResumeAfterTheLastEpochWithNoBackupLeftEndsQuietly() {
        Path dir = tmp.resolve("never");
        History h = make().fit(X, Y, options(new BackupAndRestore(dir)).epochs(2).initialEpoch(2));
        assertEquals(0, h.size());
        assertFalse(Files.exists(dir));
    }

    @Test
    void aBackupWithDropoutStreamsForOtherLayersLeavesTheOptimizerAsItWas() {
        Path dir = tmp.resolve("drop");
        make().fit(X, Y, options(new BackupAndRestore(dir).deleteCheckpoint(false)).epochs(1));
        // the same weights, one more layer that draws masks (a Dropout has no weights): refused before anything changes
        Jrnn.setSeed(17);
        Sequential other = new Sequential(new LSTM(5).returnSequences(true).recurrentDropout(0.2).inputShape(4, 2), new Dropout(0.3),
                new GRU(4), new Dropout(0.1), new Dense(2));
        other.compile(new Adam(0.02), "mse");
        List<float[]> w = weights(other);
        assertThrows(IllegalStateException.class, () -> other.fit(X, Y, options(new BackupAndRestore(dir))));
        assertEquals(0, other.optimizer().iterations());
        assertSameWeights(w, weights(other));
    }
}
