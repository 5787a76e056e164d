package dev.jrnn.backend;

import java.util.HashMap;
import java.util.Map;

/**
 * Keras' default names of the objects that number them, layers, models and metric objects alike: the first "lstm", then
 * "lstm_1", "lstm_2", ... per base name, process-wide until {@code Jrnn.clearSession()}. One counter for all of them, as
 * Keras keeps its {@code object_name_uids} in the backend's global state ({@code naming.uniquify}): a layer and a metric
 * share a count only when they share a base name.
 */
public final class NameUids {
    private static final Map<String, Integer> COUNTS = new HashMap<>();
    private static long session;

    private NameUids() {}

    /** The next default name of {@code base}: {@code base} itself the first time, then {@code base_1}, ... */
    public static synchronized String unique(String base) {
        int n = COUNTS.merge(base, 1, Integer::sum) - 1;
        return n == 0 ? base : base + "_" + n;
    }

    /** Keras' {@code clear_session()}: every base counts from zero again. */
    public static synchronized void reset() {
        COUNTS.clear();
        session++;
    }

    /** A default name drawn by {@link #draw}: what {@link #giveBack} needs to return its number. */
    public record Drawn(String base, String name, long session) {}

    /** Draws a default name from {@code base}, as {@link #unique}, keeping what {@link #giveBack} needs. */
    public static synchronized Drawn draw(String base) {
        return new Drawn(base, unique(base), session);
    }

    /**
     * Returns {@code d}'s number when it is the last one drawn for its base in this session (an object named right after
     * it was made, as Keras' {@code LSTM(4, name="enc")} or {@code AUC(name="pr")}, takes no number); later numbers are
     * left as they are.
     */
    public static synchronized void giveBack(Drawn d) {
        Integer n = COUNTS.get(d.base());
        if (n == null || d.session() != session) return;
        String last = n == 1 ? d.base() : d.base() + "_" + (n - 1);
        if (!last.equals(d.name())) return;
        if (n == 1) COUNTS.remove(d.base());
        else COUNTS.put(d.base(), n - 1);
    }
}
