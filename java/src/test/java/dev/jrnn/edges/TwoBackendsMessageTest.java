package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layers built on two CPU backend instances: the message must not read "built on cpu, other layers on cpu". */
class TwoBackendsMessageTest {
    @Test
    void twoInstancesOfOneBackendAreToldApart() {
        Jrnn.setBackend(CpuBackend.create());
        LSTM lstm = new LSTM(2).inputShape(3, 1);
        lstm.build(List.of(new int[] {3, 1}));
        Jrnn.setBackend(CpuBackend.create());
        Dense dense = new Dense(1);
        dense.build(List.of(new int[] {2}));
        Sequential m = new Sequential(lstm, dense);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            m.compile("sgd", "mse");
            m.predict(Tensor.zeros(1, 3, 1));
        });
        assertTrue(e.getMessage().contains("another cpu backend instance"), e.getMessage());
    }
}
