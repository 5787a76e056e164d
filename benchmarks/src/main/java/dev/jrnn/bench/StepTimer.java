package dev.jrnn.bench;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.cuda.CudaBackend;
import dev.jrnn.backend.cuda.CudaDriver;


/**
 * Times one step of GPU work. On the CUDA backend, two CUDA events recorded on the backend's stream
 * around the step ({@code cuEventElapsedTime}); elsewhere, or when the stream cannot be found, the
 * host timer: synchronize, {@link System#nanoTime()}, step, synchronize. Both start from an idle
 * device and include any gap the host leaves between launches, as a user's training loop sees it.
 *
 * <pre>{@code
 * try (StepTimer t = StepTimer.create(backend)) {
 *     double ms = t.time(() -> trainer.trainStep(0));
 * }
 * }</pre>
 */
public interface StepTimer extends AutoCloseable {

    /** Runs {@code step} and returns its duration in milliseconds. */
    double time(Runnable step);

    /** "cuda-events" or "host-sync". */
    String kind();

    @Override
    default void close() {}

    /** The best timer for {@code be}. */
    static StepTimer create(Backend be) {
        if (be.name().equals("cuda")) {
            Long stream = streamOf(be);
            if (stream != null) return new CudaEvents(be, CudaDriver.get(), stream);
            System.err.println("GpuBench: the CUDA backend's stream is not reachable; timing with host synchronization");
        }
        return new HostSync(be);
    }

    /** The device's name (CUDA), else the backend's name. */
    static String deviceName(Backend be) {
        if (be.name().equals("cuda")) {
            try {
                return CudaDriver.get().deviceName();
            } catch (RuntimeException e) {
                return "cuda (name unknown: " + e.getMessage() + ")";
            }
        }
        return be.name();
    }

    /** The stream the CUDA backend queues its work on ({@link CudaBackend#streamHandle()}), else null. */
    private static Long streamOf(Backend be) {
        return be instanceof CudaBackend cb ? cb.streamHandle() : null;
    }

    /** Host clock around a fully synchronized step. */
    final class HostSync implements StepTimer {
        private final Backend be;

        HostSync(Backend be) { this.be = be; }

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
    }

    /** CUDA events on the backend's stream. */
    final class CudaEvents implements StepTimer {
        private final Backend be;
        private final CudaDriver d;
        private final long stream, start, end;

        CudaEvents(Backend be, CudaDriver d, long stream) {
            this.be = be;
            this.d = d;
            this.stream = stream;
            this.start = d.eventCreate();
            this.end = d.eventCreate();
        }

        @Override
        public double time(Runnable step) {
            be.synchronize();
            d.eventRecord(start, stream);
            step.run();
            d.eventRecord(end, stream);
            return d.eventElapsedMs(start, end);
        }

        @Override
        public String kind() { return "cuda-events"; }

        @Override
        public void close() {
            d.eventDestroy(start);
            d.eventDestroy(end);
        }
    }

    /** A benchmark's on/off argument: "on"/"true"/"1" or "off"/"false"/"0". */
    static boolean onOff(String arg, String v) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "1" -> true;
            case "off", "false", "0" -> false;
            default -> throw new IllegalArgumentException(arg + ": expected on or off, got '" + v + "'");
        };
    }
}
