package dev.jrnn.model;

import dev.jrnn.data.Batch;
import dev.jrnn.data.Dataset;

import java.util.List;

/**
 * A named {@link Dataset}'s parts matched to a model by name, as Keras matches a tf.data set of dicts: each input of the
 * model read by its name ({@link Graph#inputNames()}: the Inputs' names, or a dict-input model's keys), other input keys
 * left unread (as Keras' {@code x[name]} for each input leaves them; a dict-input model's warning where Keras 3 would pair
 * them otherwise), a missing one refused; the targets and per-output sample weights by the outputs' keys, every one and
 * no other (Keras' "y_true and y_pred have different structures"), a null target ({@link Dataset#nullTargetNames()}) giving
 * its output none, as the tensor calls' {@code y} map with a null value ({@link InputCheck#byOutputName}: the same
 * {@link InputCheck.KeyMatch}). Predict reads no target. Each batch is picked into the model's order by {@link Batch#select};
 * kinds the data set leaves positional keep their order.
 */
final class DatasetKeys {
    private final List<String> inputNames, targetNames, weightNames;   // the data set's, empty: positional
    private final int[] inputs, targets, weights;                        // per model input / output: the batch part, -1 none; null: positional

    private DatasetKeys(Dataset d, int[] inputs, int[] targets, int[] weights) {
        this.inputNames = d.inputNames();
        this.targetNames = d.targetNames();
        this.weightNames = d.sampleWeightNames();
        this.inputs = inputs;
        this.targets = targets;
        this.weights = weights;
    }

    /**
     * How {@code d}'s batches map onto the model of {@code graph} named {@code model} for a call {@code where} ("m.fit");
     * null where the data set names nothing. {@code withTargets}: the targets and weights are read (not for predict). A data
     * set whose names an operation dropped ({@link Dataset#namesDroppedBy()}) is refused: its parts are in sorted-key order.
     */
    static DatasetKeys of(String where, String model, Graph graph, Dataset d, boolean withTargets) {
        requireNamesKept(where, model, d);
        List<String> in = d.inputNames(), out = d.targetNames(), ws = d.sampleWeightNames(), none = d.nullTargetNames();
        if (in.isEmpty() && (!withTargets || out.isEmpty() && ws.isEmpty() && none.isEmpty())) return null;
        int[] ix = null, tx = null, wx = null;
        if (!in.isEmpty()) {
            List<String> names = graph.inputNames();
            InputCheck.KeyMatch m = InputCheck.KeyMatch.of(names, in);
            if (!m.missing().isEmpty()) {
                throw new IllegalArgumentException(where + ": the dataset has no input " + quoted(m.missing()) + " of model '" + model
                        + "' (inputs: " + String.join(", ", names) + "; the dataset's input keys: " + String.join(", ", in) + ")"
                        + (m.unknown().isEmpty() ? "" : "; dataset key " + quoted(m.unknown()) + (m.unknown().size() == 1 ? " is not an input" : " are not inputs")
                        + " of model '" + model + "'") + ", as Keras refuses (\"Missing data for input\")");
            }
            if (graph.inputDictKeys != null) InputCheck.warnIfKeras3PairsOtherwise(where, graph, names, new java.util.HashSet<>(in));
            ix = names.stream().mapToInt(in::indexOf).toArray();
        }
        if (withTargets && !(out.isEmpty() && none.isEmpty())) tx = byOutput(where, model, graph, out, none, "target");
        if (withTargets && !ws.isEmpty()) wx = byOutput(where, model, graph, ws, none, "sample weight");
        return new DatasetKeys(d, ix, tx, wx);
    }

    /**
     * Refuses a data set whose names an operation dropped ({@link Dataset#namesDroppedBy()}), for model {@code model}'s call
     * {@code where}: also before an unbuilt model is built from it, so the refusal leaves it unbuilt.
     */
    static void requireNamesKept(String where, String model, Dataset d) {
        if (d.namesDroppedBy() != null) {
            throw new IllegalArgumentException(where + ": the dataset's names were dropped by " + d.namesDroppedBy() + " (it adds a part,"
                    + " so the parts no longer follow the names), and its parts, in sorted-key order, need not be in model '" + model
                    + "''s order; map the added part away and name the parts again with Dataset.named(inputs, targets, sampleWeights)");
        }
    }

    /** Per output, the part of {@code keys} that holds its {@code kind}, -1 for one of {@code none} (a null target). */
    private static int[] byOutput(String where, String model, Graph graph, List<String> keys, List<String> none, String kind) {
        List<String> names = graph.outputKeys(), given = new java.util.ArrayList<>(keys);
        given.addAll(none);
        InputCheck.KeyMatch m = InputCheck.KeyMatch.of(names, given);
        if (!m.exact()) {
            List<String> missing = m.missing(), unknown = m.unknown();
            throw new IllegalArgumentException(where + ": the dataset's " + kind + " keys " + keys.stream().sorted().toList()
                    + (none.isEmpty() ? "" : " (null targets: " + String.join(", ", none) + ")") + " are not the outputs of model '" + model
                    + "' (outputs: " + String.join(", ", names) + ")" + (missing.isEmpty() ? "" : ": without " + quoted(missing))
                    + (unknown.isEmpty() ? "" : (missing.isEmpty() ? ": " : ", ") + "with " + quoted(unknown) + ", which name" + (unknown.size() == 1 ? "s" : "")
                    + " no output") + "; give one per output key, as Keras (\"y_true and y_pred have different structures\")");
        }
        return names.stream().mapToInt(keys::indexOf).toArray();   // a null target's: -1
    }

    /** Whether output {@code k} gets targets from the data set (not where its target is null). */
    boolean hasTarget(int k) {
        return targets == null || targets[k] >= 0;
    }

    private static String quoted(List<String> names) {
        return "'" + String.join("', '", names) + "'";
    }

    /**
     * {@code b}'s parts in the model's order (a view: closing it closes {@code b}); {@code b} is closed when it does not hold
     * the parts the names say (a map after naming changed them).
     */
    Batch select(Batch b, String where) {
        try {
            count(where, "input", inputNames, b.inputCount());
            if (targets != null) count(where, "target", targetNames, b.targetCount());
            if (weights != null) count(where, "sample weight", weightNames, b.sampleWeightCount());
            return b.select(inputs != null ? inputs : identity(b.inputCount()), targets != null ? targets : identity(b.targetCount()),
                    weights != null ? weights : identity(b.sampleWeightCount()));
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private static void count(String where, String kind, List<String> names, int got) {
        if (!names.isEmpty() && names.size() != got) {
            throw new IllegalArgumentException(where + ": the dataset names " + names.size() + " " + kind + "s " + names + ", its batch holds "
                    + got + " (a map after the names changed the parts: name them again with Dataset.named)");
        }
    }

    private static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
