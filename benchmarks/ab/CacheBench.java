import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Dataset.cache(file)'s write pass (the first epoch: the .npy read, the samples written) and read pass (a later epoch: the
 * cache read) timed by the calling thread's CPU time (prefetch(0): all work on it). Args: dir samples steps features rounds.
 * Prints the median of the rounds after the first and the cache file's size.
 */
public final class CacheBench {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int n = Integer.parseInt(a[1]), t = Integer.parseInt(a[2]), f = Integer.parseInt(a[3]), rounds = Integer.parseInt(a[4]);
        Files.createDirectories(dir);
        Path x = dir.resolve("inputs-of-the-cache-benchmark-x.npy"), y = dir.resolve("targets-y.npy"), cache = dir.resolve("samples.cache");
        float[] xs = new float[n * t * f], ys = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) Math.sin(i * 0.37);
        Npy.write(x, Tensor.wrap(xs, n, t, f));
        Npy.write(y, Tensor.wrap(ys, n, 1));
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        double[] write = new double[rounds], read = new double[rounds];
        long size = 0;
        for (int r = 0; r < rounds; r++) {
            Files.deleteIfExists(cache);
            Dataset ds = Dataset.fromNpy(x, y).cache(cache).batch(256).prefetch(0);
            long c0 = tm.getCurrentThreadCpuTime();
            drain(ds, 0);
            write[r] = (tm.getCurrentThreadCpuTime() - c0) / 1e6;
            size = Files.size(cache);
            c0 = tm.getCurrentThreadCpuTime();
            drain(ds, 1);
            read[r] = (tm.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        double[] w = Arrays.copyOfRange(write, 1, rounds), rd = Arrays.copyOfRange(read, 1, rounds);
        Arrays.sort(w);
        Arrays.sort(rd);
        System.out.printf("samples=%d x=(%d,%d) write_ms=%.1f read_ms=%.1f bytes=%d%n", n, t, f, w[w.length / 2], rd[rd.length / 2], size);
    }

    private static void drain(Dataset ds, int epoch) throws Exception {
        try (BatchStream s = ds.epoch(epoch)) {
            while (s.hasNext()) try (Batch b = s.next()) { }
        }
    }
}
