package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Model files across backends: saved on the CPU, loaded on CUDA and back; a CUDA round trip predicts bit for bit. */
@Tag("gpu")
class ModelFilesGpuTest {
    @TempDir
    Path dir;

    @BeforeEach
    void gpu() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
    }

    @AfterEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static void assertClose(List<Tensor> want, List<Tensor> got, double tol) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            float[] w = want.get(i).data(), g = got.get(i).data();
            for (int k = 0; k < w.length; k++) assertEquals(w[k], g[k], tol * Math.max(1, Math.abs(w[k])), "output " + i + " element " + k);
        }
    }

    @Test
    void savedOnOneBackendLoadsOnTheOther() throws IOException {
        SplittableRandom r = new SplittableRandom(6);
        List<Tensor> xs = List.of(ModelFilesTest.ids(r, 12, 9, 5), ModelFilesTest.random(r, 9, 5, 2));
        Jrnn.setBackend(Backends.cpu());
        Jrnn.setSeed(4);
        Path cpuFile = dir.resolve("cpu.keras");
        List<Tensor> onCpu;
        try (Model m = ModelFilesTest.functional()) {
            onCpu = m.predictAll(xs, 4, null);
            m.save(cpuFile);
        }
        Jrnn.setBackend("cuda");
        Path gpuFile = dir.resolve("gpu.keras");
        List<Tensor> onGpu;
        try (Model m = Models.load(cpuFile)) {
            onGpu = m.predictAll(xs, 4, null);
            assertClose(onCpu, onGpu, 1e-5);
            m.save(gpuFile);
        }
        try (Model m = Models.load(gpuFile)) {
            ModelFilesTest.assertBitIdentical(onGpu, m.predictAll(xs, 4, null));
        }
        Jrnn.setBackend("cpu");
        try (Model m = Models.load(gpuFile)) {
            ModelFilesTest.assertBitIdentical(onCpu, m.predictAll(xs, 4, null));
        }
    }
}
