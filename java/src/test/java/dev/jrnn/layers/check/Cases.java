package dev.jrnn.layers.check;

import java.util.ArrayList;
import java.util.List;

/** The option combinations the checks run over (shared by the reference self-checks and the layer checks). */
final class Cases {
    private Cases() {}

    /** One recurrent-layer configuration. */
    record RnnCase(Ref.Cell cell, String act, boolean useBias, boolean returnSequences, boolean returnState,
                   boolean initState, boolean mask, boolean goBackwards, int tbptt, int batch, int steps,
                   int inputs, int units, long seed, String recAct) {
        /** With the default recurrent activation (sigmoid). */
        RnnCase(Ref.Cell cell, String act, boolean useBias, boolean returnSequences, boolean returnState,
                boolean initState, boolean mask, boolean goBackwards, int tbptt, int batch, int steps,
                int inputs, int units, long seed) {
            this(cell, act, useBias, returnSequences, returnState, initState, mask, goBackwards, tbptt, batch, steps,
                    inputs, units, seed, "sigmoid");
        }

        Ref.Rnn spec() {
            return new Ref.Rnn(cell, units, act, recAct, useBias, returnSequences, returnState, goBackwards, tbptt);
        }

        String layerName() {
            return switch (cell) {
                case SIMPLE_RNN -> "SimpleRNN";
                case LSTM -> "LSTM";
                case GRU, GRU_RESET_BEFORE -> "GRU";
            };
        }

        @Override
        public String toString() {
            return layerName() + "(" + units + (cell == Ref.Cell.GRU_RESET_BEFORE ? ", resetAfter=false" : "") + (cell == Ref.Cell.SIMPLE_RNN || !act.equals("tanh") ? ", " + act : "")
                    + (recAct.equals("sigmoid") ? "" : ", recurrent " + recAct)
                    + (useBias ? "" : ", noBias") + (returnSequences ? ", seq" : "") + (returnState ? ", state" : "")
                    + (initState ? ", h0" : "") + (mask ? ", mask" : "") + (goBackwards ? ", backwards" : "")
                    + (tbptt > 0 ? ", tbptt=" + tbptt : "") + ") B=" + batch + " T=" + steps + " I=" + inputs
                    + " seed=" + seed;
        }
    }

    private static final String[] SIMPLE_ACTS = {"tanh", "relu", "linear", "sigmoid"};

