package dev.jrnn.optim;

import dev.jrnn.optim.schedules.ExponentialDecay;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every optimizer returns its own type from the setters it inherits, so a Keras-style chain can set the base
 * settings (learning rate, clipping, weight decay, accumulation, EMA) before the class' own
 * ({@code new Adam().learningRate(1e-3).beta1(0.8)}), as {@code LayerSettersTest} holds for the layers.
 */
class OptimizerSettersTest {
    static final List<Class<? extends Optimizer>> OPTIMIZERS = List.of(Adam.class, AdamW.class, Nadam.class, Adamax.class,
            SGD.class, RMSprop.class, Adagrad.class, Adadelta.class, Lion.class);

    /**
     * Each chain calls every base setter and then the class' own: it compiles only if each base setter keeps the type
     * (one returning Optimizer would leave the rest of the chain an Optimizer, without the own setter at its end).
     */
    @Test
    void baseSettersChainIntoTheClassOwnSetters() {
        Adam adam = new Adam().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .beta1(0.8).beta2(0.99).epsilon(1e-6).amsgrad(true);
        assertBase(adam);
        assertEquals(List.of(0.8f, 0.99f, 1e-6f), List.of(adam.beta1(), adam.beta2(), adam.epsilon()));
        assertTrue(adam.amsgrad());

        AdamW adamW = new AdamW().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .beta1(0.8).beta2(0.99).epsilon(1e-6).amsgrad(true);
        assertBase(adamW);
        assertEquals(List.of(0.8f, 0.99f, 1e-6f), List.of(adamW.beta1(), adamW.beta2(), adamW.epsilon()));
        assertTrue(adamW.amsgrad());

        Nadam nadam = new Nadam().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .beta1(0.8).beta2(0.99).epsilon(1e-6);
        assertBase(nadam);
        assertEquals(List.of(0.8f, 0.99f, 1e-6f), List.of(nadam.beta1(), nadam.beta2(), nadam.epsilon()));

        Adamax adamax = new Adamax().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .beta1(0.8).beta2(0.99).epsilon(1e-6);
        assertBase(adamax);
        assertEquals(List.of(0.8f, 0.99f, 1e-6f), List.of(adamax.beta1(), adamax.beta2(), adamax.epsilon()));

        SGD sgd = new SGD().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .momentum(0.7).nesterov(true);
        assertBase(sgd);
        assertEquals(0.7f, sgd.momentum());
        assertTrue(sgd.nesterov());

        RMSprop rms = new RMSprop().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .rho(0.8).momentum(0.5).epsilon(1e-6).centered(true);
        assertBase(rms);
        assertEquals(List.of(0.8f, 0.5f, 1e-6f), List.of(rms.rho(), rms.momentum(), rms.epsilon()));
        assertTrue(rms.centered());

        Adagrad adagrad = new Adagrad().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .initialAccumulatorValue(0.2).epsilon(1e-6);
        assertBase(adagrad);
        assertEquals(List.of(0.2f, 1e-6f), List.of(adagrad.initialAccumulatorValue(), adagrad.epsilon()));

        Adadelta adadelta = new Adadelta().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .rho(0.8).epsilon(1e-6);
        assertBase(adadelta);
        assertEquals(List.of(0.8f, 1e-6f), List.of(adadelta.rho(), adadelta.epsilon()));

        Lion lion = new Lion().learningRate(new ExponentialDecay(0.1, 10, 0.5)).clearSchedule().learningRate(2e-3)
                .clipvalue(0.5).clipvalue(0).clipnorm(1.5).clipnorm(0).globalClipnorm(2).weightDecay(0.01)
                .excludeFromWeightDecay("bias").gradientAccumulationSteps(2).useEma(true).emaMomentum(0.9)
                .emaOverwriteFrequency(3).iterations(4)
                .beta1(0.8).beta2(0.9);
        assertBase(lion);
        assertEquals(List.of(0.8f, 0.9f), List.of(lion.beta1(), lion.beta2()));
    }

    /** What the base chain above set, read back. */
    private static void assertBase(Optimizer o) {
        String n = o.name();
        assertNull(o.schedule(), n);
        assertEquals(2e-3f, o.learningRate(), n);
        assertEquals(List.of(0f, 0f, 2f), List.of(o.clipnorm(), o.clipvalue(), o.globalClipnorm()), n);
        assertEquals(0.01f, o.weightDecay(), n);
        assertEquals(List.of("bias"), o.excludedFromWeightDecay(), n);
        assertEquals(2, o.gradientAccumulationSteps(), n);
        assertTrue(o.useEma(), n);
        assertEquals(0.9f, o.emaMomentum(), n);
        assertEquals(3, o.emaOverwriteFrequency(), n);
        assertEquals(4L, o.iterations(), n);
    }

    /** Every public setter of a supertype (one returning an Optimizer) is overridden to return the class itself. */
    @Test
    void everyInheritedSetterReturnsTheOptimizersOwnType() {
        List<String> missing = new ArrayList<>();
        for (Class<? extends Optimizer> c : OPTIMIZERS) missing.addAll(settersNotReturning(c));
        assertEquals(List.of(), missing);
    }

    @Test
    void theCheckSeesTheSetters() {
        // FusedOptimizer overrides none: the check must list all 13 of Optimizer's setters there
        assertEquals(13, settersNotReturning(FusedOptimizer.class).size(), settersNotReturning(FusedOptimizer.class).toString());
    }

    private static List<String> settersNotReturning(Class<? extends Optimizer> c) {
        List<String> missing = new ArrayList<>();
        for (Method m : c.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isBridge() || !Optimizer.class.isAssignableFrom(m.getReturnType())) continue;
            if (returnedType(c, m) != c) missing.add(c.getSimpleName() + "." + m.getName() + " returns " + m.getGenericReturnType());
        }
        return missing;
    }

    /** The class a call of m on a c returns: its return type, or the type argument c gives its declaring class' variable. */
    private static Type returnedType(Class<?> c, Method m) {
        Type t = m.getGenericReturnType();
        if (!(t instanceof TypeVariable<?> v)) return t;
        for (Type s = c.getGenericSuperclass(); s != null; ) {
            Class<?> raw = s instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) s;
            if (raw == v.getGenericDeclaration() && s instanceof ParameterizedType p) {
                TypeVariable<?>[] vars = raw.getTypeParameters();
                for (int i = 0; i < vars.length; i++) if (vars[i].equals(v)) return p.getActualTypeArguments()[i];
            }
            s = raw.getGenericSuperclass();
        }
        return t;
    }

    @Test
    void theOverridesKeepTheBadInputChecksAndReturnTheSameObject() {
        Lion lion = new Lion();
        assertSame(lion, lion.clipnorm(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lion.clipvalue(0.5));
        assertTrue(e.getMessage().contains("clipvalue"), e.getMessage());
        assertEquals(0f, lion.clipvalue());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam().emaMomentum(1.5));
        assertTrue(e.getMessage().contains("ema"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD().iterations(-1));
        assertTrue(e.getMessage().contains("iterations"), e.getMessage());
        Adamax scheduled = new Adamax(new ExponentialDecay(0.1, 10, 0.5));
        assertThrows(IllegalStateException.class, () -> scheduled.learningRate(0.1));
        assertFalse(scheduled.schedule() == null);
    }
}
