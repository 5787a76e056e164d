package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/**
 * Checks that jrnn and a peer do the same work: the same parameter count, and, with jrnn's initial
 * weights copied into the peer, the same loss on the same batch. Leaves the peer holding jrnn's weights.
 *
 * <pre>{@code
 * System.out.println(EqualWork.check(peer, shapes, data, 42));   // one line; throws if they differ
 * }</pre>
 */
public final class EqualWork {
    /** Relative loss difference tolerated (float32 sums in different orders). */
    public static final double TOLERANCE = 1e-4;

    private EqualWork() {}

    /** Runs the check on the CPU backend; returns a one-line report, or throws IllegalStateException. */
    public static String check(LstmPeer peer, Shapes s, BenchData data, long seed) {
        Jrnn.setBackend("cpu");
        try (JrnnTrainer j = new JrnnTrainer(Shapes.Cell.LSTM, s, data, seed)) {
            List<Tensor> w = j.layer().getWeights();   // kernel, recurrent_kernel, bias (Keras order)
            peer.setKerasWeights(w.get(0).data(), w.get(1).data(), w.get(2).data());
            long pj = j.paramCount(), pp = peer.paramCount();
            double lj = j.loss(0), lp = peer.loss(0);
            double rel = Math.abs(lj - lp) / Math.max(1e-12, Math.abs(lj));
            String line = String.format(Locale.ROOT,
                    "equal work %s: params jrnn=%d peer=%d (4H(I+H+1)=%d); same weights -> MSE jrnn=%.7f peer=%.7f (rel diff %.1e)",
                    s, pj, pp, s.lstmParams(), lj, lp, rel);
            if (pj != pp || pj != s.lstmParams() || !(rel <= TOLERANCE)) {
                throw new IllegalStateException("jrnn and the peer do not do the same work: " + line);
            }
            return line;
        }
    }
}
