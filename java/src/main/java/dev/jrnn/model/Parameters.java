package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.layers.TrainableFlags;
import dev.jrnn.optim.Optimizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every parameter of a model's layers in one flat {@link ParamStore}, trainable ones first (so the
 * optimizer runs one fused update), with the layer owning each and the backend they live on; plus the
 * device copy of the trainable weights a guarded step restores from. Built again when the layers'
 * trainable flags change or another model took the parameters over.
 */
final class Parameters implements AutoCloseable {
    /** The model's name (when collected), named by the layers if they are used after its close(). */
    private final String owner;
    final Backend backend;
    final ParamStore store;
    /** Trainable parameters, then the others: the store's layout. */
    final List<Param> all;
    /** Layer by layer, each layer's in the order it made them (Keras' get_weights order: flags move no weight). */
    final List<Param> layerOrder;
    final List<Param> trainable;
    /** Where each trainable parameter sat in the store when it was collected (they move when a newer store takes them). */
    private final Map<Param, Long> trainableAt = new IdentityHashMap<>();
    /** The optimizer state, by slot, of weights that trained before and are frozen now; {@link #parkedFor}'s. */
    private final Map<Param, Map<String, float[]>> parked = new IdentityHashMap<>();
    private Optimizer parkedFor;
    /** {@link TrainableFlags#changes()} when the partition was last found as collected. */
    private long flagsSeen = TrainableFlags.changes();
    /** The model's own trainable flag when the store was built (off: nothing trains). */
    private final boolean modelTrains;
    final Map<Param, Layer> owners;
    /**
     * The weights of layers only a nested call's unused branch runs: not listed (layers(), getWeights, the sizes, a flat
     * file), but trained as Keras trains them (its trainable_weights hold them): each after the listed ones of its part.
     */
    final Set<Param> unlisted;
    /** {@link #trainable} less the {@link #unlisted} ones: what a flat file (.h5) holds slots for, at the block's start. */
    final List<Param> listedTrainable;
    /** The trainable block's size (the optimizer's), unlisted trainable weights included. */
    final long trainableSize;
    /** The listed trainable weights' size: the block's first part. */
    final long listedTrainableSize;
    /** The listed weights that do not train. */
    final long nonTrainableSize;
    /**
     * The weights a layer updates in its own forward pass (non-trainable {@code Param}s: BatchNormalization's moving
     * statistics): a guarded step backs them up after the trainable weights and puts them back when it is undone.
     */
    final List<Param> state;
    private final long stateSize;
    /** Copy of the trainable weights before the current update (fit with checkFinite), to undo a non-finite step. */
    private Buf backup;

    private Parameters(String owner, Backend backend, ParamStore store, List<Param> all, List<Param> layerOrder,
                       List<Param> trainable, Map<Param, Layer> owners, Set<Param> unlisted, boolean modelTrains) {
        this.modelTrains = modelTrains;
        this.owner = owner;
        this.backend = backend;
        this.store = store;
        this.all = all;
        this.layerOrder = layerOrder;
        this.trainable = trainable;
        this.owners = owners;
        this.unlisted = unlisted;
        long ts = 0, ls = 0, ns = 0;
        List<Param> listedTr = new ArrayList<>();
        for (Param p : trainable) {
            trainableAt.put(p, p.offset());
            ts += p.size();
            if (!unlisted.contains(p)) {
                listedTr.add(p);
                ls += p.size();
            }
        }
        for (Param p : all) if (!unlisted.contains(p)) ns += p.size();
        this.trainableSize = ts;
        this.listedTrainableSize = ls;
        this.listedTrainable = List.copyOf(listedTr);
        this.nonTrainableSize = ns - ls;
        List<Param> st = new ArrayList<>();
        long ss = 0;
        for (Param p : all) {
            if (!p.trainable()) {
                st.add(p);
                ss += p.size();
            }
        }
        this.state = List.copyOf(st);
        this.stateSize = ss;
    }