    /**
     * Per cell: every combination of returnSequences, returnState, initial state, mask and goBackwards,
     * each with tbptt 0 and 2, bias dropped in a third of them, SimpleRNN activations rotating; then
     * extra truncation lengths (1, T, T+3) over mixed options, then gelu and swish. Sizes rotate over B 2-3, T 4-5,
     * I 2-3, H 2-4; then three with units a multiple of the vector width (B 2, T 3, I 2, H 16-32).
     */
    static List<RnnCase> rnn(Ref.Cell cell) {
        List<RnnCase> l = new ArrayList<>();
        int idx = 0;
        for (int bits = 0; bits < 32; bits++) {
            for (int k : new int[] {0, 2}) {
                l.add(make(cell, idx++, bits, k));
            }
        }
        for (int e = 0; e < 9; e++) {
            int bits = (e * 11 + 5) % 32;
            int steps = 4 + (e % 2);
            int k = switch (e % 3) {
                case 0 -> 1;
                case 1 -> steps;
                default -> steps + 3;
            };
            l.add(make(cell, idx++, bits, k));
        }
        if (cell != Ref.Cell.SIMPLE_RNN) {
            // other activations and recurrent activations of the LSTM/GRU cell
            String[][] acts = {{"relu", "sigmoid"}, {"linear", "hard_sigmoid_keras2"}, {"sigmoid", "tanh"},
                    {"tanh", "hard_sigmoid_keras2"}};
            for (int a = 0; a < acts.length; a++) {
                RnnCase c = make(cell, idx++, (a * 9 + 3) % 32, a == 3 ? 2 : 0);
                l.add(new RnnCase(cell, acts[a][0], c.useBias(), c.returnSequences(), c.returnState(), c.initState(),
                        c.mask(), c.goBackwards(), c.tbptt(), c.batch(), c.steps(), c.inputs(), c.units(), c.seed(),
                        acts[a][1]));
            }
        }
        // gelu and swish, whose gates keep the pre-activation: alone, mixed with an output-derived activation, with
        // a mask and tbptt (the per-step backward) and without (the CPU's whole-sequence path)
        String[][] kept = {{"gelu", "sigmoid"}, {"tanh", "swish"}, {"swish", "gelu"}, {"gelu", "hard_sigmoid_keras2"}};
        for (int a = 0; a < kept.length; a++) {
            RnnCase c = make(cell, idx++, new int[] {9, 27, 13, 6}[a], a < 2 ? 2 : 0);
            l.add(new RnnCase(cell, kept[a][0], c.useBias(), c.returnSequences(), c.returnState(), c.initState(),
                    c.mask(), c.goBackwards(), c.tbptt(), c.batch(), c.steps(), c.inputs(), c.units(), c.seed(),
                    cell == Ref.Cell.SIMPLE_RNN ? kept[a][0] : kept[a][1]));
        }
        // units a multiple of the vector width (16 floats on AVX-512, 8 on AVX2): the CPU cells' whole-vector paths,
        // which take tanh' and sigmoid' from the outputs inside their loops (the reset-after GRU's, not the
        // reset-before one's); with a mask, an initial state and tbptt, and without; SimpleRNN also with 20 units
        // (whole vectors and a scalar tail), LSTM and GRU also with sigmoid and tanh swapped
        if (cell != Ref.Cell.GRU_RESET_BEFORE) {
            String[][] acts = cell == Ref.Cell.SIMPLE_RNN ? new String[][] {{"tanh"}, {"sigmoid"}, {"tanh"}}
                    : new String[][] {{"tanh", "sigmoid"}, {"tanh", "sigmoid"}, {"sigmoid", "tanh"}};
            int[] units = cell == Ref.Cell.SIMPLE_RNN ? new int[] {16, 32, 20} : new int[] {16, 16, 16};
            for (int w = 0; w < 3; w++) {
                RnnCase c = make(cell, idx++, new int[] {12, 3, 9}[w], w == 0 ? 2 : 0);
                l.add(new RnnCase(cell, acts[w][0], c.useBias(), c.returnSequences(), c.returnState(), c.initState(),
                        c.mask(), c.goBackwards(), c.tbptt(), 2, 3, 2, units[w], c.seed(),
                        cell == Ref.Cell.SIMPLE_RNN ? "sigmoid" : acts[w][1]));
            }
        }
        // Keras 3's activations, which keep the pre-activation like gelu: with tbptt and a mask (per-step) and without
        String[][] keras3 = {{"mish", "hard_silu"}, {"squareplus", "log_sigmoid"}, {"celu", "sparse_sigmoid"}};
        for (int a = 0; a < keras3.length; a++) {
            RnnCase c = make(cell, idx++, new int[] {9, 27, 6}[a], a == 0 ? 2 : 0);
            l.add(new RnnCase(cell, keras3[a][0], c.useBias(), c.returnSequences(), c.returnState(), c.initState(),
                    c.mask(), c.goBackwards(), c.tbptt(), c.batch(), c.steps(), c.inputs(), c.units(), c.seed(),
                    cell == Ref.Cell.SIMPLE_RNN ? keras3[a][0] : keras3[a][1]));
        }
        return l;
    }

    private static RnnCase make(Ref.Cell cell, int idx, int bits, int tbptt) {
        boolean rs = (bits & 1) != 0, st = (bits & 2) != 0, init = (bits & 4) != 0, mask = (bits & 8) != 0,
                back = (bits & 16) != 0;
        boolean bias = idx % 3 != 2;
        String act = cell == Ref.Cell.SIMPLE_RNN ? SIMPLE_ACTS[(idx / 2 + idx) % 4] : "tanh";
        int batch = 2 + idx % 2, steps = 4 + (idx / 2) % 2, inputs = 2 + (idx / 3) % 2, units = 2 + idx % 3;
        return new RnnCase(cell, act, bias, rs, st, init, mask, back, tbptt, batch, steps, inputs, units,
                1000L * cell.ordinal() + idx);
    }

    static List<RnnCase> allRnn() {
        List<RnnCase> l = new ArrayList<>();
        for (Ref.Cell c : Ref.Cell.values()) l.addAll(rnn(c));
        return l;
    }
}
