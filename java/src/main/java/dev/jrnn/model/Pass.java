package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.BufferTooLargeException;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.MaskArgument;
import dev.jrnn.layers.MaskClearing;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass of a graph on device inputs: every node's value and mask, the layers' traces, what
 * to free; and the backward pass through them. Closing it frees the traces and the tensors it owns.
 */
final class Pass implements AutoCloseable {
    private final Graph graph;
    /** The run the forward pass made ({@link Graph#run}) and its calls: traces' order. */
    private Graph.Run run;
    private List<Call> calls = List.of();
    private final Backend backend;
    private final Map<Node, DTensor> values = new IdentityHashMap<>();
    /** Each node's mask at run time, as Keras' tensors carry it (what the loss reads). */
    final Map<Node, DTensor> masks = new IdentityHashMap<>();
    /** The symbolic mask where it differs from {@link #masks} (cleared by a MultiHeadAttention upstream: MaskClearing). */
    private final Map<Node, DTensor> symbolic = new IdentityHashMap<>();
    private final List<Trace> traces = new ArrayList<>();
    private final List<DTensor> owned = new ArrayList<>();
    /** Calls start..end run as one recurrent wavefront this pass: end -> start (its trace is at start). */
    final Map<Integer, Integer> stacks = new HashMap<>();

    private Pass(Graph graph, Backend backend) {
        this.graph = graph;
        this.backend = backend;
    }

    DTensor value(Node n) { return values.get(n); }

    /** The run the forward pass made: the calls whose indices {@link #backward(Map, java.util.function.IntConsumer)} reports. */
    Graph.Run run() { return run; }

    /** Frees {@code d} with this pass. */
    DTensor own(DTensor d) {
        owned.add(d);
        return d;
    }

