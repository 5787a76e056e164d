package dev.jrnn.backend;

/**
 * Collectives over the ranks of a data-parallel job, on one backend's buffers: what {@code FitOptions.distributed}
 * trains with. The product's implementation is NCCL on the CUDA backend ({@code dev.jrnn.distributed.ProcessGroup}
 * makes it, one process per GPU); the tests use threads standing for ranks.
 *
 * <p>Ordering: a collective is queued after every backend call made so far on the calling thread and may run beside
 * the calls made after it (on CUDA it runs on a stream of its own), until {@link #join()}: backend calls made after
 * {@code join()} see the results of every collective started before it. Every rank must start the same collectives
 * in the same order with the same counts, as NCCL requires.
 *
 * <p>Failure: {@link #abort} ends the communicator on this rank; collectives started after it, and those still
 * waiting, throw a {@link DistributedException} carrying the reason. A rank that never reaches a collective makes the
 * others fail after the communicator's timeout, naming it when it is known; no rank hangs.
 *
 * <pre>{@code
 * comm.allReduce(grads, 0, n, Communicator.Op.AVG);   // starts; backward may go on meanwhile
 * comm.join();                                         // the optimizer's update waits for the average
 * }</pre>
 */
public interface Communicator extends AutoCloseable {
    /** The reduction of {@link #allReduce}. */
    enum Op { SUM, AVG }

    /** This process's (or thread's) rank, 0 .. size-1. */
    int rank();

    /** The number of ranks. */
    int size();

    /** The backend whose buffers this communicator reduces. */
    Backend backend();

    /** Replaces {@code buf[off, off+count)} on every rank by its sum (or mean) over the ranks; starts, see the class. */
    void allReduce(Buf buf, long off, long count, Op op);

    /** Replaces {@code buf[off, off+count)} on every rank by rank {@code root}'s; starts, see the class. */
    void broadcast(Buf buf, long off, long count, int root);

    /**
     * Runs {@code starts}, whose collectives are issued as one group (NCCL: between {@code ncclGroupStart} and
     * {@code ncclGroupEnd}, so they launch together); where collectives block the host, just runs it.
     */
    default void group(Runnable starts) { starts.run(); }

    /** Makes backend calls made from now on wait for every collective started so far (the host does not wait). */
    void join();

    /**
     * Marks the point after the collectives started so far, outside any captured step: a communicator with a
     * watchdog aborts when such a point stays unreached longer than its timeout. Does nothing where collectives
     * block the host (the threads of the tests time out in the collective itself).
     */
    default void fence() {}

    /**
     * Ends the communicator on this rank with {@code reason} (e.g. "rank 1 failed: ..."), telling the other ranks
     * where the implementation can; pending and later collectives throw a {@link DistributedException}. Idempotent:
     * the first reason stays.
     */
    void abort(String reason);

    /**
     * Calls {@code listener} with the reason when this communicator aborts, once, on whichever thread aborted it (a
     * watchdog's too): how a process group tells the other ranks. Replaces the previous listener.
     */
    void onAbort(java.util.function.Consumer<String> listener);

    /** The reason of the first {@link #abort} (here or told by another rank), or null while healthy. */
    String abortReason();

    /** Frees the communicator (an aborted one too). */
    @Override
    void close();
}
