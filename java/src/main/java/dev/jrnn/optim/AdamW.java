package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;

/**
 * AdamW with Keras' defaults: learning rate 0.001, weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7, no amsgrad.
 * Each update first decays the weights, {@code p -= p * weightDecay * lr}, then applies Adam.
 *
 * <pre>{@code
 * model.compile(new AdamW(1e-3).weightDecay(0.01), "mse");
 * }</pre>
 */
public final class AdamW extends AdamFamily<AdamW> {
    private boolean amsgrad;

    /** AdamW at Keras' defaults (the class comment): learning rate 0.001. */
    public AdamW() { this(0.001); }

    /**
     * AdamW at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); weight decay 0.004, the rest Keras'
     * defaults.
     */
    public AdamW(double learningRate) {
        super(OptimizerArgs.Kind.ADAMW, learningRate, "AdamW");
        weightDecay(0.004);
    }

    /** AdamW whose learning rate follows {@code schedule} (Keras' {@code learning_rate=schedule}). */
    public AdamW(LearningRateSchedule schedule) {
        super(OptimizerArgs.Kind.ADAMW, schedule);
        weightDecay(0.004);
    }

    @Override
    public String name() { return "AdamW"; }

    /** Keras' {@code amsgrad}, as {@link Adam#amsgrad}: the largest second moment so far in the denominator. */
    public AdamW amsgrad(boolean a) {
        this.amsgrad = a;
        changed();
        return this;
    }

    /** Keras' {@code amsgrad}; default false. */
    public boolean amsgrad() { return amsgrad; }

    @Override
    protected void putConfig(java.util.Map<String, Object> c) {
        super.putConfig(c);
        c.put("amsgrad", amsgrad);
    }

    @Override boolean usesS3() { return amsgrad; }
}
