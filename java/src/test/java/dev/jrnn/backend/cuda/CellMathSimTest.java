package dev.jrnn.backend.cuda;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA kernels' cell math (kernels/cell_math.cuh, which every step and persistent kernel calls) without a GPU:
 * g++ compiles it for the host with src/test/sim/cell_math_check.cpp, which checks each cell's float forward and
 * backward against a float64 forward and its central differences, over 200 random points per cell and pair of
 * activations (tanh, sigmoid, elu, softsign, gelu, swish and Keras 3's relu6, mish, hard_silu, celu, log_sigmoid,
 * tanh_shrink, squareplus, sparse_plus as activation and recurrent activation). gelu, swish and Keras 3's are the
 * ones whose gates keep the pre-activation. Skipped where g++ is missing.
 */
class CellMathSimTest {

    @Test
    void everyCellAndActivationPairMatchesFloat64() throws Exception {
        Path root = PersistentKernelSimTest.findRoot();
        assumeTrue(root != null, "kernel sources not found");
        assumeTrue(PersistentKernelSimTest.run(List.of("g++", "--version"), null, 60).exit() == 0, "g++ not found");
        Path out = root.resolve("java/target/persist-sim");
        Files.createDirectories(out);
        Path exe = out.resolve("cell_math_check");
        PersistentKernelSimTest.Result build = PersistentKernelSimTest.run(List.of("g++", "-std=c++20", "-O1",
                "-include", root.resolve("java/src/test/sim/cuda_sim.h").toString(), "-I", root.resolve("kernels").toString(),
                root.resolve("java/src/test/sim/cell_math_check.cpp").toString(), "-o", exe.toString()), null, 300);
        assertEquals(0, build.exit(), () -> "building the cell math check failed:\n" + build.out());
        PersistentKernelSimTest.Result r = PersistentKernelSimTest.run(List.of(exe.toString()), null, 120);
        assertEquals(0, r.exit(), r::out);
        List<String> bad = new ArrayList<>();
        int lines = 0;
        for (String line : r.out().strip().split("\n")) {
            String[] f = line.split(" ");
            lines++;
            double fwd = Double.parseDouble(f[3]), bwd = Double.parseDouble(f[4]);
            // float against float64: the forward to a few ulps, the backward to the differences' own error
            if (!(fwd < 2e-6) || !(bwd < 2e-5)) bad.add(line);
        }
        assertEquals(4 * 14 * 14, lines, r.out());
        assertTrue(bad.isEmpty(), "cell, activation, recurrent activation, forward and backward errors over the bound:\n"
                + String.join("\n", bad));
    }
}
