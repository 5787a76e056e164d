package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A model's single flat store replaces the layers' own stores, which are then freed (no second copy of the weights). */
class ReleaseOwnStoreTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void modelFreesTheLayersOwnStores() {
        LSTM lstm = new LSTM(4);
        lstm.seed(3).inputShape(3, 2);
        Bidirectional bi = new Bidirectional(new GRU(2));
        lstm.build(List.of(new int[] {3, 2}));
        ParamStore own = lstm.store;
        assertNotNull(own);
        List<Tensor> w = lstm.getWeights();
        Sequential m = new Sequential(lstm.returnSequences(true), bi, new Dense(1));
        m.compile("adam", "mse");
        m.countParams();   // the graph (and its store) is set up lazily
        assertThrows(IllegalStateException.class, () -> ((dev.jrnn.backend.cpu.CpuBuf) own.values()).array(),
                "LSTM's own store is freed once the model holds its weights");
        ParamStore biOwn = bi.store;
        assertThrows(IllegalStateException.class, () -> ((dev.jrnn.backend.cpu.CpuBuf) biOwn.values()).array(),
                "the wrapper's store too");
        // the weights moved, unchanged
        List<Tensor> after = lstm.getWeights();
        for (int i = 0; i < w.size(); i++) assertEquals(Tensor.shapeString(w.get(i).shape()), Tensor.shapeString(after.get(i).shape()));
        for (int i = 0; i < w.size(); i++) {
            for (int j = 0; j < w.get(i).size(); j++) assertEquals(w.get(i).data()[j], after.get(i).data()[j]);
        }
        // a layer whose parameters still live in its own store keeps it
        Dense d = new Dense(2);
        d.build(List.of(new int[] {3}));
        assertNotNull(((dev.jrnn.backend.cpu.CpuBuf) d.store.values()).array());
    }
}
