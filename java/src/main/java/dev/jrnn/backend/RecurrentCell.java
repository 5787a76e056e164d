package dev.jrnn.backend;

/**
 * The recurrent cell kinds: what the step operations compute and which whole-sequence kernel (CUDA's
 * persistent kernels) a backend may run for them. One enum for the layers, both backends and the
 * persistent-kernel planner.
 */
public enum RecurrentCell {
    SIMPLE_RNN("rnn", 1, 1), LSTM("lstm", 4, 2), GRU("gru", 3, 1);

    private final String id;
    private final int gates;
    private final int states;

    RecurrentCell(String id, int gates, int states) {
        this.id = id;
        this.gates = gates;
        this.states = states;
    }

    /** Gate blocks per unit (G = gates * H): 1 (SimpleRNN), 4 (LSTM), 3 (GRU). */
    public int gates() { return gates; }

    /** Recurrent states: 1 (h), or 2 (h, c) for LSTM. */
    public int states() { return states; }

    /** Lower-case name used in the kernel names ("lstm"). */
    public String id() { return id; }

    /** The one of {@code rnn}, {@code lstm}, {@code gru} that belongs to this kind (e.g. its implementation). */
    public <T> T select(T rnn, T lstm, T gru) {
        return switch (this) {
            case SIMPLE_RNN -> rnn;
            case LSTM -> lstm;
            case GRU -> gru;
        };
    }

    /** The kind named by {@link #id()} ("rnn", "lstm", "gru"). */
    public static RecurrentCell ofId(String id) {
        for (RecurrentCell c : values()) {
            if (c.id.equals(id)) return c;
        }
        throw new IllegalArgumentException("cell id must be one of rnn, lstm, gru, got " + id);
    }
}
