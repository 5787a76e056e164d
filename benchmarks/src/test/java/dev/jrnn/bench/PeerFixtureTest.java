package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixture a peer checks itself against holds jrnn's weights, the benchmark's batches and jrnn's losses. */
class PeerFixtureTest {

    @Test
    void fixtureHoldsTheBenchmarksWeightsBatchesAndLosses(@TempDir Path dir) throws Exception {
        Jrnn.setBackend("cpu");
        Shapes s = new Shapes(3, 4, 2, 5);
        for (Shapes.Cell cell : Shapes.Cell.values()) {
            Path f = PeerFixture.write(dir, cell, s);
            assertEquals(cell.name().toLowerCase() + "-3x4x2x5.safetensors", f.getFileName().toString());
            Map<String, Tensor> t = SafeTensors.read(f);
            Map<String, String> meta = SafeTensors.readMetadata(f);
            BenchData data = BenchData.random(s, RnnBench.BATCHES, 1);
            try (JrnnTrainer j = new JrnnTrainer(cell, s, data, RnnBench.SEED)) {
                List<Tensor> w = j.layer().getWeights();
                assertArrayEquals(w.get(0).data(), t.get("kernel").data());
                assertArrayEquals(w.get(1).data(), t.get("recurrent_kernel").data());
                assertArrayEquals(w.get(2).shape(), t.get("bias").shape());
                assertEquals(Long.toString(j.paramCount()), meta.get("params"));
                float step1 = j.trainStep(0);
                assertEquals(step1, Float.parseFloat(meta.get("loss_step1")));
                assertEquals(j.loss(0), Float.parseFloat(meta.get("loss_step2")));
                assertTrue(Float.parseFloat(meta.get("loss_step2")) < step1, cell + ": one Adam step lowers the loss");
            }
            for (int i = 0; i < RnnBench.BATCHES; i++) {
                assertArrayEquals(data.x(i), t.get("x" + i).data());
                assertArrayEquals(data.y(i), t.get("y" + i).data());
            }
            assertArrayEquals(new int[] {3, 4, 2}, t.get("x0").shape());
        }
    }

    @Test
    void cellNamesParseAsInTheCsvs() {
        assertEquals(Shapes.Cell.SIMPLE_RNN, Shapes.Cell.parse("simple_rnn"));
        assertEquals(Shapes.Cell.GRU, Shapes.Cell.parse(" GRU "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shapes.Cell.parse("conv"));
        assertTrue(e.getMessage().contains("lstm, gru or simple_rnn") && e.getMessage().contains("conv"), e.getMessage());
    }
}
