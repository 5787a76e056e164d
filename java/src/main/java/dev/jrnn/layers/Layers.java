package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** Input and gradient checks shared by the layers' forward and backward passes. */
final class Layers {
    private Layers() {}

    /** The only input of a one-input layer. */
    /**
     * A one-input layer's forward prologue: its input (of rank {@code minRank} or more: the batch, then the sample's
     * axes), the layer built for it, on the layer's backend.
     */
    static DTensor singleBuilt(Layer l, List<DTensor> inputs, int minRank) {
        DTensor x = single(l, inputs);
        if (x.rank() < minRank) {
            throw new IllegalArgumentException(l.name() + ": expected input (batch, ...), got "
                    + (x.rank() == 0 ? "a scalar" : Tensor.shapeString(x.shape())));
        }
        l.build(perSample(inputs));
        sameBackend(l, l.backend(), inputs);
        return x;
    }

    static DTensor single(Layer l, List<DTensor> inputs) {
        if (inputs == null || inputs.size() != 1 || inputs.get(0) == null) {
            throw new IllegalArgumentException(l.name() + ": expected 1 input, got "
                    + (inputs == null ? "null" : inputs.size() + (inputs.size() == 1 ? " (null)" : "")));
        }
        return inputs.get(0);
    }

    /**
     * The one input of a layer acting on the last axis (batch, ..., features), after building {@code l} for it and
     * checking that it lives on the layer's backend.
     */
    static DTensor lastAxisInput(Layer l, List<DTensor> inputs) {
        DTensor x = single(l, inputs);
        if (x.rank() < 2) {
            throw new IllegalArgumentException(l.name() + ": expected input (batch, ..., features), got " + Tensor.shapeString(x.shape()));
        }
        l.build(perSample(inputs));
        sameBackend(l, l.backend(), inputs);
        return x;
    }

    /** The one per-sample input shape of a one-input layer's computeOutputShapes. */
    static int[] singleShape(Layer l, List<int[]> in) {
        if (in == null || in.size() != 1) {
            throw new IllegalArgumentException(l.name() + ": expected 1 input, got " + (in == null ? 0 : in.size()));
        }
        return in.get(0);
    }

    /** Whether no element is null (List.of(..).contains(null) throws, so loop). */
    static boolean noNulls(List<?> l) {
        for (Object o : l) if (o == null) return false;
        return true;
    }

    /** Per-sample shapes (batch dropped) of batch-first inputs. */
    static List<int[]> perSample(List<DTensor> inputs) {
        List<int[]> r = new ArrayList<>();
        for (DTensor d : inputs) {
            int[] s = d.shape();
            r.add(Arrays.copyOfRange(s, 1, s.length));
        }
        return r;
    }