    /**
     * Gathers the parameters of {@code layers} (trainable first) into a new store; {@code name} goes in messages. A model
     * that is not trainable itself ({@code modelTrains} false) trains none of them, whatever its layers say, as Keras'
     * {@code trainable_weights} is empty for a layer (a model) whose own flag is off. Only the first {@code listed} of
     * {@code layers} are the model's listed layers: the others' weights (layers that run only on a nested call's unused branch, {@link Graph#runLayers})
     * stay out of {@link #layerOrder}, the sizes and the flat files, and train as Keras trains them (by their activity and
     * weight penalties; its model's trainable_weights hold them): each after the listed weights of its part of the store.
     */
    static Parameters collect(String name, List<Layer> layers, int listed, boolean modelTrains) {
        List<Param> tr = new ArrayList<>(), nt = new ArrayList<>(), inOrder = new ArrayList<>(), more = new ArrayList<>();
        List<Param> trMore = new ArrayList<>(), ntMore = new ArrayList<>();
        Set<Param> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Param, Layer> own = new IdentityHashMap<>();
        Backend be = null;
        for (int li = 0; li < layers.size(); li++) {
            Layer l = layers.get(li);
            l.requireWeights();
            for (Param p : l.params()) {
                if (!seen.add(p)) continue;   // a shared weight once, at its first layer
                own.put(p, l);
                if (li >= listed) more.add(p);
                else inOrder.add(p);
                boolean trains = modelTrains && l.trains(p);
                (li >= listed ? trains ? trMore : ntMore : trains ? tr : nt).add(p);
                Backend pb = p.backend();
                if (be == null) be = pb;
                else if (pb != be) {
                    throw new IllegalStateException(name + ": layer " + l.name() + " was built on backend " + pb.name()
                            + ", other layers on " + (pb.name().equals(be.name()) ? "another " + be.name() + " backend instance"
                            : be.name()) + ": build all layers of a model on one backend");
                }
            }
        }
        if (be == null) be = firstBackend(layers);
        tr.addAll(trMore);   // the listed trainable weights first: a flat file's slots are the block's start
        List<Param> all = new ArrayList<>(tr);
        all.addAll(nt);
        all.addAll(ntMore);
        return new Parameters(name, be, new ParamStore(be, all), List.copyOf(all), List.copyOf(inOrder), List.copyOf(tr), own,
                identitySet(more), modelTrains);
    }

    private static Set<Param> identitySet(List<Param> ps) {
        Set<Param> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(ps);
        return Collections.unmodifiableSet(s);
    }

    private static Backend firstBackend(List<Layer> layers) {
        for (Layer l : layers) {
            try {
                return l.backend();
            } catch (IllegalStateException e) {
                // InputLayers are never built
            }
        }
        return Jrnn.backend();
    }

    /** Whether every parameter is still bound to this store (another model built on the same layers may take them). */
    boolean bound() {
        for (Param p : all) if (!p.isBound() || p.store() != store) return false;
        return true;
    }

    /**
     * Whether a layer's trainable flag changed which weights train since the store was built (checked before every train
     * step: no flag changed anywhere since the last look, the common case, costs one read of {@link TrainableFlags}).
     */
    boolean partitionChanged(boolean modelTrains) {
        if (modelTrains != this.modelTrains) return true;
        long changes = TrainableFlags.changes();
        if (changes == flagsSeen) return false;
        for (Param p : all) {
            Layer l = owners.get(p);
            if ((modelTrains && l.trains(p)) != trainableAt.containsKey(p)) return true;
        }
        flagsSeen = changes;   // flags flipped back, or another model's: this partition stands
        return false;
    }

