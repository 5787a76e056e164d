package dev.jrnn.distributed;

import dev.jrnn.backend.Backends;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code bin/jrnn-launch}: starts this node's ranks of a data-parallel job, one JVM per GPU, as {@code torchrun} does.
 * Each gets {@code RANK}, {@code LOCAL_RANK}, {@code WORLD_SIZE}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR} and
 * {@code MASTER_PORT} (where rank 0's rendezvous listens, see {@link ProcessGroup}) and its GPU as
 * {@code JRNN_CUDA_DEVICE} (its local rank, or the {@code --devices} entry), the launcher's java, classpath and jrnn's
 * JVM flags; their output lines come out prefixed with {@code [rank r]}. When a rank exits with an error the
 * launcher waits {@code --grace} seconds for the others (which hear of it and abort on their own), then stops them,
 * and exits with that rank's code.
 *
 * <pre>
 * bin/jrnn-launch --nproc-per-node 8 com.example.Train --epochs 10
 * bin/jrnn-launch --nnodes 2 --node-rank 0 --nproc-per-node 8 --rdzv 10.0.0.1:29500 com.example.Train
 * bin/jrnn-launch --nproc-per-node 2 --devices 0,0 com.example.Train     # two ranks on one GPU
 * </pre>
 */
public final class Launcher {
    static final String USAGE = "usage: jrnn-launch --nproc-per-node N [--nnodes M --node-rank R --rdzv HOST:PORT]"
            + " [--devices D0,D1,...] [--grace SECONDS] [--jvm-arg ARG]... MainClass [args...]";

    /** The parsed command line. */
    record Options(int nproc, int nnodes, int nodeRank, String host, int port, int[] devices, int graceSeconds,
                   List<String> jvmArgs, String main, List<String> args) {}

    private Launcher() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Launches and waits; returns the exit code (0 when every rank succeeded, 2 for a bad command line). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("jrnn-launch: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        List<Process> procs = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        try {
            for (int i = 0; i < o.nproc(); i++) {
                int rank = o.nodeRank() * o.nproc() + i;
                ProcessBuilder pb = new ProcessBuilder(command(o));
                Map<String, String> env = pb.environment();
                env.put("RANK", Integer.toString(rank));
                env.put("LOCAL_RANK", Integer.toString(i));
                env.put("WORLD_SIZE", Integer.toString(o.nnodes() * o.nproc()));
                env.put("LOCAL_WORLD_SIZE", Integer.toString(o.nproc()));
                env.put("MASTER_ADDR", o.host());
                env.put("MASTER_PORT", Integer.toString(o.port()));
                env.put(dev.jrnn.backend.Settings.Key.CUDA_DEVICE.env(), Integer.toString(o.devices() != null ? o.devices()[i] : i));
                Process p = pb.start();
                procs.add(p);
                pumps.add(pump(p.getInputStream(), out, "[rank " + rank + "] "));
                pumps.add(pump(p.getErrorStream(), err, "[rank " + rank + "] "));
            }
        } catch (IOException e) {
            err.println("jrnn-launch: cannot start " + command(o).getFirst() + ": " + e.getMessage());
            procs.forEach(Process::destroyForcibly);
            return 1;
        }
        int code = await(o, procs, err);
        for (Thread t : pumps) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return code;
    }

    /** How long after a first failure is seen the launcher looks for an earlier one whose exit its waiter saw late. */
    private static final long SETTLE_MS = 200;

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // the poll's own sleep then stops the ranks
        }
    }

    /**
     * Waits for every rank; after the first failure gives the rest the grace period, then stops them. The failure reported
     * is the rank that exited first by the time its waiter thread saw it exit, looked for over a short settle window: a
     * rank that heard of another's death may exit right after it, within one poll, and the rank that died first is the
     * one to name.
     */
    private static int await(Options o, List<Process> procs, PrintStream err) {
        int first = 0;
        long stopAt = Long.MAX_VALUE;
        boolean[] done = new boolean[procs.size()];
        int left = procs.size();
        AtomicLongArray exitAt = new AtomicLongArray(procs.size());   // nanoTime when its waiter saw it exit; 0 until then
        for (int i = 0; i < procs.size(); i++) {
            int k = i;
            Process p = procs.get(i);
            Thread.ofVirtual().start(() -> {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    return;
                }
                exitAt.set(k, System.nanoTime());
            });
        }
        while (left > 0) {
            List<Integer> exited = new ArrayList<>();
            for (int i = 0; i < procs.size(); i++) if (!done[i] && exitAt.get(i) != 0) exited.add(i);
            if (first == 0 && exited.stream().anyMatch(i -> procs.get(i).exitValue() != 0)) {
                sleep(SETTLE_MS);   // the rank whose death the failing one heard of may be a moment behind: let it be seen
                for (int i = 0; i < procs.size(); i++) if (!done[i] && exitAt.get(i) != 0 && !exited.contains(i)) exited.add(i);
            }
            exited.sort(Comparator.comparingLong(exitAt::get));
            for (int i : exited) {
                Process p = procs.get(i);
                done[i] = true;
                left--;
                int rank = o.nodeRank() * o.nproc() + i;
                if (p.exitValue() != 0 && first == 0) {
                    first = p.exitValue();
                    err.println("jrnn-launch: rank " + rank + " exited with code " + first + "; waiting up to " + o.graceSeconds()
                            + " s for the other ranks to stop");
                    stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.graceSeconds());
                }
            }
            if (left > 0 && System.nanoTime() > stopAt) {
                for (int i = 0; i < procs.size(); i++) {
                    if (!done[i] && procs.get(i).isAlive()) {
                        err.println("jrnn-launch: stopping rank " + (o.nodeRank() * o.nproc() + i));
                        procs.get(i).destroyForcibly();
                    }
                }
                stopAt = Long.MAX_VALUE;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                procs.forEach(Process::destroyForcibly);
                return 130;
            }
        }
        return first;
    }

    /** The child's command: this JVM's java, jrnn's flags, the extra JVM arguments, this classpath, main and args. */
    static List<String> command(Options o) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(Arrays.asList(Backends.JVM_FLAGS.split(" ")));
        c.addAll(o.jvmArgs());
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(o.main());
        c.addAll(o.args());
        return c;
    }

    private static Thread pump(InputStream in, PrintStream to, String prefix) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (to) {
                        to.println(prefix + line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    static Options parse(String[] args) {
        int nproc = -1, nnodes = 1, nodeRank = 0, grace = 30;
        String rdzv = null;
        int[] devices = null;
        List<String> jvm = new ArrayList<>();
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "--nproc-per-node" -> nproc = positive(a, v);
                case "--nnodes" -> nnodes = positive(a, v);
                case "--node-rank" -> nodeRank = nonNegative(a, v);
                case "--rdzv" -> rdzv = v;
                case "--grace" -> grace = positive(a, v);
                case "--jvm-arg" -> jvm.add(v);
                case "--devices" -> {
                    String[] d = v.split(",");
                    devices = new int[d.length];
                    for (int k = 0; k < d.length; k++) devices[k] = nonNegative(a, d[k].trim());
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (nproc < 1) throw new IllegalArgumentException("--nproc-per-node is required");
        if (nodeRank >= nnodes) throw new IllegalArgumentException("--node-rank " + nodeRank + " must be below --nnodes " + nnodes);
        if (devices != null && devices.length != nproc) {
            throw new IllegalArgumentException("--devices lists " + devices.length + " device(s), --nproc-per-node is " + nproc);
        }
        if (i >= args.length) throw new IllegalArgumentException("the main class is missing");
        String host;
        int port;
        if (rdzv == null) {
            if (nnodes > 1) throw new IllegalArgumentException("--rdzv HOST:PORT is required with --nnodes " + nnodes);
            host = "127.0.0.1";
            port = freePort();
        } else {
            int c = rdzv.lastIndexOf(':');
            if (c <= 0 || c == rdzv.length() - 1) throw new IllegalArgumentException("--rdzv must be HOST:PORT, got '" + rdzv + "'");
            host = rdzv.substring(0, c);
            port = nonNegative("--rdzv port", rdzv.substring(c + 1));
            if (port > 65535) throw new IllegalArgumentException("--rdzv port must be <= 65535, got " + port);
        }
        return new Options(nproc, nnodes, nodeRank, host, port, devices, grace, List.copyOf(jvm), args[i],
                List.of(Arrays.copyOfRange(args, i + 1, args.length)));
    }

    private static int positive(String name, String v) {
        int n = nonNegative(name, v);
        if (n < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        return n;
    }

    private static int nonNegative(String name, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + " must be a non-negative integer, got '" + v + "'");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port for the rendezvous: " + e.getMessage(), e);
        }
    }
}
