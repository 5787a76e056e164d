package dev.jrnn.model;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.CallGroup;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The order in which Keras 3 runs a functional model's calls, and jrnn's run order made from it.
 *
 * <p>Keras' {@code Function._run_through_graph} runs its nodes by depth (the longest path to an output), deepest first;
 * within a depth, in the order {@code map_graph} first put each node into {@code nodes_depths} while walking the DFS
 * post-order backwards (a node, then its parents in argument order). A layer's nodes take the greatest depth met so far.
 * A nested model's call is one node, run whole in its own model's order: jrnn flattens nested models, so their calls
 * are grouped by {@link CallGroup} and ordered here as that one node.
 *
 * <p>jrnn runs a model in the DFS post-order (a recurrent stack's calls stay next to each other and run as one
 * wavefront), but where a layer's calls share state ({@link Layer#callsShareState()}: a stateful RNN, a
 * BatchNormalization's moving statistics) those calls must run in Keras' relative order: {@link #runOrder} keeps the
 * post-order wherever these constraints allow, the earliest post-order call first.
 */
final class KerasRunOrder {
    private KerasRunOrder() {}

    /** Keras' run order of {@code postOrder} (every call of the model, inputs included), position per call. */
    static Map<Call, Integer> positions(List<Call> postOrder, List<Node> outputs) {
        return positions(postOrder, outputs, Set.of(), g -> true);
    }

    /**
     * As {@link #positions(List, List)} for a graph that starts at the nodes {@code cut} (a model from intermediate
     * nodes: the walk stops there), whose nested calls are those {@code whole} accepts (the others run as their calls).
     */
    static Map<Call, Integer> positions(List<Call> postOrder, List<Node> outputs, Set<Node> cut, Predicate<CallGroup> whole) {
        Set<Call> inGraph = Collections.newSetFromMap(new IdentityHashMap<>());
        inGraph.addAll(postOrder);
        List<Call> order = new ArrayList<>();
        new Walk(cut, whole).expand(null, outputs, order);
        Map<Call, Integer> position = new IdentityHashMap<>();
        for (Call c : order) if (inGraph.contains(c) && !position.containsKey(c)) position.put(c, position.size());
        // not reachable from its group's outputs (only a hand-made group): placed last
        for (Call c : postOrder) if (!position.containsKey(c)) position.put(c, position.size());
        return position;
    }

    /**
     * Calls Keras runs that no output needs: a nested model's call runs whole (every node of its graph, for each output),
     * so inside a nested call of {@code reached} (the calls a walk from the outputs made, in {@code order}; {@code given}:
     * the nodes the walk was cut off at) a call that feeds only outputs nobody uses still runs. Every such call not in
     * {@code reached} is returned (the graph decides per pass which of them run: those whose effect outlives the call,
     * shared state or an activity regularizer's penalty, which can be set at any time, and what they need); their walk
     * adds what they need, which may hold further nested calls (ask again until none). A nested call runs so when each
     * of its inputs can be computed from the model's ({@code given}, or {@code inputs}: its Input calls), reached or not
     * (an outer input that only the unused branch takes: Keras runs it too); else (an input cut off above it) it is left
     * as it was.
     */
    static List<Call> unusedOfNested(List<Call> order, Set<Call> reached, Set<Node> given, Set<Call> inputs) {
        Set<Call> more = new LinkedHashSet<>();
        Map<Call, Boolean> known = new IdentityHashMap<>();
        for (CallGroup g : groups(order)) {
            if (!g.inputs().stream().allMatch(n -> computable(n, reached, given, inputs, known))) continue;
            // per group: an inner nested call's walk stops at its inputs, the outer one's goes on past them
            Set<Call> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<Node> stop = Collections.newSetFromMap(new IdentityHashMap<>());
            stop.addAll(g.inputs());
            ArrayDeque<Node> todo = new ArrayDeque<>(g.outputs());
            while (!todo.isEmpty()) {
                Node n = todo.pop();
                if (stop.contains(n) || given.contains(n)) continue;
                Call c = n.call();
                if (!within(c, g) || !seen.add(c)) continue;
                if (!reached.contains(c)) more.add(c);
                todo.addAll(c.inputs());
            }
        }
        return new ArrayList<>(more);
    }

    /**
     * The outermost nested call of {@code order} with an input that neither {@code given} nor the model's Input calls
     * {@code inputs} compute, and that input, or null: Keras refuses such a model (its map_graph walks every input of a
     * nested call, the unused output's too: "is not connected to inputs"), where jrnn's flat walk from the outputs alone
     * would not meet it. The outermost: the call the user made (an inner one fails with it).
     */
    static Map.Entry<CallGroup, Node> outsideInput(List<Call> order, Set<Node> given, Set<Call> inputs) {
        Map<Call, Boolean> known = new IdentityHashMap<>();
        Map<CallGroup, Node> failing = new LinkedHashMap<>();
        for (CallGroup g : groups(order)) {
            for (Node n : g.inputs()) {
                if (!computable(n, Set.of(), given, inputs, known)) {
                    failing.put(g, n);
                    break;
                }
            }
        }
        for (var e : failing.entrySet()) {
            boolean outer = true;
            for (CallGroup p = e.getKey().parent(); p != null && outer; p = p.parent()) outer = !failing.containsKey(p);
            if (outer) return e;
        }
        return null;
    }

    /** The nested calls (with their outputs) that the calls of {@code order} are in, inner ones first, in the order met. */
    private static Set<CallGroup> groups(List<Call> order) {
        // Call and CallGroup override no equals: these sets go by identity, in the order met
        Set<CallGroup> groups = new LinkedHashSet<>();
        for (Call c : order) for (CallGroup g = c.group(); g != null; g = g.parent()) if (g.outputs() != null) groups.add(g);
        return groups;
    }

    /** Whether {@code n} is given, made by a reached call or computed from {@code inputs} alone ({@code known}: calls decided). */
    private static boolean computable(Node n, Set<Call> reached, Set<Node> given, Set<Call> inputs, Map<Call, Boolean> known) {
        // iterative (a long chain must not overflow the stack); a call is decided once all of its inputs are
        ArrayDeque<Call> todo = new ArrayDeque<>();
        if (given.contains(n)) return true;
        todo.push(n.call());
        while (!todo.isEmpty()) {
            Call c = todo.peek();
            if (known.containsKey(c)) {
                todo.pop();
                continue;
            }
            if (reached.contains(c) || inputs.contains(c)) {
                known.put(c, true);
                continue;
            }
            if (c.isInput()) {
                known.put(c, false);
                continue;
            }
            boolean ready = true, ok = true;
            for (Node in : c.inputs()) {
                if (given.contains(in)) continue;
                Boolean k = known.get(in.call());
                if (k == null) {
                    ready = false;
                    todo.push(in.call());
                } else ok &= k;
            }
            if (ready) known.put(c, ok);
        }
        return known.get(n.call());
    }

    private static boolean within(Call c, CallGroup g) {
        for (CallGroup x = c.group(); x != null; x = x.parent()) if (x == g) return true;
        return false;
    }

    /**
     * jrnn's run order of {@code exec} (the DFS post-order, inputs excluded): the same order where no layer whose calls
     * share state is called twice; else the topological order that runs each such layer's calls in Keras' order
     * ({@code position}) and otherwise takes the earliest call of {@code exec} that may run.
     */
    static List<Call> runOrder(List<Call> exec, Map<Call, Integer> position) {
        Map<Layer, List<Call>> stateful = new IdentityHashMap<>();
        for (Call c : exec) if (c.layer().callsShareState()) stateful.computeIfAbsent(c.layer(), k -> new ArrayList<>()).add(c);
        stateful.values().removeIf(cs -> cs.size() < 2);
        if (stateful.isEmpty()) return exec;
        int n = exec.size();
        Map<Call, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) index.put(exec.get(i), i);
        List<List<Integer>> next = new ArrayList<>();
        for (int i = 0; i < n; i++) next.add(new ArrayList<>());
        int[] before = new int[n];
        for (int i = 0; i < n; i++) {
            for (Node in : exec.get(i).inputs()) {
                Integer p = index.get(in.call());
                if (p != null) {
                    next.get(p).add(i);
                    before[i]++;
                }
            }
        }
        for (List<Call> cs : stateful.values()) {
            cs.sort((a, b) -> Integer.compare(position.get(a), position.get(b)));
            for (int k = 0; k + 1 < cs.size(); k++) {
                int a = index.get(cs.get(k)), b = index.get(cs.get(k + 1));
                next.get(a).add(b);
                before[b]++;
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) if (before[i] == 0) ready.add(i);
        List<Call> out = new ArrayList<>(n);
        while (!ready.isEmpty()) {
            int i = ready.poll();
            out.add(exec.get(i));
            for (int j : next.get(i)) if (--before[j] == 0) ready.add(j);
        }
        // Keras' order is itself a topological order that keeps these constraints, so none is left over
        if (out.size() != n) throw new IllegalStateException("the calls' order constraints form a cycle");
        return out;
    }

    /** Keras' map_graph and run order over a graph that starts at {@code cut}, its nested calls those {@code whole} accepts. */
    private record Walk(Set<Node> cut, Predicate<CallGroup> whole) {
        /** Appends to {@code out} the calls of {@code scope} (null: the model) reached from {@code outputs}, in Keras' order. */
        void expand(CallGroup scope, List<Node> outputs, List<Call> out) {
            List<Object> post = new ArrayList<>();
            Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Node o : outputs) visit(scope, o, post, done);
            // map_graph: nodes_depths filled walking the post-order backwards; an operation's nodes take its greatest depth
            // units (a Call, a CallGroup) override no equals: a LinkedHashMap keys them by identity
            Map<Object, Integer> depths = new LinkedHashMap<>();
            Map<Object, Integer> opDepth = new IdentityHashMap<>();
            for (int i = post.size() - 1; i >= 0; i--) {
                Object u = post.get(i);
                int d = depths.computeIfAbsent(u, k -> 0);
                d = Math.max(d, opDepth.getOrDefault(operation(u), 0));
                opDepth.put(operation(u), d);
                depths.put(u, d);
                for (Node in : inputs(u)) {
                    if (cut.contains(in)) continue;
                    Object p = unit(in.call(), scope);
                    if (p == null || !done.contains(p)) continue;
                    depths.put(p, Math.max(d + 1, depths.getOrDefault(p, 0)));
                }
            }
            TreeMap<Integer, List<Object>> byDepth = new TreeMap<>(Collections.reverseOrder());
            for (var e : depths.entrySet()) byDepth.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
            for (List<Object> us : byDepth.values()) {
                for (Object u : us) {
                    if (u instanceof Call c) out.add(c);
                    else expand((CallGroup) u, ((CallGroup) u).outputs(), out);
                }
            }
        }

        /** _build_map's depth-first walk from {@code n}, over the units of {@code scope}; nodes made outside it end the walk. */
        private void visit(CallGroup scope, Node n, List<Object> post, Set<Object> done) {
            // iterative: a long chain of calls must not overflow the stack
            record Frame(Object unit, List<Node> ins, int next) {}
            if (cut.contains(n)) return;
            Object start = unit(n.call(), scope);
            if (start == null || done.contains(start)) return;
            ArrayDeque<Frame> stack = new ArrayDeque<>();
            Set<Object> open = Collections.newSetFromMap(new IdentityHashMap<>());
            stack.push(new Frame(start, inputs(start), 0));
            open.add(start);
            while (!stack.isEmpty()) {
                Frame f = stack.pop();
                if (f.next < f.ins.size()) {
                    stack.push(new Frame(f.unit, f.ins, f.next + 1));
                    Node in = f.ins.get(f.next);
                    Object p = cut.contains(in) ? null : unit(in.call(), scope);
                    if (p != null && !done.contains(p) && !open.contains(p)) {
                        open.add(p);
                        stack.push(new Frame(p, inputs(p), 0));
                    }
                } else {
                    open.remove(f.unit);
                    done.add(f.unit);
                    post.add(f.unit);
                }
            }
        }

        /**
         * What Keras runs {@code c} as within {@code scope}: the call itself, or the outermost nested-model call inside
         * {@code scope} that made it; null where {@code c} was made outside {@code scope}. A group that failed (no outputs) is
         * not a unit, nor one {@code whole} refuses: its calls are.
         */
        private Object unit(Call c, CallGroup scope) {
            Object unit = c;
            for (CallGroup g = c.group(); g != null; g = g.parent()) {
                if (g == scope) return unit;
                if (g.outputs() != null && whole.test(g)) unit = g;
            }
            return scope == null ? unit : null;
        }
    }

    private static List<Node> inputs(Object unit) {
        return unit instanceof Call c ? c.inputs() : ((CallGroup) unit).inputs();
    }

    private static Object operation(Object unit) {
        return unit instanceof Call c ? c.layer() : ((CallGroup) unit).operation();
    }
}
