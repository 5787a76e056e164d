package dev.jrnn.bench;

/**
 * A benchmark shape: batch B, timesteps T, input features I, units H, and the FLOP counts of the
 * matrix products that dominate a recurrent layer's work.
 *
 * <p>FLOP model (matrix products only; elementwise work, the loss and Adam are not counted). With
 * G gate columns (SimpleRNN G = H, GRU G = 3H, LSTM G = 4H):
 * <ul>
 *   <li>forward ({@link #forwardFlops}): input projection {@code X[TB, I] W[I, G]} plus T recurrent products
 *       {@code h[B, H] U[H, G]}: {@code 2 T B G (I + H)};</li>
 *   <li>backward: {@code dW = X^T dZ} ({@code 2 T B G I}), {@code dU = H^T dZ} and {@code dh = dZ U^T}
 *       ({@code 2 T B G H} each), and the input's gradient {@code dX = dZ W^T} ({@code 2 T B G I}) only where the
 *       input takes one;</li>
 *   <li>train step ({@link #trainFlops}, what the benchmarks count): forward + backward without dX, five products,
 *       {@code 2 T B G (2I + 3H) = 6 T B G (I + H) - 2 T B G I}. The benchmarked layer's input is the data: jrnn's
 *       train step (as {@code Model.fit} for a model's own input) computes no dX, nor does the PyTorch peer (its input
 *       has no requires_grad), so counting dX would credit both with work neither does;</li>
 *   <li>with dX ({@link #trainFlopsWithInputGradient}): {@code 6 T B G (I + H)}, three times the forward: a stacked
 *       layer, DL4J (which computes it) and cuDNN's RNN backward.</li>
 * </ul>
 * Example: LSTM, B = 32, T = 50, I = H = 128: forward 2*50*32*512*256 = 0.42 GFLOP, train step 1.05 GFLOP (2.5x the
 * forward at I = H), 1.26 GFLOP with dX.
 *
 * <pre>{@code
 * Shapes s = Shapes.parse("32x50x128x128");
 * double gflop = s.forwardFlops(Shapes.Cell.LSTM) / 1e9;
 * }</pre>
 */
public record Shapes(int batch, int steps, int in, int units) {

    /** Recurrent cell kinds and their gate count (G / H). */
    public enum Cell {
        SIMPLE_RNN(1), LSTM(4), GRU(3);
        public final int gates;
        Cell(int g) { this.gates = g; }

        /** Parses "lstm", "gru", "simple_rnn" (also "simplernn", "rnn"): the CSVs' cell column. */
        public static Cell parse(String name) {
            return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "lstm" -> LSTM;
                case "gru" -> GRU;
                case "simple_rnn", "simplernn", "rnn" -> SIMPLE_RNN;
                default -> throw new IllegalArgumentException("cell: expected lstm, gru or simple_rnn, got '" + name + "'");
            };
        }
    }

    public Shapes {
        if (batch <= 0 || steps <= 0 || in <= 0 || units <= 0) {
            throw new IllegalArgumentException("Shapes: every size must be positive, got B=" + batch + " T=" + steps
                    + " I=" + in + " H=" + units);
        }
    }

    /**
     * Parses "BxTxIxH" (e.g. "32x50x128x128") or "BxTxH" (I = H). Whatever was typed, pass {@link #key()} on: the
     * harness joins jrnn's rows and a peer's by that string.
     */
    public static Shapes parse(String s) {
        String[] p = s.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            if (p.length == 4) return new Shapes(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]));
            if (p.length == 3) return new Shapes(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[2]));
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("shape '" + s + "': expected BxTxIxH or BxTxH, e.g. 32x50x128x128");
    }

    /**
     * A comma-separated list of shapes, each in either form, as their {@link #key()}s in order ("4x10x8,32x50x128x128"
     * gives "4x10x8x8,32x50x128x128"): what benchmarks/run.sh's {@code --shapes} becomes before it reaches JMH's
     * {@code shape} parameter, {@link PeerFixture}'s files and, through them, the PyTorch peer's CSV rows.
     */
    public static String canonical(String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("shapes: expected a comma-separated list of BxTxIxH or BxTxH, got '" + list + "'");
        }
        StringBuilder b = new StringBuilder();
        for (String sh : list.split(",", -1)) {
            if (sh.isBlank()) throw new IllegalArgumentException("shapes '" + list + "': an empty entry between commas");
            if (!b.isEmpty()) b.append(',');
            b.append(parse(sh).key());
        }
        return b.toString();
    }

    /**
     * The one spelling of this shape the harness passes on and joins by: "BxTxIxH", all four sizes, "BxTxH" written
     * out ("4x10x8" is "4x10x8x8"). JMH's {@code shape} parameter, {@link PeerFixture}'s file names and metadata, and
     * the PyTorch rows {@link CpuBench} reads back all use it.
     */
    public String key() {
        return batch + "x" + steps + "x" + in + "x" + units;
    }

    /** Matrix-product FLOPs of one forward pass of {@code cell}: 2 T B G (I + H). */
    public double forwardFlops(Cell cell) {
        return 2.0 * steps * batch * (double) cell.gates * units * (in + units);
    }

    /**
     * Matrix-product FLOPs of one train step of a layer whose input takes no gradient (a model's first layer; PyTorch's
     * input without requires_grad): forward x·W and h·U, backward dh·U^T, dU and dW, i.e. 3x forward less dx = dG·W^T.
     */
    public double trainFlops(Cell cell) {
        return trainFlopsWithInputGradient(cell) - 2.0 * steps * batch * (double) cell.gates * units * in;
    }

    /** As {@link #trainFlops}, with the input's gradient dx = dG·W^T too (a stacked layer): 3x forward. */
    public double trainFlopsWithInputGradient(Cell cell) {
        return 3.0 * forwardFlops(cell);
    }

    /** Keras parameter count of a single LSTM layer: 4H(I + H + 1). */
    public long lstmParams() {
        return 4L * units * (in + units + 1);
    }

    @Override
    public String toString() {
        return "B=" + batch + ",T=" + steps + ",I=" + in + ",H=" + units;
    }
}
