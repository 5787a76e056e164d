package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes what a peer in another language (benchmarks/peers/torch_cpu.py) needs to check that it does
 * jrnn's work: per cell and shape one safetensors file with jrnn's initial weights in Keras layout
 * ({@code kernel}, {@code recurrent_kernel}, {@code bias}), the {@link RnnBench#BATCHES} input batches
 * {@code x0..} and targets {@code y0..} the CPU benchmark uses, jrnn's gradients of the first train step's
 * loss ({@code grad_kernel}, {@code grad_recurrent_kernel}, {@code grad_bias}: batch 0, the initial weights, Keras
 * layout) and of its input ({@code grad_x}, [B, T, I]: zero at the steps BPTT does not reach), and in the metadata jrnn's parameter count and its losses: {@code loss_step1} (MSE of the first train
 * step on batch 0, before its update) and {@code loss_step2} (MSE on batch 0 after that one Adam update).
 * Computed on the CPU backend, fp32.
 *
 * <p>The gradients are what checks BPTT at every shape: the peer compares its own with them weight by weight
 * (relative L2 distance), which sees a gradient off by a constant factor, a missing bias or recurrent-kernel
 * gradient and a truncated BPTT that moves some gradient by more than the peer's tolerance (1e-5 of its size; see
 * benchmarks/NOTES.md); {@code grad_x} compared step by step sees any truncation, however little it moves the weights'
 * gradients: a step BPTT does not reach has a zero input gradient on one side only. The losses alone cannot at small shapes: Adam's first step is about
 * {@code lr * sign(g)} wherever |g| is well above eps, so a gradient twice too large moves the weights almost as
 * the right one does ({@code loss_step2} moved by 3e-7 to 4e-6 relative at 4x10x8x8). {@code loss_step2} still
 * checks Adam's update rule.
 *
 * <pre>
 * java ... dev.jrnn.bench.PeerFixture --dir benchmarks/target/peer-fixtures
 *     [--shapes 32x50x128x128,8x100x256x256,64x100x512x512] [--cells lstm,gru,simple_rnn]
 * </pre>
 * Files are named {@code <cell>-<B>x<T>x<I>x<H>.safetensors} ({@link Shapes#key()}, whichever form the shape was given in).
 */
public final class PeerFixture {
    /** The CPU comparison's shapes (issue 16). */
    public static final String SHAPES = "32x50x128x128,8x100x256x256,64x100x512x512";

    private PeerFixture() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of("benchmarks/target/peer-fixtures");
        String shapes = SHAPES, cells = "lstm,gru,simple_rnn";
        int tbptt = 0;
        for (int a = 0; a < args.length; a++) {
            String v = a + 1 < args.length ? args[a + 1] : null;
            if (v == null && !args[a].equals("--help")) throw new IllegalArgumentException("PeerFixture: " + args[a] + " needs a value");
            switch (args[a]) {
                case "--dir" -> { dir = Path.of(v); a++; }
                case "--shapes" -> { shapes = v; a++; }
                case "--cells" -> { cells = v; a++; }
                case "--tbptt" -> { tbptt = Integer.parseInt(v); a++; }
                case "--help" -> {
                    System.out.println("usage: PeerFixture [--dir D] [--shapes BxTxIxH,...] [--cells lstm,gru,simple_rnn] [--tbptt K (a wrong setting"
                            + " the peer must refuse)]");
                    return;
                }
                default -> throw new IllegalArgumentException("PeerFixture: unknown argument '" + args[a] + "' (try --help)");
            }
        }
        Files.createDirectories(dir);
        Jrnn.setBackend("cpu");
        for (String c : cells.split(",")) {
            Shapes.Cell cell = Shapes.Cell.parse(c);
            for (String sh : shapes.split(",")) {
                Path f = write(dir, cell, Shapes.parse(sh), tbptt);
                System.out.println("written: " + f);
            }
        }
    }

    /** The fixture of one cell and shape, with the data and seed {@link RnnBench} uses; returns its path. */
    public static Path write(Path dir, Shapes.Cell cell, Shapes s) throws IOException {
        return write(dir, cell, s, 0);
    }

    /**
     * As {@link #write(Path, Shapes.Cell, Shapes)}, with jrnn's layer truncating BPTT every {@code tbptt} steps (0: full
     * BPTT, the benchmark's): a wrong setting on purpose, which the peer's check must refuse.
     */
    public static Path write(Path dir, Shapes.Cell cell, Shapes s, int tbptt) throws IOException {
        BenchData data = BenchData.random(s, RnnBench.BATCHES, 1);
        Map<String, Tensor> t = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        try (JrnnTrainer j = new JrnnTrainer(cell, s, data, RnnBench.SEED)) {
            List<Tensor> w = j.layer().getWeights();   // Keras order: kernel, recurrent_kernel, bias
            t.put("kernel", w.get(0));
            t.put("recurrent_kernel", w.get(1));
            t.put("bias", w.get(2));
            for (int i = 0; i < data.count(); i++) {
                t.put("x" + i, Tensor.wrap(data.x(i), s.batch(), s.steps(), s.in()));
                t.put("y" + i, Tensor.wrap(data.y(i), s.batch(), s.units()));
            }
            if (tbptt > 0) ((RecurrentLayer) j.layer()).tbptt(tbptt);
            List<Tensor> g = j.gradients(0);   // at the initial weights, before the step below updates them
            t.put("grad_kernel", g.get(0));
            t.put("grad_recurrent_kernel", g.get(1));
            t.put("grad_bias", g.get(2));
            t.put("grad_x", j.inputGradient(0));
            float step1 = j.trainStep(0);
            float step2 = j.loss(0);
            meta.put("cell", cell.name().toLowerCase(Locale.ROOT));
            meta.put("shape", s.key());
            meta.put("params", Long.toString(j.paramCount()));
            meta.put("loss_step1", Float.toString(step1));
            meta.put("loss_step2", Float.toString(step2));
            meta.put("adam", "lr=" + JrnnTrainer.LR + " beta1=" + JrnnTrainer.BETA1 + " beta2=" + JrnnTrainer.BETA2
                    + " eps=" + JrnnTrainer.EPS + " (Keras form: eps added to sqrt(v), bias correction in the step size)");
            meta.put("batches", Integer.toString(data.count()));
            meta.put("tbptt", Integer.toString(tbptt));
        }
        Path f = dir.resolve(meta.get("cell") + "-" + meta.get("shape") + ".safetensors");
        SafeTensors.write(f, t, meta);
        return f;
    }
}
