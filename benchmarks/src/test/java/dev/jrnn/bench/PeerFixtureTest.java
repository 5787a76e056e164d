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
                List<Tensor> g = j.gradients(0);
                String[] names = {"grad_kernel", "grad_recurrent_kernel", "grad_bias"};
                for (int k = 0; k < 3; k++) {
                    assertArrayEquals(w.get(k).shape(), t.get(names[k]).shape(), names[k]);
                    assertArrayEquals(g.get(k).data(), t.get(names[k]).data(), names[k]);
                }
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

    /**
     * The fixture's gradients are the gradients of loss_step1, checked against central differences of jrnn's forward
     * loss alone (no backward code involved), weight by weight, with the peer's measure (relative L2 distance). A
     * gradient twice or half as large, a missing bias or recurrent-kernel gradient would be 0.5-1.0 away, the
     * differences here are below 5e-3 (at most 7e-4 measured; float32 losses, step 3e-3).
     */
    @Test
    void fixtureGradientsAreTheLossGradientsByFiniteDifferences(@TempDir Path dir) throws Exception {
        Jrnn.setBackend("cpu");
        Shapes s = new Shapes(3, 6, 2, 4);
        BenchData data = BenchData.random(s, RnnBench.BATCHES, 1);
        String[] names = {"grad_kernel", "grad_recurrent_kernel", "grad_bias"};
        for (Shapes.Cell cell : Shapes.Cell.values()) {
            Map<String, Tensor> t = SafeTensors.read(PeerFixture.write(dir, cell, s));
            try (JrnnTrainer j = new JrnnTrainer(cell, s, data, RnnBench.SEED)) {
                List<Tensor> w = j.layer().getWeights();
                assertEquals(Float.parseFloat(SafeTensors.readMetadata(dir.resolve(cell.name().toLowerCase() + "-3x6x2x4.safetensors"))
                        .get("loss_step1")), j.loss(0));
                for (int k = 0; k < 3; k++) {
                    float[] g = t.get(names[k]).data();
                    double[] fd = new double[g.length];
                    for (int e = 0; e < g.length; e++) {
                        float[] v = w.get(k).data().clone();
                        float h = 3e-3f, v0 = v[e];
                        double lp = lossWith(j, w, k, v, e, v0 + h), lm = lossWith(j, w, k, v, e, v0 - h);
                        fd[e] = (lp - lm) / (2.0 * h);
                    }
                    j.layer().setWeights(w);
                    double diff = 0, norm = 0;
                    for (int e = 0; e < g.length; e++) {
                        diff += (g[e] - fd[e]) * (g[e] - fd[e]);
                        norm += fd[e] * fd[e];
                    }
                    double rel = Math.sqrt(diff / norm);
                    assertTrue(norm > 0 && rel < 5e-3, cell + " " + names[k] + ": relative L2 distance to finite differences " + rel);
                }
            }
        }
    }

    /**
     * grad_x, the input gradient the peer compares step by step (how far back BPTT reaches), is the loss's gradient with
     * respect to batch 0 by central differences of jrnn's forward loss, at every step; with a truncation (PeerFixture
     * --tbptt, the wrong setting the peer must refuse) it is exactly zero at the steps before the last cut and unchanged
     * after it, and the metadata names the setting.
     */
    @Test
    void fixtureInputGradientIsTheLossGradientAndShowsATruncation(@TempDir Path dir) throws Exception {
        Jrnn.setBackend("cpu");
        Shapes s = new Shapes(3, 6, 2, 4);
        java.nio.file.Files.createDirectories(dir.resolve("full"));
        java.nio.file.Files.createDirectories(dir.resolve("cut"));
        for (Shapes.Cell cell : Shapes.Cell.values()) {
            Path full = PeerFixture.write(dir.resolve("full"), cell, s), cut = PeerFixture.write(dir.resolve("cut"), cell, s, 4);
            float[] g = SafeTensors.read(full).get("grad_x").data(), gc = SafeTensors.read(cut).get("grad_x").data();
            assertArrayEquals(new int[] {3, 6, 2}, SafeTensors.read(full).get("grad_x").shape());
            assertEquals("0", SafeTensors.readMetadata(full).get("tbptt"));
            assertEquals("4", SafeTensors.readMetadata(cut).get("tbptt"));
            BenchData data = BenchData.random(s, RnnBench.BATCHES, 1);
            float[] x = data.x(0);
            double diff = 0, norm = 0;
            for (int e = 0; e < x.length; e++) {
                float h = 3e-3f, x0 = x[e];
                x[e] = x0 + h;
                double lp = loss0(cell, s, data);
                x[e] = x0 - h;
                double lm = loss0(cell, s, data);
                x[e] = x0;
                double fd = (lp - lm) / (2.0 * h);
                diff += (g[e] - fd) * (g[e] - fd);
                norm += fd * fd;
                int step = (e / 2) % 6;   // [B, T, I] = [3, 6, 2]
                // tbptt 4 cuts between steps 3 and 4: the last output's gradient reaches steps 4 and 5 only
                if (step < 4) assertEquals(0f, gc[e], cell + " cut grad_x[" + e + "], step " + step);
                else assertEquals(g[e], gc[e], 1e-6 * Math.abs(g[e]) + 1e-9, cell + " kept grad_x[" + e + "], step " + step);
                if (step == 0) assertTrue(g[e] != 0, cell + ": full BPTT reaches step 0, grad_x[" + e + "]");
            }
            double rel = Math.sqrt(diff / norm);
            assertTrue(rel < 5e-3, cell + " grad_x: relative L2 distance to finite differences " + rel);
        }
    }

    /** jrnn's MSE on batch 0 of {@code data}, from the benchmark's initial weights. */
    private static double loss0(Shapes.Cell cell, Shapes s, BenchData data) {
        try (JrnnTrainer j = new JrnnTrainer(cell, s, data, RnnBench.SEED)) {
            return j.loss(0);
        }
    }

    /** jrnn's MSE on batch 0 with element {@code e} of weight {@code k} set to {@code value}. */
    private static double lossWith(JrnnTrainer j, List<Tensor> w, int k, float[] v, int e, float value) {
        v[e] = value;
        List<Tensor> changed = new java.util.ArrayList<>(w);
        changed.set(k, Tensor.wrap(v.clone(), w.get(k).shape()));
        j.layer().setWeights(changed);
        return j.loss(0);
    }

    @Test
    void cellNamesParseAsInTheCsvs() {
        assertEquals(Shapes.Cell.SIMPLE_RNN, Shapes.Cell.parse("simple_rnn"));
        assertEquals(Shapes.Cell.GRU, Shapes.Cell.parse(" GRU "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shapes.Cell.parse("conv"));
        assertTrue(e.getMessage().contains("lstm, gru or simple_rnn") && e.getMessage().contains("conv"), e.getMessage());
    }
}
