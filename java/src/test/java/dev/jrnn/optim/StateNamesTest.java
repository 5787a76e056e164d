package dev.jrnn.optim;

import dev.jrnn.backend.Backends;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.ParamStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Optimizer#stateNames} names, before anything is bound, the buffers a build makes with the same settings:
 * {@link Optimizer#checkState} holds a model file's state to them while the file is read, so that a refused state leaves
 * the bound one as it was.
 */
class StateNamesTest {
    private static final List<Optimizer> SETTINGS = List.of(new Adam(), new Adam().amsgrad(true), new AdamW(), new AdamW().amsgrad(true),
            new Nadam(), new Adamax(), new SGD(), new SGD().momentum(0.9), new RMSprop(), new RMSprop().momentum(0.5),
            new RMSprop().centered(true), new RMSprop().momentum(0.5).centered(true), new Adagrad(), new Adadelta(), new Lion());

    @Test
    void theNamesAreThoseABuildMakes() {
        for (Optimizer o : SETTINGS) {
            ParamStore s = new ParamStore(Backends.cpu(), List.of(new Param("w", true, 3)));
            var before = java.util.Set.copyOf(o.stateNames());
            o.build(s, 3);
            assertEquals(java.util.Set.copyOf(o.stateBuffers().keySet()), before, o.name() + " " + o.config());
            o.close();
        }
    }

    /**
     * state() lists the buffers in Keras' order (stateNames'), the same in every JVM run: Adam and SGD returned Map.of,
     * whose iteration order is salted per run ({m, v} in one run, {v, m} in the next).
     */
    @Test
    void theBuffersComeInKerasOrderInEveryRun() {
        for (Optimizer o : SETTINGS) {
            ParamStore s = new ParamStore(Backends.cpu(), List.of(new Param("w", true, 3)));
            o.build(s, 3);
            assertTrue(o.stateBuffers() instanceof java.util.SequencedMap, o.name() + ": stateBuffers has no fixed order");
            assertEquals(List.copyOf(o.stateNames()), List.copyOf(o.stateBuffers().keySet()), o.name() + " " + o.config());
            assertEquals(List.copyOf(o.stateNames()), List.copyOf(o.state().keySet()).subList(0, o.stateNames().size()), o.name());
            o.close();
        }
    }

    /**
     * stateSlots(), which a model file's restore holds a saved state to, names what state() holds after a step under
     * every optimizer and setting, the same with use_ema and gradient accumulation (their two buffers aside) and for a
     * setting switched on or off before that step (SGD's momentum switched off aside: the bound velocity stays in state(),
     * unread, which a file's restore allows).
     */
    @Test
    void stateSlotsAreWhatAStepKeeps() {
        List<java.util.function.Supplier<Optimizer>> all = List.of(Adam::new, () -> new Adam().amsgrad(true), AdamW::new,
                () -> new AdamW().amsgrad(true), Nadam::new, Adamax::new, SGD::new, () -> new SGD().momentum(0.9),
                () -> new SGD().momentum(0.9).nesterov(true), RMSprop::new, () -> new RMSprop().momentum(0.5), () -> new RMSprop().centered(true),
                () -> new RMSprop().momentum(0.5).centered(true), Adagrad::new, Adadelta::new, Lion::new);
        List<java.util.function.UnaryOperator<Optimizer>> extras = List.of(o -> o, o -> o.useEma(true), o -> o.gradientAccumulationSteps(2),
                o -> o.useEma(true).gradientAccumulationSteps(2));
        for (var make : all) {
            for (var extra : extras) {
                Optimizer o = extra.apply(make.get());
                step(o, store());
                java.util.Set<String> held = new java.util.LinkedHashSet<>(o.state().keySet());
                held.removeAll(java.util.Set.of("gradient_accumulator", "average"));
                assertEquals(held, o.stateSlots(), o.name() + " " + o.config());
                assertEquals(List.copyOf(held), List.copyOf(o.stateSlots()), o.name() + ": the order");
                o.close();
            }
        }
        // a setting switched between steps: the next step's state has the slots of the settings as they stand
        for (Optimizer first : List.of(new Adam(), new Adam().amsgrad(true), new SGD(), new RMSprop(),
                new RMSprop().momentum(0.5).centered(true))) {
            Optimizer o = first.useEma(true).gradientAccumulationSteps(2);
            ParamStore s = store();
            step(o, s);
            switch (o) {
                case Adam a -> a.amsgrad(!a.amsgrad());
                case SGD g -> g.momentum(g.stateSlots().isEmpty() ? 0.9 : 0);
                case RMSprop r -> { boolean on = r.stateSlots().size() == 1; r.momentum(on ? 0.5 : 0).centered(on); }
                default -> throw new AssertionError(o.name());
            }
            step(o, s);
            java.util.Set<String> held = new java.util.LinkedHashSet<>(o.state().keySet());
            held.removeAll(java.util.Set.of("gradient_accumulator", "average"));
            assertEquals(held, o.stateSlots(), "switched: " + o.name() + " " + o.config());
            o.close();
        }
    }

    /** One step of {@code o} over the three weights of {@code s} with a gradient of 0.5 each. */
    private static void step(Optimizer o, ParamStore s) {
        s.backend().fill(s.grads(), 0, 3, 0.5f);
        o.step(s, s.params(), s.size());
    }

    private static ParamStore store() {
        return new ParamStore(Backends.cpu(), List.of(new Param("w", true, 3)));
    }

    /** A refused state leaves the bound one: restoreState checks before it binds (it bound afresh, then refused). */
    @Test
    void aRefusedRestoreLeavesTheBoundState() {
        Nadam o = new Nadam();
        ParamStore s = new ParamStore(Backends.cpu(), List.of(new Param("w", true, 3)));
        o.restoreState(s, 3, 5, Map.of("m", new float[] {1, 2, 3}, "v", new float[] {4, 5, 6}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> o.restoreState(s, 3, 6, Map.of("m", new float[] {7, 8, 9})));
        assertTrue(e.getMessage().contains("Nadam.restoreState: expected state [m, v], got [m]"), e.getMessage());
        assertEquals(5, o.iterations());
        assertEquals(List.of(1f, 2f, 3f, 4f, 5f, 6f), floats(o.state().get("m"), o.state().get("v")));
        o.close();
    }

    private static List<Float> floats(float[] a, float[] b) {
        return List.of(a[0], a[1], a[2], b[0], b[1], b[2]);
    }
}
