package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.SgdArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.ParamStore;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An optimizer's Keras {@code weight_decay} and {@code exclude_from_weight_decay(var_names=...)}: the rate; without
 * exclusions each fused update applies it to every weight itself ({@link #fused}), with them the weights not excluded
 * are decayed here before the update, as Keras does.
 */
final class WeightDecay {
    float rate;
    /** The excluded names as one pattern searched in each weight's name; null: none. */
    private Pattern excluded;
    private List<String> excludedNames = List.of();
    /** The weights before the decay of the ones not excluded (only with exclusions): the decay reads them as it writes. */
    private Buf from;

    /** Sets the excluded names (patterns) of {@link Optimizer#excludeFromWeightDecay}; refused whole, naming {@code o}. */
    void exclude(Optimizer o, String... varNames) {
        if (varNames == null) throw new IllegalArgumentException(o.name() + ".excludeFromWeightDecay: varNames is null, expected weight names");
        Set<String> names = new LinkedHashSet<>();
        for (String n : varNames) {
            if (n == null || n.isEmpty()) {
                throw new IllegalArgumentException(o.name() + ".excludeFromWeightDecay: varNames must be non-empty names (or patterns), got "
                        + (n == null ? "null" : "\"\"") + " in " + Arrays.toString(varNames));
            }
            names.add(n);
        }
        Pattern p;
        try {
            p = names.isEmpty() ? null : Pattern.compile(String.join("|", names));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(o.name() + ".excludeFromWeightDecay: varNames " + names + " is not a valid pattern: "
                    + e.getDescription());
        }
        excluded = p;
        excludedNames = List.copyOf(names);
    }

    List<String> excludedNames() { return excludedNames; }

    /** The rate the fused update applies to all weights: 0 when some are excluded ({@link #apply} decays the others). */
    float fused() { return excluded == null ? rate : 0f; }

    /** Whether {@link #apply} decays weights: a rate and excluded names (without, the fused update decays them all). */
    boolean decaysHere() { return rate > 0 && excluded != null; }

    /**
     * With exclusions, Keras' {@code p -= p * rate * lr} on the weights of {@code trainable} whose name no excluded pattern
     * matches, as a plain guarded SGD step along a copy of them (skipped with the update when the guard is set).
     */
    void apply(Backend be, ParamStore store, List<Param> trainable, long n, Buf guard, float lr) {
        if (from == null) from = be.alloc(n);
        float step = lr * rate;
        Buf p = store.values();
        for (Param w : trainable) {
            if (excluded.matcher(w.name()).find()) continue;
            be.copy(p, w.offset(), from, w.offset(), w.size());
            be.sgdUpdate(new SgdArgs(w.size(), new Span(p, w.offset()), new Span(from, w.offset()), null, Span.ofNullable(guard),
                    step, 0, false));
        }
    }

    /** Frees the copy {@link #apply} keeps (a later apply allocates it again). */
    void release() {
        if (from != null) from.close();
        from = null;
    }
}
