package dev.jrnn.model;

import dev.jrnn.backend.Loss;
import dev.jrnn.losses.Losses;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.Optimizers;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link Model#compile} sets: optimizer, loss and metrics, checked together before the model changes. Each metric
 * keeps the name it was given (trimmed), which Keras logs it under ("acc" logs "acc"), or a metric object's name; its
 * config is that name, or the object serialized as Keras writes it in a compile config.
 */
record Compiled(Optimizer optimizer, Loss loss, List<EpochMetric> metrics, List<String> metricNames, List<Object> metricConfigs) {
    /** Checks the arguments of {@code model.compile(optimizer, loss, metrics...)}; {@code model} goes in messages. */
    static Compiled of(String model, Optimizer optimizer, Loss loss, Object... metrics) {
        if (optimizer == null) throw new IllegalArgumentException(model + ".compile: optimizer is null");
        if (loss == null) throw new IllegalArgumentException(model + ".compile: loss is null");
        return of(model, optimizer, loss, List.of(loss), metrics);
    }

    /**
     * As {@link #of(String, Optimizer, Loss, Object...)} with the losses of every output ({@code loss} is the first);
     * every metric must suit every loss.
     */
    static Compiled of(String model, Optimizer optimizer, Loss loss, List<Loss> losses, Object... metrics) {
        if (optimizer == null) throw new IllegalArgumentException(model + ".compile: optimizer is null");
        if (metrics == null) throw new IllegalArgumentException(model + ".compile: metrics is null (pass none for no metrics)");
        List<EpochMetric> ms = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Object> configs = new ArrayList<>();
        for (Object m : metrics) {
            if (m == null) throw new IllegalArgumentException(model + ".compile: a metric name is null");
            EpochMetric mm = EpochMetric.of(m);
            String name = m instanceof String s ? s.trim() : mm.key();
            for (Loss l : losses) {
                if (!mm.suits(l)) {
                    throw new IllegalArgumentException(model + ".compile: metric " + name + " needs " + (mm.sparse() ? "class-index" : "dense")
                            + " targets but the loss " + Losses.kerasName(l) + " takes " + (l.sparse() ? "class indices" : "dense targets"));
                }
            }
            if (!names.contains(name)) {
                ms.add(mm);
                names.add(name);
                configs.add(m instanceof String ? name : mm.serialize());
            }
        }
        return new Compiled(optimizer, loss, List.copyOf(ms), List.copyOf(names), java.util.Collections.unmodifiableList(configs));
    }

    /** The optimizer named {@code optimizer}; a loss name there (Keras' order swapped) gets an error showing the order. */
    static Optimizer optimizer(String model, String optimizer, String loss) {
        if (knownLoss(optimizer) && !knownLoss(loss)) {
            throw new IllegalArgumentException(model + ".compile: the optimizer comes first, as in Keras' compile(optimizer, loss):"
                    + " write compile(\"" + loss + "\", \"" + optimizer + "\"), got compile(\"" + optimizer + "\", \"" + loss + "\")");
        }
        return Optimizers.of(optimizer);
    }

    private static boolean knownLoss(String s) {
        try {
            Losses.of(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
