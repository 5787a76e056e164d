package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.layers.ParamStore;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An optimizer's state as {@link Optimizer#state()} hands it out and {@link Optimizer#restoreState} takes it back: the
 * buffers copied to and from the host, and what a restore checks before it binds anything (the call count's range,
 * each slot's length, which slots may be missing or left over).
 */
final class OptimizerState {
    private OptimizerState() {}

    /** A host copy of each of {@code buffers}' first {@code n} floats, by name. */
    static Map<String, float[]> download(Backend be, Map<String, Buf> buffers, long n) {
        Map<String, float[]> r = new LinkedHashMap<>();
        for (var e : buffers.entrySet()) {
            float[] a = new float[Math.toIntExact(n)];
            be.download(e.getValue(), 0, a, 0, a.length);
            r.put(e.getKey(), a);
        }
        return r;
    }

    /**
     * Fills {@code buffers} from {@code state}; a slot it lacks starts as when its setting is switched on between steps:
     * the average at the weights of {@code store} (read only then: a deferred store allocates on its first read), any
     * other at {@code o}'s {@link Optimizer#stateStart}.
     */
    static void upload(Optimizer o, Backend be, ParamStore store, Map<String, Buf> buffers, Map<String, float[]> state, long n) {
        for (var e : buffers.entrySet()) {
            float[] v = state.get(e.getKey());
            if (v != null) be.upload(v, 0, e.getValue(), 0, (int) n);
            else if (e.getKey().equals(AccumulationAndEma.AVERAGE)) be.copy(store.values(), 0, e.getValue(), 0, n);   // starts at the weights
            else be.fill(e.getValue(), 0, n, o.stateStart(e.getKey()));
        }
    }

    /** {@link Optimizer#checkState}'s checks, the messages starting with {@code who}. */
    static void check(Optimizer o, String who, long n, long iterations, Map<String, float[]> state) {
        if (iterations < 0 || iterations > Optimizer.MAX_ITERATIONS) {
            throw new IllegalArgumentException(who + ": iterations must be in [0, " + Optimizer.MAX_ITERATIONS + "], got " + iterations);
        }
        for (var e : state.entrySet()) {
            if (e.getValue() == null || e.getValue().length != n) {
                throw new IllegalArgumentException(who + ": state '" + e.getKey() + "' should hold " + n + " values, got "
                        + (e.getValue() == null ? "null" : e.getValue().length));
            }
        }
        Set<String> names = o.stateNames();
        if (!slotsFit(o, names, state.keySet())) {
            throw new IllegalArgumentException(who + ": expected state " + names + ", got " + state.keySet());
        }
    }

    /** Whether saved slots {@code given} fit the slots {@code kept}: they differ at most in {@code o}'s toggled slots and the accumulator and average. */
    static boolean slotsFit(Optimizer o, Set<String> kept, Set<String> given) {
        Set<String> differ = new HashSet<>(kept);
        differ.addAll(given);
        differ.removeIf(k -> kept.contains(k) && given.contains(k));
        differ.removeAll(Set.of(AccumulationAndEma.ACCUMULATOR, AccumulationAndEma.AVERAGE));   // a setting's too
        return o.toggledSlots().containsAll(differ);
    }
}
