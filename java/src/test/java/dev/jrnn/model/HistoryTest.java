package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HistoryTest {
    @Test
    void csvNumbersAreWrittenAsKerasCsvLoggerWritesThem() {
        // Python's csv module writes a float's repr: 0.0001 and 12345678.0, not Java's 1.0E-4 and 1.2345678E7
        History h = new History();
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", 1e-4);
        logs.put("mae", 12345678.0);
        h.add(3, logs);
        logs.put("loss", 2.5e-7);
        logs.put("mae", 0.125);
        h.add(4, logs);
        assertEquals("epoch,loss,mae\n3,0.0001,12345678.0\n4,2.5e-07,0.125\n", h.toCsvString());
        assertEquals(List.of(3, 4), h.epochs());
        assertEquals(List.of(1e-4, 2.5e-7), h.get("loss"));
    }

    /**
     * Keras 3.15.1's History with validation_freq=2 over 4 epochs: {@code history.epoch} [0, 1, 2, 3], {@code 'loss'} 4
     * values, {@code 'val_loss'} 2 (Keras' on_epoch_end appends only the keys an epoch logged; jrnn padded NaN, 4 values).
     * The CSV says NA where an epoch did not log a key, as Keras' CSVLogger does; a logged NaN stays "nan".
     */
    @Test
    void aKeyAnEpochDidNotLogGetsNoEntry() {
        History h = new History();
        h.add(0, new LinkedHashMap<>(Map.of("loss", 0.5)));
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", 0.25);
        logs.put("val_loss", 0.75);
        h.add(1, logs);
        h.add(2, Map.of("loss", Double.NaN));
        logs.put("val_loss", 0.125);
        h.add(3, logs);
        assertEquals(List.of(0, 1, 2, 3), h.epochs());
        assertEquals(List.of(0.75, 0.125), h.get("val_loss"));
        assertEquals(List.of(1, 3), h.epochs("val_loss"));
        assertEquals(List.of(0, 1, 2, 3), h.epochs("loss"));
        assertEquals(List.of("loss", "val_loss"), List.copyOf(h.history().keySet()));
        assertEquals("epoch,loss,val_loss\n0,0.5,NA\n1,0.25,0.75\n2,nan,NA\n3,0.25,0.125\n", h.toCsvString());
    }

    /**
     * Keras' on_train_end(logs): the last epoch's logs as fit made them (fit's training_logs), None where no epoch ran
     * (initial_epoch == epochs); jrnn gives an empty map there, and the last epoch's sorted logs otherwise.
     */
    @Test
    void onTrainEndGetsTheLastEpochsLogs() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse", "mae");
        Tensor x = Tensor.of(new float[] {1, 0, 0, 1, 1, 1, 0, 0}, 4, 2), y = Tensor.of(new float[] {1, 0, 1, 0}, 4, 1);
        List<Map<String, Double>> ends = new java.util.ArrayList<>();
        Callback c = new Callback() {
            @Override
            public void onTrainEnd(Map<String, Double> logs, Model model) { ends.add(logs); }
        };
        History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0).validationSplit(0.5).callbacks(c));
        assertEquals(List.of("loss", "mae", "val_loss", "val_mae"), List.copyOf(ends.get(0).keySet()));
        assertEquals(h.last("val_mae"), ends.get(0).get("val_mae"));
        m.fit(x, y, new FitOptions().epochs(2).initialEpoch(2).batchSize(2).verbose(0).callbacks(c));
        assertEquals(Map.of(), ends.get(1));
    }

    /**
     * A metric that logs an array (F1 per class) is one key in Keras' sort, its values in index order: with 11 classes
     * "f1_score_2" comes before "f1_score_10" (a plain string sort put it after), and the array sits at its key's place.
     */
    @Test
    void anArrayMetricsValuesStayInIndexOrder() {
        Map<String, Double> logs = new java.util.HashMap<>();
        for (int c = 0; c < 11; c++) {
            logs.put("f1_score_" + c, (double) c);
            logs.put("val_f1_score_" + c, (double) c);
        }
        logs.put("f1_score_macro", 1.0);
        logs.put("loss", 0.5);
        logs.put("val_loss", 0.5);
        List<String> want = new java.util.ArrayList<>();
        for (int c = 0; c < 11; c++) want.add("f1_score_" + c);
        want.add("f1_score_macro");
        want.add("loss");
        for (int c = 0; c < 11; c++) want.add("val_f1_score_" + c);
        want.add("val_loss");
        assertEquals(want, List.copyOf(EpochLogs.sorted(logs).keySet()));
        // keys of one base and index written two ways stay two keys; names that only end in a number sort as Python's strings
        assertEquals(List.of("a_0", "a_01", "a_1"), List.copyOf(EpochLogs.sorted(Map.of("a_1", 1.0, "a_01", 2.0, "a_0", 3.0)).keySet()));
        assertEquals(List.of("acc2", "acc_5", "auc", "auc_1", "auc_10", "auc_2", "recall_at_10", "recall_at_5"), List.copyOf(EpochLogs.sorted(
                Map.of("auc", 1.0, "auc_1", 1.0, "auc_2", 1.0, "auc_10", 1.0, "recall_at_5", 1.0, "recall_at_10", 1.0, "acc_5", 1.0, "acc2", 1.0)).keySet()));
    }

    /**
     * Keras 3 hands every callback, its progress bar and History the logs through pythonify_logs, which sorts them (fit's
     * merged with the validation's), and evaluate(return_dict=True) gives them sorted too: Keras 3 users see
     * {@code dict_keys(['accuracy', 'loss', 'val_accuracy', 'val_loss'])}; an output named "z" logs after "val_".
     */
    @Test
    void logsComeInKeras3SortedOrder() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
        Input in = Input.shape(2);
        Model m = new Model(in, List.of(new Dense(1).name("z").apply(in), new Dense(1).name("a").apply(in)));
        m.compile("sgd", "binary_crossentropy", "accuracy");
        Tensor x = Tensor.of(new float[] {1, 0, 0, 1, 1, 1, 0, 0}, 4, 2), y = Tensor.of(new float[] {1, 0, 1, 0}, 4, 1);
        List<String> seen = new java.util.ArrayList<>();
        Callback c = new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { seen.addAll(logs.keySet()); }
        };
        History h = m.fit(List.of(x), List.of(y, y), new FitOptions().epochs(1).batchSize(2).verbose(0).validationSplit(0.5).callbacks(c));
        List<String> keras = List.of("a_accuracy", "a_loss", "loss", "val_a_accuracy", "val_a_loss", "val_loss", "val_z_accuracy",
                "val_z_loss", "z_accuracy", "z_loss");
        assertEquals(keras, List.copyOf(h.history().keySet()));
        assertEquals(keras, seen);
        assertEquals(List.of("a_accuracy", "a_loss", "loss", "z_accuracy", "z_loss"),
                List.copyOf(m.evaluateAll(List.of(x), List.of(y, y), 2, null).keySet()));
        Model one = new Model(in, new Dense(1).name("d").apply(in));
        one.compile("sgd", "binary_crossentropy", "accuracy");
        h = one.fit(x, y, new FitOptions().epochs(1).batchSize(2).verbose(0).validationSplit(0.5));
        assertEquals(List.of("accuracy", "loss", "val_accuracy", "val_loss"), List.copyOf(h.history().keySet()));
    }

    /**
     * Keras' {@code history.params} and {@code callback.params}: {'verbose': 1, 'epochs': 10, 'steps': 1} in the History
     * docstring; steps is the batches per epoch (ceil(10 / 4) = 3 here), stepsPerEpoch where given, None for data of
     * unknown length; every callback has them before on_train_begin.
     */
    @Test
    void paramsAreKerasVerboseEpochsAndStepsAndReachCallbacksBeforeTrainBegins() throws java.io.IOException {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
        Input in = Input.shape(2);
        Model m = new Model(in, new Dense(1).apply(in));
        m.compile("sgd", "mse");
        float[] xs = new float[20], ys = new float[10];
        for (int i = 0; i < 20; i++) xs[i] = i / 20f;
        Tensor x = Tensor.of(xs, 10, 2), y = Tensor.of(ys, 10, 1);
        List<String> events = new java.util.ArrayList<>();
        Callback c = new Callback() {
            @Override
            public void setParams(FitParams p) { events.add("params " + p); }

            @Override
            public void onTrainBegin(Model model) { events.add("begin"); }
        };
        History h = m.fit(x, y, new FitOptions().epochs(3).batchSize(4).verbose(0).callbacks(c));
        assertEquals(new FitParams(0, 3, 3), h.params());
        assertEquals("{'verbose': 0, 'epochs': 3, 'steps': 3}", h.params().toString());
        assertEquals(List.of("params {'verbose': 0, 'epochs': 3, 'steps': 3}", "begin"), events);

        java.io.PrintStream none = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        h = m.fit(x, y, new FitOptions().epochs(2).batchSize(4).verbose(2).out(none).stepsPerEpoch(1));
        assertEquals(new FitParams(2, 2, 1), h.params());
        h = m.fit(x, y, new FitOptions().epochs(2).initialEpoch(2).batchSize(5).verbose(0));   // no epoch runs: params all the same
        assertEquals(0, h.size());
        assertEquals(new FitParams(0, 2, 2), h.params());

        List<dev.jrnn.data.Sample> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) rows.add(dev.jrnn.data.Sample.of(Tensor.of(new float[] {xs[2 * i], xs[2 * i + 1]}, 2), Tensor.of(new float[] {0}, 1)));
        h = m.fit(dev.jrnn.data.Dataset.fromIterator(rows::iterator).batch(4), new FitOptions().epochs(1).verbose(0));
        assertEquals(new FitParams(0, 1, null), h.params());
        assertEquals("{'verbose': 0, 'epochs': 1, 'steps': None}", h.params().toString());
        assertEquals(null, new History().params());
    }
}
