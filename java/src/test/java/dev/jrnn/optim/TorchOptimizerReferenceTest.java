package dev.jrnn.optim;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.check.TorchGolden;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SGD (momentum, Nesterov, weight decay), Adam (betas, epsilon, weight decay), AdamW, Nadam, RMSprop (centered,
 * momentum) and Adagrad training a Dense layer on mse for four steps on the CPU backend, against Keras 3's update
 * rules run in float64 by {@code src/test/resources/torchref/make_golden.py} (gradients from PyTorch's autograd): the
 * loss before every step and the weights after the last, within {@link TorchGolden#TOL}.
 */
class TorchOptimizerReferenceTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    static List<TorchGolden.Case> cases() { return TorchGolden.load("optimizers"); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesKerasRules(TorchGolden.Case c) {
        try (Sequential m = new Sequential(new Dense(3).inputShape(4))) {
            m.compile(optimizer(c.meta()), "mse");
            List<Tensor> w0 = new ArrayList<>();
            for (int i = 0; i < c.integer("weights"); i++) w0.add(c.get("w" + i).tensor());
            m.setWeights(w0);
            Tensor x = c.get("x").tensor(), y = c.get("y").tensor();
            double[] losses = new double[c.integer("steps")];
            for (int s = 0; s < losses.length; s++) losses[s] = m.trainOnBatch(x, y);
            TorchGolden.compare(c + ": the loss before each step", losses, c.get("losses").v(), TorchGolden.TOL);
            List<Tensor> w = m.getWeights();
            for (int i = 0; i < w.size(); i++) {
                TorchGolden.compare(c + ": weight " + i + " after the steps", TorchGolden.toDouble(w.get(i)),
                        c.get("w" + i + "_after").v(), TorchGolden.TOL);
            }
        }
    }

    private static Optimizer optimizer(Map<String, Object> c) {
        double lr = num(c, "learning_rate", 0);
        Optimizer o = switch ((String) c.get("optimizer")) {
            case "SGD" -> new SGD(lr).momentum(num(c, "momentum", 0)).nesterov(Boolean.TRUE.equals(c.get("nesterov")));
            case "Adam" -> new Adam(lr).beta1(num(c, "beta_1", 0.9)).beta2(num(c, "beta_2", 0.999)).epsilon(num(c, "epsilon", 1e-7));
            case "AdamW" -> new AdamW(lr);
            case "Nadam" -> new Nadam(lr);
            case "RMSprop" -> new RMSprop(lr).rho(num(c, "rho", 0.9)).momentum(num(c, "momentum", 0))
                    .centered(Boolean.TRUE.equals(c.get("centered")));
            case "Adagrad" -> new Adagrad(lr);
            default -> throw new IllegalArgumentException("optimizer " + c.get("optimizer"));
        };
        return c.containsKey("weight_decay") ? o.weightDecay(num(c, "weight_decay", 0)) : o;
    }

    private static double num(Map<String, Object> c, String key, double absent) {
        return c.get(key) instanceof Number n ? n.doubleValue() : absent;
    }

}
