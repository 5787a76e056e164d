package dev.jrnn.distributed;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Communicator;

import java.time.Duration;
import java.util.Map;

/**
 * This process's place in a data-parallel job, one process per GPU as {@code bin/jrnn-launch} (or torchrun) starts
 * them: the rendezvous with the other ranks, where rank 0 hands out the NCCL unique id, and the NCCL communicator
 * for {@link dev.jrnn.model.FitOptions#distributed}. The two are tied: when the communicator aborts (a failed step,
 * its watchdog's timeout) every other rank hears of it over the rendezvous' connections, and a rank that fails or
 * dies aborts this one's communicator, so that every rank's fit ends with a
 * {@link dev.jrnn.backend.DistributedException} naming it instead of waiting forever.
 *
 * <pre>{@code
 * // bin/jrnn-launch --nproc-per-node 8 com.example.Train
 * try (ProcessGroup pg = ProcessGroup.fromEnvironment()) {
 *     model.fit(x, y, new FitOptions().batchSize(64).distributed(pg.communicator()));
 * }
 * }</pre>
 */
public final class ProcessGroup implements AutoCloseable {
    /** How long the rendezvous waits for every rank, and a collective for completion, unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private final Rendezvous rendezvous;
    private final Communicator comm;
    private final int localRank;

    private ProcessGroup(Rendezvous rendezvous, Communicator comm, int localRank) {
        this.rendezvous = rendezvous;
        this.comm = comm;
        this.localRank = localRank;
    }

    /** The job described by the launcher's variables, on the session's backend: {@link #fromEnvironment(Map, Backend, Duration)}. */
    public static ProcessGroup fromEnvironment() {
        return fromEnvironment(System.getenv(), Jrnn.backend(), DEFAULT_TIMEOUT);
    }

    /**
     * The job described by {@code env}: {@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK} (default: RANK),
     * {@code MASTER_ADDR} and {@code MASTER_PORT} (where rank 0 listens), as torchrun sets them; {@code backend}
     * must be a CUDA backend (the launcher gives each local rank its device through {@code JRNN_CUDA_DEVICE}).
     *
     * @throws IllegalArgumentException naming a variable that is missing or not a number
     */
    public static ProcessGroup fromEnvironment(Map<String, String> env, Backend backend, Duration timeout) {
        if (env == null) throw new IllegalArgumentException("ProcessGroup.fromEnvironment: env is null");
        int size = number(env, "WORLD_SIZE", null, 1);
        int rank = number(env, "RANK", null, 0);
        int local = number(env, "LOCAL_RANK", rank, 0);
        String host = env.get("MASTER_ADDR");
        if (host == null || host.isBlank()) throw new IllegalArgumentException("ProcessGroup: MASTER_ADDR is not set (start with bin/jrnn-launch)");
        int port = number(env, "MASTER_PORT", null, 0);
        if (rank >= size) throw new IllegalArgumentException("ProcessGroup: RANK " + rank + " must be below WORLD_SIZE " + size);
        return init(backend, host.trim(), port, rank, size, local, timeout);
    }

    /**
     * Joins the job of {@code size} ranks as {@code rank}: meets the others at {@code host:port} (rank 0 listens there)
     * and makes the NCCL communicator on {@code backend}; {@code timeout} bounds the rendezvous, the communicator's
     * creation and every collective.
     */
    public static ProcessGroup init(Backend backend, String host, int port, int rank, int size, int localRank, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("ProcessGroup: timeout must be positive, got " + timeout);
        }
        Rendezvous.checkHost("ProcessGroup", host);   // before the backend check, as the timeout: CPU-only callers see it too
        if (backend == null || !backend.name().equals("cuda")) {
            throw new IllegalArgumentException("ProcessGroup: NCCL needs the CUDA backend, this process has "
                    + (backend == null ? "none" : backend.name()) + " (Jrnn.setBackend(\"cuda\"), JRNN_BACKEND=cuda)");
        }
        long ms = timeout.toMillis();
        Rendezvous r = Rendezvous.join(host, port, rank, size, ms, Backends::ncclUniqueId);
        Communicator c;
        try {
            c = Backends.nccl(backend, r.payload(), rank, size, ms);
        } catch (RuntimeException e) {
            r.reportFailure("rank " + rank + " failed to create its NCCL communicator: " + e.getMessage());
            r.close();
            throw e;
        }
        c.onAbort(r::reportFailure);
        r.onFailure(c::abort);
        return new ProcessGroup(r, c, localRank);
    }

    private static int number(Map<String, String> env, String name, Integer dflt, int min) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            if (dflt != null) return dflt;
            throw new IllegalArgumentException("ProcessGroup: " + name + " is not set (start with bin/jrnn-launch, or set RANK, "
                    + "WORLD_SIZE, MASTER_ADDR and MASTER_PORT)");
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("ProcessGroup: " + name + " must be an integer >= " + min + ", got '" + v + "'");
    }

    /** The communicator to give {@link dev.jrnn.model.FitOptions#distributed}. */
    public Communicator communicator() { return comm; }

    public int rank() { return comm.rank(); }

    public int size() { return comm.size(); }

    /** The rank among this node's processes (the GPU it uses, by the launcher's default). */
    public int localRank() { return localRank; }

    /** Frees the communicator and says goodbye to the other ranks. */
    @Override
    public void close() {
        try {
            comm.close();
        } finally {
            rendezvous.close();
        }
    }
}
