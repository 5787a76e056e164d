package dev.jrnn.layers;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The calls made by one call of a nested model, which jrnn flattens into its parent's graph: Keras runs that call as one
 * node of its parent, all its calls together, so a model needs the group to run a shared layer's calls in Keras' order.
 * Every {@link Call} made on this thread between {@link #open} and {@link #close} belongs to the group (the innermost
 * open one; an Input's call belongs to none); groups nest as the models do.
 *
 * <p>jrnn-internal: {@code Model.apply} (and a model built from intermediate nodes, which makes a nested call again)
 * and the Keras reader open groups; user code need not.
 */
public final class CallGroup {
    private static final ThreadLocal<Deque<CallGroup>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final Object operation;
    private final String name;
    private final CallGroup parent;
    private final List<Node> inputs;
    private volatile List<Node> outputs;

    private CallGroup(Object operation, String name, CallGroup parent, List<Node> inputs) {
        this.operation = operation;
        this.name = name;
        this.parent = parent;
        this.inputs = inputs;
    }

    /**
     * Opens a group for one call of the nested model {@code operation} (Keras' operation: every call of one model shares
     * it, as a layer's calls share the layer) on {@code inputs}, inside the group open on this thread, if any;
     * {@code name} names the operation in messages ("model 'enc'").
     */
    public static CallGroup open(Object operation, String name, List<? extends Node> inputs) {
        if (operation == null) throw new IllegalArgumentException("CallGroup.open: operation must be the nested model, got null");
        if (name == null) throw new IllegalArgumentException("CallGroup.open: name must name the nested model in messages, got null");
        if (inputs == null) throw new IllegalArgumentException("CallGroup.open: inputs must be the nodes the model is called on, got null");
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) == null) throw new IllegalArgumentException("CallGroup.open: inputs[" + i + "] is null, expected a node");
        }
        Deque<CallGroup> open = OPEN.get();
        CallGroup g = new CallGroup(operation, name, open.peek(), List.copyOf(inputs));
        open.push(g);
        return g;
    }

    /**
     * Closes this group, the innermost open one, with the nested model's {@code outputs} in its output order (those made,
     * where a model made again uses only some); null where the call failed (a group without outputs is run as the calls
     * it holds, one by one).
     */
    public void close(List<? extends Node> outputs) {
        Deque<CallGroup> open = OPEN.get();
        if (open.peek() != this) {
            throw new IllegalStateException("CallGroup.close: the group of " + name + " is not the innermost open one on this"
                    + " thread (" + (open.peek() == null ? "none is open" : "the innermost is the group of " + open.peek().name)
                    + "): close groups innermost first, on the thread that opened them");
        }
        if (outputs != null) {
            for (int i = 0; i < outputs.size(); i++) {
                if (outputs.get(i) == null) {
                    throw new IllegalArgumentException("CallGroup.close: outputs[" + i + "] is null, expected a node (or outputs"
                            + " null for a failed call)");
                }
            }
        }
        open.pop();
        this.outputs = outputs == null ? null : List.copyOf(outputs);
    }

    /** The innermost group open on this thread, or null. */
    static CallGroup current() { return OPEN.get().peek(); }

    /** The nested model this is a call of. */
    public Object operation() { return operation; }

    /** The operation's name in messages, as {@link #open} was given it. */
    public String name() { return name; }

    /** The group this one was opened in, or null. */
    public CallGroup parent() { return parent; }

    /** The nodes the nested model was called on, in its input order. */
    public List<Node> inputs() { return inputs; }

    /** The nested model's outputs in its output order (those made); null until closed, and for a call that failed. */
    public List<Node> outputs() { return outputs; }
}