    /**
     * Moves {@code opt}'s state from the store {@code old} to this one weight by weight, as Keras keeps an optimizer slot
     * per variable: a weight that trains in both keeps its state; one frozen now keeps it aside (parked here) and takes
     * it back when it trains again; one that never trained with {@code opt} starts from {@link Optimizer#stateStart}
     * (Keras refuses a variable its optimizer was not built with; jrnn lets it join). Nothing moves when {@code opt}
     * holds no state of {@code old}'s (a new optimizer, or every weight frozen until now: the state starts afresh).
     */
    void takeOptimizerState(Optimizer opt, Parameters old) {
        if (opt == null || old == null || old.trainableSize == 0 || !opt.boundTo(old.store, old.trainableSize)) return;
        Map<String, float[]> flat = opt.state();
        Map<Param, Map<String, float[]>> aside = old.parkedFor == opt ? old.parked : Map.of();
        parkedFor = opt;
        for (Param p : old.trainable) {
            if (!trainableAt.containsKey(p)) parked.put(p, slices(flat, old.trainableAt.get(p), p.size()));
        }
        for (Map.Entry<Param, Map<String, float[]>> e : aside.entrySet()) {
            if (!trainableAt.containsKey(e.getKey()) && owners.containsKey(e.getKey())) parked.put(e.getKey(), e.getValue());
        }
        if (trainableSize == 0) return;
        Map<String, float[]> moved = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : flat.entrySet()) {
            float[] to = new float[Math.toIntExact(trainableSize)];
            java.util.Arrays.fill(to, opt.stateStart(e.getKey()));
            for (Param p : trainable) {
                Long from = old.trainableAt.get(p);
                float[] kept = aside.containsKey(p) ? aside.get(p).get(e.getKey()) : null;
                int at = Math.toIntExact(trainableAt.get(p)), n = Math.toIntExact(p.size());
                if (from != null) System.arraycopy(e.getValue(), Math.toIntExact(from), to, at, n);
                else if (kept != null) System.arraycopy(kept, 0, to, at, n);
                else if (e.getKey().equals("average")) backend.download(store.values(), at, to, at, n);   // use_ema's: from the weight, not 0
            }
            moved.put(e.getKey(), to);
        }
        opt.restoreState(store, trainableSize, opt.iterations(), moved);
    }

    private static Map<String, float[]> slices(Map<String, float[]> flat, long from, long size) {
        Map<String, float[]> r = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : flat.entrySet()) {
            r.put(e.getKey(), java.util.Arrays.copyOfRange(e.getValue(), Math.toIntExact(from), Math.toIntExact(from + size)));
        }
        return r;
    }

    /** The device buffer a guarded step backs the trainable weights, then the {@link #state} ones, up to (allocated on first use). */
    Buf backup() {
        if (backup == null) backup = backend.alloc(trainableSize + stateSize);
        return backup;
    }

    /** Copies the {@link #state} weights into the backup, after the trainable ones (a guarded step, before its forward pass). */
    void backUpState() {
        long at = trainableSize;
        for (Param p : state) {
            backend.copy(p.value(), p.offset(), backup(), at, p.size());
            at += p.size();
        }
    }

    /** Sets {@code guard} to {@code code} when a {@link #state} weight is not finite. */
    void guardState(float code, Buf guard) {
        for (Param p : state) backend.finiteGuard(p.size(), p.value(), p.offset(), code, guard, 0);
    }

    /** Puts the backed-up {@link #state} weights back when {@code guard} is set (the step was undone). */
    void restoreStateIfGuard(Buf guard) {
        long at = trainableSize;
        for (Param p : state) {
            backend.copyIfGuard(p.size(), guard, 0, backup(), at, p.value(), p.offset());
            at += p.size();
        }
    }

    /** Frees the backup only (the store is replaced by a newer one that took its values). */
    void closeBackup() {
        if (backup != null) {
            backup.close();
            backup = null;
        }
    }

    @Override
    public void close() { closeAs(owner); }

    /** As {@link #close()}, naming the model as it is called now (it may have been renamed since the collection). */
    void closeAs(String modelName) {
        closeBackup();
        store.closeFor(modelName);
    }
}
