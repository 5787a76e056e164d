package dev.jrnn.layers.check;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.TimeDistributed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

/**
 * Dense (rank-2, rank-3 and rank-4 inputs), TimeDistributed(Dense) and Embedding against the float64
 * reference: every activation, with and without bias.
 */
class DenseEmbeddingGradTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @AfterAll
    static void printStats() {
        GradCheck.writeStats("DenseEmbeddingGradTest (max relative errors)");
    }

    static List<Object[]> denseCases() {
        List<Object[]> l = new ArrayList<>();
        for (String act : new String[] {"linear", "tanh", "sigmoid", "relu", "softmax", "gelu", "swish", "relu6", "mish",
                "hard_silu", "celu", "log_sigmoid", "hard_tanh", "tanh_shrink", "soft_shrink", "hard_shrink", "squareplus",
                "sparse_plus", "sparse_sigmoid", "log_softmax"}) {
            for (boolean bias : new boolean[] {true, false}) l.add(new Object[] {act, bias});
        }
        return l;
    }

    @ParameterizedTest(name = "Dense {0} bias={1}")
    @MethodSource("denseCases")
    void denseGradients(String act, boolean bias) {
        int seed = act.hashCode() & 0xffff;
        GradCheck.check(new DenseProblem("Dense", act, bias, false, 3, 1, 3, 4, seed,
                new Dense(4).activation(act).useBias(bias)), seed + 1);
        GradCheck.check(new DenseProblem("Dense", act, bias, true, 2, 3, 3, 4, seed + 2,
                new Dense(4).activation(act).useBias(bias)), seed + 3);
        GradCheck.check(new DenseProblem("Dense", act, bias, new int[] {2, 2, 3, 3}, 2, seed + 4,
                new Dense(2).activation(act).useBias(bias)), seed + 5);
    }

    @ParameterizedTest(name = "TimeDistributed(Dense {0}) bias={1}")
    @MethodSource("denseCases")
    void timeDistributedDenseGradients(String act, boolean bias) {
        int seed = 7 + (act.hashCode() & 0xffff);
        GradCheck.check(new DenseProblem("TimeDistributed(Dense)", act, bias, true, 2, 4, 3, 3, seed,
                new TimeDistributed(new Dense(3).activation(act).useBias(bias))), seed + 1);
    }

    @Test
    void embeddingGradients() {
        GradCheck.check(new EmbeddingProblem("Embedding", 3, 5, 7, 3, 41, new Embedding(7, 3)), 9);
        GradCheck.check(new EmbeddingProblem("Embedding", 2, 4, 4, 5, 43, new Embedding(4, 5).maskZero(true)), 10);
    }
}
