package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Precision;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;

import java.util.Locale;

/**
 * Issue 16's BF16 training check on the seeds' sine task (the forecaster of {@code SeedFitTest}: 64 windows
 * of 10 steps of sin(0.3 t), LSTM(16) -> Dense(1), MSE, Adam(0.01), batch 16): the loss after 20 epochs in
 * BF16 must be within 1% of FP32's, same seeds. Prints both losses, their relative difference and the
 * verdict; exit status 1 when it is missed.
 *
 * <pre>
 * .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.bench.SineBf16Check [--backend cuda] [--epochs 20]
 * </pre>
 */
public final class SineBf16Check {
    /** Largest relative difference of the final losses that passes. */
    public static final double TOLERANCE = 0.01;

    private SineBf16Check() {}

    public static void main(String[] args) {
        String backend = "cuda";
        int epochs = 20;
        for (int a = 0; a + 1 < args.length; a += 2) {
            switch (args[a]) {
                case "--backend" -> backend = args[a + 1];
                case "--epochs" -> epochs = Integer.parseInt(args[a + 1]);
                default -> throw new IllegalArgumentException("SineBf16Check: unknown argument '" + args[a] + "'");
            }
        }
        Jrnn.setBackend(backend);
        double fp32 = finalLoss(Precision.FP32, epochs), bf16 = finalLoss(Precision.BF16, epochs);
        double rel = Math.abs(bf16 - fp32) / Math.abs(fp32);
        boolean ok = rel <= TOLERANCE;
        System.out.println(String.format(Locale.ROOT,
                "sine task, backend %s, %d epochs: loss fp32 %.6g, bf16 %.6g, relative difference %.4f (goal <= %.2f): %s",
                Jrnn.backend().name(), epochs, fp32, bf16, rel, TOLERANCE, ok ? "met" : "NOT met"));
        if (!ok) System.exit(1);
    }

    /** The last epoch's training loss of the sine forecaster in {@code p}. */
    static double finalLoss(Precision p, int epochs) {
        Precision before = Jrnn.precision();
        Jrnn.setPrecision(p);
        try {
            Jrnn.clearSession();
            Jrnn.setSeed(7);
            int n = 64, steps = 10;
            float[][][] x = new float[n][steps][1];
            float[][] y = new float[n][1];
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < steps; t++) x[i][t][0] = (float) Math.sin(0.3 * (i + t));
                y[i][0] = (float) Math.sin(0.3 * (i + steps));
            }
            try (Model model = new Sequential(new LSTM(16).inputShape(steps, 1), new Dense(1))) {
                model.compile(new Adam(0.01), "mse");
                History h = model.fit(Tensor.of(x), Tensor.of(y), new FitOptions().epochs(epochs).batchSize(16).verbose(0).seed(3));
                double loss = h.last("loss");
                System.out.println(String.format(Locale.ROOT, "%s: loss %.6g -> %.6g", p, h.get("loss").get(0), loss));
                return loss;
            }
        } finally {
            Jrnn.setPrecision(before);
        }
    }
}
