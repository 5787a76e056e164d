package dev.jrnn.examples;

import dev.jrnn.Jrnn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the seed notebooks' examples in jrnn (what {@code ci/demo.sh} calls). Arguments pick demos
 * by name; none runs them all.
 *
 * <pre>
 * ci/demo.sh                 # all
 * ci/demo.sh shapes hello    # some
 * </pre>
 */
public final class Demos {
    private Demos() {}

    /** Demo names and what runs them, in order. */
    public static Map<String, Runnable> all() {
        Map<String, Runnable> m = new LinkedHashMap<>();
        m.put("shapes", RnnShapes::run);
        m.put("many-to-one", ManyToOne::run);
        m.put("sequence", SequencePrediction::run);
        m.put("hello", HelloStates::run);
        m.put("bidirectional", BidirectionalStack::run);
        m.put("charlm", CharLanguageModel::run);
        m.put("functional", FunctionalStates::run);
        m.put("sine", SineForecast::run);
        m.put("keras", KerasModelImport::run);
        return m;
    }

    public static void main(String[] args) {
        Map<String, Runnable> demos = all();
        List<String> pick = args.length == 0 ? List.copyOf(demos.keySet()) : List.of(args);
        for (String p : pick) {
            if (!demos.containsKey(p)) {
                System.err.println("unknown demo '" + p + "': choose from " + demos.keySet());
                System.exit(2);
            }
        }
        System.out.println("jrnn demos on backend " + Jrnn.backend().name());
        long start = System.nanoTime();
        for (String p : pick) {
            long t0 = System.nanoTime();
            demos.get(p).run();
            System.out.printf(Locale.ROOT, "[%s: %.1f s]%n", p, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "%nall demos done in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }
}
