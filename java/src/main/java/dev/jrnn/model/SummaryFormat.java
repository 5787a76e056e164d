package dev.jrnn.model;

/**
 * Which Keras' table {@link Model#summary(SummaryFormat)} prints, and which Keras' epoch line verbose 2 prints
 * ({@link FitOptions#progressFormat}).
 *
 * <pre>{@code
 * Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4).returnSequences(true), new GRU(3), new Dense(2));
 * m.summary();                          // tf.keras 2's plain table (the default)
 * m.summary(SummaryFormat.KERAS_3);     // Keras 3's box-drawn table:
 * // │ lstm (LSTM)                     │ (None, 5, 4)           │           128 │
 * //  Total params: 217 (868.00 B)
 * }</pre>
 */
public enum SummaryFormat {
    /** tf.keras 2.9-2.12's {@code print_summary}: 65 columns (98 with "Connected to"), underscores and equals signs. */
    TF_KERAS_2,
    /**
     * Keras 3.15.1's {@code print_summary} as it writes to a console that is not a terminal (a log, a pipe, captured
     * by {@code print_fn}): rich's box-drawn table, 76 columns, no colours, weight sizes in bytes (float32).
     */
    KERAS_3
}
