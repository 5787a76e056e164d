package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' LambdaCallback as Callback's static factories, one per hook. */
class LambdaCallbackTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /**
     * The factories' hooks fire as Keras 3.15.1's LambdaCallback's do, with the same logs' keys: the trace of
     * {@code resources/dev/jrnn/model/apigap/lambda_cb.py} (2 epochs, 10 rows in batches of 4, validation, metric mae).
     */
    @Test
    void theFactoriesFireAsKerasLambdaCallback() {
        List<String> keras = List.of("train_begin", "epoch_begin 0",
                "batch_begin 0", "batch_end 0 [loss, mae]", "batch_begin 1", "batch_end 1 [loss, mae]", "batch_begin 2", "batch_end 2 [loss, mae]",
                "epoch_end 0 [loss, mae, val_loss, val_mae]", "epoch_begin 1",
                "batch_begin 0", "batch_end 0 [loss, mae]", "batch_begin 1", "batch_end 1 [loss, mae]", "batch_begin 2", "batch_end 2 [loss, mae]",
                "epoch_end 1 [loss, mae, val_loss, val_mae]", "train_end [loss, mae, val_loss, val_mae]");
        List<String> ev = new ArrayList<>();
        Sequential m = new Sequential(Input.shape(2), new Dense(1));
        m.compile("sgd", "mse", "mae");
        Tensor x = Tensor.full(1f, 10, 2), y = Tensor.full(1f, 10, 1);
        m.fit(x, y, new FitOptions().batchSize(4).epochs(2).verbose(0).validationData(x, y).callbacks(
                Callback.onTrainBegin(() -> ev.add("train_begin")),
                Callback.onEpochBegin(e -> ev.add("epoch_begin " + e)),
                Callback.onBatchBegin(b -> ev.add("batch_begin " + b)),
                Callback.onBatchEnd((b, logs) -> ev.add("batch_end " + b + " " + new TreeSet<>(logs.logs().keySet()))),
                Callback.onEpochEnd((e, logs) -> ev.add("epoch_end " + e + " " + new TreeSet<>(logs.keySet()))),
                Callback.onTrainEnd(logs -> ev.add("train_end " + new TreeSet<>(logs.keySet())))));
        assertEquals(keras, ev);
    }

    /** A null listener is refused by each factory, naming it. */
    @Test
    void aNullListenerIsRefusedNamingTheFactory() {
        List<org.junit.jupiter.api.function.Executable> calls = List.of(() -> Callback.onTrainBegin((Runnable) null),
                () -> Callback.onEpochBegin(null), () -> Callback.onBatchBegin(null), () -> Callback.onBatchEnd(null),
                () -> Callback.onEpochEnd(null), () -> Callback.onTrainEnd((java.util.function.Consumer<java.util.Map<String, Double>>) null));
        List<String> names = List.of("onTrainBegin", "onEpochBegin", "onBatchBegin", "onBatchEnd", "onEpochEnd", "onTrainEnd");
        for (int i = 0; i < calls.size(); i++) {
            String msg = assertThrows(IllegalArgumentException.class, calls.get(i)).getMessage();
            assertEquals("Callback." + names.get(i) + ": listener is null", msg);
        }
    }
}
