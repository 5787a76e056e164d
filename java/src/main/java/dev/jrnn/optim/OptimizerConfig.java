package dev.jrnn.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/** An optimizer's settings as Keras 3's {@code get_config} writes them ({@link Optimizer#config()}). */
final class OptimizerConfig {
    private OptimizerConfig() {}

    static Map<String, Object> of(Optimizer o) {
        // Keras 3's get_config: BaseOptimizer's keys in its order (unset ones None), then the class' own
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", kerasName(o.name()));
        // Keras writes its learning-rate variable (float32) as a double, so the float's own value; the rest as given
        c.put("learning_rate", o.schedule() == null ? (Object) (double) o.learningRate() : scheduleConfig(o));
        c.put("weight_decay", o.weightDecay() > 0 || o instanceof AdamW ? (Object) Optimizer.decimal(o.weightDecay()) : null);   // AdamW's is never None
        c.put("clipnorm", o.clipnorm() > 0 ? Optimizer.decimal(o.clipnorm()) : null);
        c.put("global_clipnorm", o.globalClipnorm() > 0 ? Optimizer.decimal(o.globalClipnorm()) : null);
        c.put("clipvalue", o.clipvalue() > 0 ? Optimizer.decimal(o.clipvalue()) : null);
        c.put("use_ema", o.useEma());
        c.put("ema_momentum", Optimizer.decimal(o.emaMomentum()));
        c.put("ema_overwrite_frequency", o.emaOverwriteFrequency() > 0 ? (Object) (long) o.emaOverwriteFrequency() : null);
        c.put("loss_scale_factor", null);
        c.put("gradient_accumulation_steps", o.gradientAccumulationSteps() > 1 ? (Object) (long) o.gradientAccumulationSteps() : null);
        o.putConfig(c);
        return c;
    }

    /** Keras' default optimizer name, auto_name(class name): naming.to_snake_case ("RMSprop" -> "rm_sprop", "AdamW" -> "adam_w"). */
    static String kerasName(String cls) {
        String s = cls.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Map<String, Object> scheduleConfig(Optimizer o) {
        Map<String, Object> s = o.schedule().config();
        if (s == null) {
            throw new IllegalArgumentException(o.name() + ": the learning rate follows a schedule Keras cannot rebuild ("
                    + o.schedule().getClass().getName() + "), so the model cannot be saved whole; use one of jrnn's Keras "
                    + "schedules (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay, "
                    + "CosineDecayRestarts), or save the weights (saveWeights)");
        }
        return s;
    }
}