    static void sameBackend(Layer l, Backend be, List<DTensor> inputs) {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).backend() != be) {
                throw new IllegalArgumentException(l.name() + ": input " + i + " lives on backend "
                        + inputs.get(i).backend().name() + ", the layer on " + be.name());
            }
        }
    }

    /** Checks {@code dOut} against the outputs (count and shapes; null entries allowed). */
    static void checkGradients(Layer l, List<DTensor> dOut, List<DTensor> outputs) {
        if (dOut == null || dOut.size() != outputs.size()) {
            throw new IllegalArgumentException(l.name() + ": backward expects " + outputs.size() + " output gradients, got "
                    + (dOut == null ? "null" : dOut.size()));
        }
        for (int i = 0; i < dOut.size(); i++) {
            DTensor d = dOut.get(i);
            if (d != null && !Arrays.equals(d.shape(), outputs.get(i).shape())) {
                throw new IllegalArgumentException(l.name() + ": gradient of output " + i + " expected shape "
                        + Tensor.shapeString(outputs.get(i).shape()) + ", got " + Tensor.shapeString(d.shape()));
            }
        }
    }

    /** The gradient of the only output (may be null = zero), after checking it. */
    static DTensor gradient(Layer l, List<DTensor> dOut, List<DTensor> outputs) {
        checkGradients(l, dOut, outputs);
        return dOut.get(0);
    }

    /**
     * The trace of a layer with one output {@code y} passing on {@code mask}: backward checks the output gradient and
     * hands it (null = zero) to {@code backward}, which returns the input gradients; closing frees {@code owned}
     * (which holds y and whatever backward adds).
     */
    static Trace trace(Layer l, DTensor y, DTensor mask, List<DTensor> owned, Function<DTensor, List<DTensor>> backward) {
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return List.of(y); }

            @Override
            public DTensor outputMask() { return mask; }

            @Override
            public List<DTensor> backward(List<DTensor> dOut) { return backward.apply(gradient(l, dOut, List.of(y))); }

            @Override
            public void close() {
                for (DTensor d : owned) d.close();
                owned.clear();
            }
        };
    }

    /**
     * After a wrapper's build re-bound {@code inner}'s params into the wrapper's store: frees the
     * inner layer's own (now unused) store and points it at the wrapper's.
     */
    static void adoptInner(Layer outer, Layer inner) {
        if (inner.store != null && inner.store != outer.store) {
            boolean unused = true;
            for (Param p : inner.params) if (p.store() == inner.store) unused = false;
            if (unused) inner.store.close();
        }
        inner.store = outer.store;
    }

    /** A zero tensor of {@code shape} that {@code owned} frees with the trace (the normalization layers' scratch). */
    static DTensor tensor(Backend be, List<DTensor> owned, int... shape) {
        DTensor d = DTensor.zeros(be, shape);
        owned.add(d);
        return d;
    }

    /** Prepends -1 (unknown batch) to a per-sample shape, for messages. */
    static String withBatch(int[] s) {
        return Tensor.shapeString(batchDims(s));
    }

    /** As {@link Layer#shapesString} with the batch shown as None: "(None, 3, 2)". */
    static String batchShapesString(List<int[]> s) {
        List<int[]> b = new ArrayList<>(s.size());
        for (int[] a : s) b.add(batchDims(a));
        return Layer.shapesString(b);
    }

    /** A per-sample shape with -1 (unknown batch) in front. */
    static int[] batchDims(int[] s) {
        int[] r = new int[s.length + 1];
        r[0] = -1;
        System.arraycopy(s, 0, r, 1, s.length);
        return r;
    }

    /**
     * The one input shape of a normalization layer (LayerNormalization, BatchNormalization), checked: known features and
     * {@code axis} -1 or the index of the last axis (counted with the batch).
     */
    static int[] normalizedShape(Layer l, List<int[]> in, int axis) {
        int[] x = singleShape(l, in);
        if (x.length < 1 || x[x.length - 1] <= 0) {
            throw new IllegalArgumentException(l.name() + ": expected input (batch, ..., features) with known features, got "
                    + withBatch(x));
        }
        if (axis != -1 && axis != x.length) {
            throw new IllegalArgumentException(l.name() + ": normalizes over the last axis only; axis " + axis + " of input "
                    + withBatch(x) + " is not the last (" + x.length + " or -1)");
        }
        return x;
    }

    /**
     * For layers that act on the last axis of an input of any rank (Dense, LayerNormalization): one input with the
     * same last dimension, whatever its rank, as Keras' {@code InputSpec(min_ndim=2, axes={-1: n})}.
     */
    static boolean sameLastAxis(List<int[]> built, List<int[]> given) {
        if (given.size() != 1 || built.size() != 1) return false;
        int[] a = built.get(0), b = given.get(0);
        return a.length > 0 && b.length > 0 && a[a.length - 1] == b[b.length - 1];
    }

    /**
     * Whether weights built for inputs {@code built} serve {@code given} in a recurrent layer (or a wrapper of
     * one): the first input (the sequence) has the same rank and features; initial states follow from the units.
     */
    static boolean sameFeatures(List<int[]> built, List<int[]> given) {
        int[] a = built.get(0), b = given.get(0);
        return a.length == b.length && a[a.length - 1] == b[b.length - 1];
    }
}
