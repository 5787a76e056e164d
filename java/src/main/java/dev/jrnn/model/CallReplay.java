package dev.jrnn.model;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.CallGroup;
import dev.jrnn.layers.Node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Calls made again on new nodes, on the same layers ({@link Model#applyAll}, {@link GraphClone}): each call of a nested
 * model that made them ({@link CallGroup}) is opened again around its calls' copies, so the copy runs the nested call as
 * one node, in Keras' order, as the original does.
 */
final class CallReplay {
    private CallReplay() {}

    /** A nested call of the original graph and its copy, open while its calls are made again. */
    private record Open(CallGroup original, CallGroup copy) {}

    /**
     * Makes {@code calls} again (in an order where each nested call's calls come together: Keras' run order), each on its
     * inputs' copies ({@code map}, an input not in it kept as it is), and puts each output's copy into {@code map}. The
     * nested calls {@code replayed} accepts (those whose inputs have copies) are opened again around their calls; a nested
     * call's copy closes with the copies of its outputs that were made (a caller may use only some), as failed where the
     * calls fail.
     */
    static void replay(List<Call> calls, Map<Node, Node> map, Predicate<CallGroup> replayed) {
        ArrayDeque<Open> open = new ArrayDeque<>();   // innermost first
        boolean done = false;
        try {
            for (Call c : calls) {
                List<CallGroup> chain = nestedCalls(c, replayed);
                int keep = 0;   // the open copies of c's nested calls, outermost first
                Iterator<Open> it = open.descendingIterator();
                while (keep < chain.size() && it.hasNext() && it.next().original() == chain.get(keep)) keep++;
                while (open.size() > keep) close(open.pop(), map);
                for (int k = keep; k < chain.size(); k++) {
                    CallGroup g = chain.get(k);
                    open.push(new Open(g, CallGroup.open(g.operation(), g.name(), copies(g.inputs(), map))));
                }
                List<Node> ins = copies(c.inputs(), map);
                List<Node> outs = (c.usesInputMask() ? c.layer().apply(ins) : c.layer().applyUnmasked(ins)).all();
                for (int k = 0; k < c.outputs().size(); k++) map.put(c.outputs().get(k), outs.get(k));
            }
            while (!open.isEmpty()) close(open.pop(), map);
            done = true;
        } finally {
            if (!done) while (!open.isEmpty()) open.pop().copy().close(null);   // a failed call: its groups close without outputs
        }
    }

    /** The nested calls that made {@code c} (those that completed and {@code replayed} accepts), outermost first. */
    private static List<CallGroup> nestedCalls(Call c, Predicate<CallGroup> replayed) {
        List<CallGroup> chain = new ArrayList<>();
        for (CallGroup x = c.group(); x != null; x = x.parent()) if (x.outputs() != null) chain.add(0, x);
        // groups opened outside the graph replayed (it was built inside another model's call) stay closed
        while (!chain.isEmpty() && !replayed.test(chain.get(0))) chain.remove(0);
        return chain;
    }

    private static List<Node> copies(List<Node> nodes, Map<Node, Node> map) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) out.add(map.getOrDefault(n, n));
        return out;
    }

    /** Closes a nested call's copy with the copies of its outputs that were made; as failed where none was. */
    private static void close(Open o, Map<Node, Node> map) {
        List<Node> outs = new ArrayList<>();
        for (Node n : o.original().outputs()) {
            Node m = map.get(n);
            if (m != null) outs.add(m);
        }
        o.copy().close(outs.isEmpty() ? null : outs);
    }
}
