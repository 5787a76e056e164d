package dev.jrnn.backend.cuda;

/**
 * Where and how a kernel runs: grid (x, y), block (x, y), dynamic shared memory in bytes, the stream, and whether
 * the launch is cooperative (all blocks co-resident, grid-wide barriers allowed). The first argument of every
 * {@link Kernel} launcher.
 */
record Grid(int gx, int gy, int bx, int by, int sharedBytes, long stream, boolean cooperative) {
    /** A 1-D grid of {@code blocks} blocks of {@code threads} threads. */
    static Grid of(int blocks, int threads, long stream) {
        return new Grid(blocks, 1, threads, 1, 0, stream, false);
    }
}