    /**
     * Runs {@code graph} on device inputs {@code xs} (one per model input); {@code mask} [B, T] goes to
     * the first input. The pass frees the inputs only when {@code ownInputs}.
     */
    static Pass forward(Graph graph, Backend backend, List<DTensor> xs, DTensor mask, boolean training, boolean ownInputs) {
        Pass p = new Pass(graph, backend);
        if (ownInputs) {
            for (DTensor x : xs) p.own(x);
            if (mask != null) p.own(mask);
        }
        try {
            p.run(xs, mask, training);
            return p;
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    private void run(List<DTensor> xs, DTensor mask, boolean training) {
        // a nested call's added calls: those with an effect (state, a penalty) and what they need
        run = graph.run(training);
        calls = run.calls();
        int[] chainEnd = run.chainEnd();
        for (int i = 0; i < graph.inputs.size(); i++) values.put(graph.inputs.get(i), xs.get(i));
        if (mask != null) masks.put(graph.inputs.get(0), mask);
        for (int ci = 0; ci < calls.size(); ci++) {
            Call c = calls.get(ci);
            List<DTensor> in = new ArrayList<>(c.inputs().size());
            for (Node n : c.inputs()) in.add(values.get(n));
            DTensor m = symbolicMask(c.inputs().get(0));   // a chain's calls keep their mask in their nodes
            Trace t = null;
            int end = ci < chainEnd.length ? chainEnd[ci] : -1;
            if (end > ci) {
                // On two streams, a chain of recurrent layers runs as a wavefront (one trace for all of them)
                List<Layer> chain = new ArrayList<>();
                for (int k = ci; k <= end; k++) chain.add(calls.get(k).layer());
                try {
                    t = Layer.forwardChain(chain, in.get(0), m, training);
                } catch (BufferTooLargeException e) {
                    throw e.in(wavefront(calls, ci, end), "forward", batch(in.get(0)));
                }
                if (t != null) {
                    traces.add(t);
                    for (int k = ci + 1; k <= end; k++) traces.add(NO_TRACE);
                    stacks.put(end, ci);
                    ci = end;
                    c = calls.get(end);
                }
            }
            List<DTensor> sym = new ArrayList<>(c.inputs().size());
            boolean differs = false;
            if (t == null) {
                List<DTensor> ms = new ArrayList<>(c.inputs().size());
                boolean recorded = MaskArgument.recorded(c);
                for (int k = 0; k < c.inputs().size(); k++) {
                    Node n = c.inputs().get(k);
                    DTensor s = symbolicMask(n), r = recorded ? s : graph.maskClearing.cleared(c, k, training) ? null : masks.get(n);
                    sym.add(s);
                    differs |= r != s;
                    ms.add(c.usesInputMask() ? r : null);
                    if (k == 0) m = r;   // an unmasked call's outputs carry its input's mask on all the same
                }
                try {
                    t = c.layer().forwardMasked(in, ms, training);
                } catch (BufferTooLargeException e) {
                    throw e.in(c.layer().name(), "forward", batch(in.get(0)));
                }
                traces.add(t);
            }
            List<DTensor> outs = t.outputs();
            if (outs.size() != c.outputs().size()) {
                throw new IllegalStateException(c.layer().name() + " returned " + outs.size() + " outputs, its build declared "
                        + c.outputs().size());
            }
            for (int k = 0; k < outs.size(); k++) values.put(c.outputs().get(k), outs.get(k));
            for (int k = 0; k < outs.size(); k++) {
                DTensor mk = Trace.carriedMask(c.layer(), t, k, m, !c.usesInputMask());
                if (mk != null) masks.put(c.outputs().get(k), mk);
                if (differs) {
                    DTensor s = c.usesInputMask() ? MaskClearing.symbolicMask(c, t, k, in, sym, owned) : mk;
                    if (s != mk) symbolic.put(c.outputs().get(k), s);
                }
            }
        }
    }

    /** The layers of the wavefront of calls {@code [from, to]}, for a refusal's message (which of them asked is not known). */
    private static String wavefront(List<Call> calls, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int k = from; k <= to; k++) b.append(k > from ? ", " : "").append(calls.get(k).layer().name());
        return b.append(" (a recurrent wavefront)").toString();
    }

    /** The batch size of a call's input, for a refusal's message (0 where none is known). */
    private static long batch(DTensor x) {
        return x == null || x.shape().length == 0 ? 0 : x.shape()[0];
    }

    /** The mask Keras' symbolic graph gives {@code n}: what a call that keeps its mask in its node reads. */
    private DTensor symbolicMask(Node n) { return symbolic.containsKey(n) ? symbolic.get(n) : masks.get(n); }

    /** The trace of a call that ran inside a wavefront (the wavefront's trace sits at its first call). */
    private static final Trace NO_TRACE = new Trace() {
        @Override
        public List<DTensor> outputs() { return List.of(); }

        @Override
        public List<DTensor> backward(List<DTensor> dOutputs) {
            throw new IllegalStateException("backward of a call that ran inside a recurrent wavefront");
        }

        @Override
        public void close() {}
    };

    /** Back-propagates output gradients through the pass, accumulating into the parameters' gradients. */
    void backward(Map<Node, DTensor> dOutputs) {
        backward(dOutputs, null);
    }

    /**
     * As {@link #backward(Map)}, calling {@code done.accept(i)} (when not null) each time the backward of every call
     * from index i on has been queued: the gradients of the parameters used only by those calls are then complete,
     * which is when data-parallel training starts reducing them ({@link GradientBuckets}).
     */
    void backward(Map<Node, DTensor> dOutputs, java.util.function.IntConsumer done) {
        Map<Node, DTensor> grads = new IdentityHashMap<>(dOutputs);
        for (int i = calls.size() - 1; i >= 0; i--) {
            Call c = calls.get(i);
            Integer start = stacks.get(i);   // the last call of a wavefront: its trace sits at the first
            List<DTensor> d = new ArrayList<>(c.outputs().size());
            boolean any = false;
            for (Node o : c.outputs()) {
                DTensor g = grads.get(o);
                d.add(g);
                any |= g != null;
            }
            if (!any) {
                if (start != null) i = start;
                if (done != null) done.accept(i);
                continue;
            }
            List<DTensor> dIn;
            Call first = start != null ? calls.get(start) : c;
            // a model input's gradient is dropped below: the layer need not compute it (PyTorch's requires_grad)
            java.util.function.IntPredicate wanted = k -> k >= first.inputs().size() || !first.inputs().get(k).call().isInput();
            try {
                dIn = traces.get(start != null ? start : i).backward(d, wanted);
            } catch (BufferTooLargeException e) {
                throw e.in(start != null ? wavefront(calls, start, i) : first.layer().name(), "backward",
                        first.inputs().isEmpty() ? 0 : batch(values.get(first.inputs().get(0))));
            }
            if (start != null) {
                i = start;
                c = first;
            }
            for (int k = 0; k < c.inputs().size() && dIn != null && k < dIn.size(); k++) {
                Node in = c.inputs().get(k);
                DTensor g = dIn.get(k);
                if (g == null || in.call().isInput()) continue;
                DTensor prev = grads.get(in);
                if (prev == null) {
                    grads.put(in, g);
                } else {
                    DTensor sum = own(DTensor.zeros(backend, prev.shape()));
                    backend.copy(prev.buf(), 0, sum.buf(), 0, prev.size());
                    backend.axpy(g.size(), 1f, g.buf(), 0, sum.buf(), 0);
                    grads.put(in, sum);
                }
            }
            if (done != null) done.accept(i);
        }
    }

    @Override
    public void close() {
        try {
            Cleanup.each(traces.reversed(), Trace::close);
        } finally {
            try {
                Cleanup.each(owned, DTensor::close);
            } finally {
                traces.clear();
                owned.clear();
            }
        }
    }
}
