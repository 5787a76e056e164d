package dev.jrnn.bench;

import dev.jrnn.backend.Backend;

/**
 * Times one step of GPU work. {@link #create} picks the best timer the backend supports; the
 * host timer synchronizes the backend before and after the step and reads {@link System#nanoTime()}
 * (so it includes launch overhead the GPU could not hide, as a user's loop sees it).
 */
public interface StepTimer extends AutoCloseable {

    /** Runs {@code step} and returns its duration in milliseconds. */
    double time(Runnable step);

    /** "host-sync" or "cuda-events". */
    String kind();

    @Override
    default void close() {}

    /** A timer for {@code be}. */
    static StepTimer create(Backend be) {
        return new StepTimer() {
            @Override
            public double time(Runnable step) {
                be.synchronize();
                long t0 = System.nanoTime();
                step.run();
                be.synchronize();
                return (System.nanoTime() - t0) / 1e6;
            }

            @Override
            public String kind() { return "host-sync"; }
        };
    }

    /** The device's name, or the backend's name when it is not known. */
    static String deviceName(Backend be) {
        return be.name();
    }
}
