package dev.jrnn.backend.cuda;

import dev.jrnn.backend.NonFiniteLossCases;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a device, the CUDA loss kernel gives the CPU backend's loss and gradient on every loss with a NaN, +Inf or -Inf
 * in a prediction or a target ({@link NonFiniteLossCases}; the CPU is held to Keras 3.15.1 on them by
 * {@code NonFiniteLossTest}, the kernel on the host simulator by {@code CudaKernelsSimTest}). nvcc's code for fmaxf,
 * fminf and the comparisons is what the simulator cannot stand for: a NaN prediction gave hinge, squared_hinge,
 * categorical_hinge and kl_divergence a finite loss on CUDA.
 */
@Tag("gpu")
class CudaNonFiniteLossGpuTest extends CpuCudaBackends {
    @Test
    void nonFiniteInputsGiveTheCpuBackendsLossAndGradient() {
        List<NonFiniteLossCases.Case> cases = NonFiniteLossCases.all();
        List<String> wrong = new ArrayList<>();
        for (NonFiniteLossCases.Case c : cases) {
            float[][] want = NonFiniteLossCases.run(cpu, c), got = NonFiniteLossCases.run(gpu, c);
            try {
                KernelSim.close(c.name() + " value", want[0], got[0], 1e-5);
                KernelSim.close(c.name() + " gradient", want[1], got[1], 1e-5);
            } catch (AssertionError e) {
                wrong.add(e.getMessage().replace("CUDA kernel on the simulator", "CUDA backend"));
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + cases.size() + " cases differ:\n" + String.join("\n", wrong));
    }
}
