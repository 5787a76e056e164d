package dev.jrnn.bench;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cpu.CpuBackend;

import static dev.jrnn.backend.BufAt.at;

/**
 * Quick probe of one LSTM timestep (recurrent GEMM + fused cell) and its backward while tuning; not a test.
 * Wall-clock times: on a shared machine run it several times. Run from the benchmarks module's classpath: {@code java --add-modules jdk.incubator.vector dev.jrnn.bench.StepSpeed [B H]}
 */
public final class StepSpeed {
    public static void main(String[] args) {
        int B = args.length > 0 ? Integer.parseInt(args[0]) : 32, H = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        CpuBackend be = CpuBackend.create();
        Buf h = be.alloc((long) B * H), u = be.alloc(4L * H * H), gates = be.alloc(4L * B * H), c = be.alloc((long) B * H);
        Buf c2 = be.alloc((long) B * H), h2 = be.alloc((long) B * H), dg = be.alloc(4L * B * H), dh = be.alloc((long) B * H), dc = be.alloc((long) B * H);
        be.fill(u, 0, 4L * H * H, 0.01f);
        be.fill(h, 0, (long) B * H, 0.5f);
        for (int round = 0; round < 6; round++) {
            int reps = 2000;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                be.gemm(false, false, B, 4 * H, H, 1f, h, 0, H, u, 0, 4 * H, 0f, gates, 0, 4 * H);
                be.recurrentStepForward(new CellConfig(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, B, H),
                        CellStep.Forward.lstm(at(gates, 0), at(c, 0), at(h, 0), null, at(c2, 0), at(h2, 0)));
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                be.recurrentStepBackward(new CellConfig(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, B, H),
                        CellStep.Backward.lstm(at(gates, 0), at(c, 0), at(c2, 0), at(h, 0), null, at(dc, 0), null,
                                at(dg, 0), at(dc, 0), at(dh, 0)));
                be.gemm(false, true, B, H, 4 * H, 1f, dg, 0, 4 * H, u, 0, 4 * H, 1f, dh, 0, H);
            }
            long t2 = System.nanoTime();
            // cell kernels alone
            for (int i = 0; i < reps; i++) be.recurrentStepForward(new CellConfig(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, B, H),
                    CellStep.Forward.lstm(at(gates, 0), at(c, 0), at(h, 0), null, at(c2, 0), at(h2, 0)));
            long t3 = System.nanoTime();
            System.out.printf("B=%d H=%d: forward step %.1f us (cell alone %.1f us), backward step %.1f us%n", B, H,
                    (t1 - t0) / 1e3 / reps, (t3 - t2) / 1e3 / reps, (t2 - t1) / 1e3 / reps);
        }
    }
}
