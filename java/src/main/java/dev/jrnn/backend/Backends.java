package dev.jrnn.backend;

import java.lang.reflect.InvocationTargetException;

/**
 * Chooses a backend by name: "cpu", "cuda" or "auto" (CUDA when a device, the kernels and cuBLAS are
 * all usable, else CPU with one line on stderr saying why). Each backend is made with the process's
 * {@link Settings#current() settings} unless the call hands its own.
 */
public final class Backends {
    private Backends() {}

    /** The backend named {@code name}; "cuda" throws if CUDA is not usable, with the reason. */
    public static Backend create(String name) {
        return create(name, Settings.current());
    }

    /** The backend named {@code name} ("auto", "cpu", "cuda"; null or blank = auto), made with {@code settings}. */
    public static Backend create(String name, Settings settings) {
        return create(Settings.backendChoice(name), settings);
    }

    /** The backend {@code choice}, made with {@code settings}. */
    public static Backend create(Settings.BackendChoice choice, Settings settings) {
        return switch (choice) {
            case CPU -> cpu(settings);
            case CUDA -> cuda(settings);
            case AUTO -> auto(settings);
        };
    }

    /** CUDA if usable, else CPU (printing why once). */
    public static Backend auto() {
        return auto(Settings.current());
    }

    private static Backend auto(Settings settings) {
        try {
            return cuda(settings);
        } catch (RuntimeException e) {
            // One line: the first line of the reason (the full search report stays in the exception).
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("unknown reason");
            System.err.println("jrnn: using the CPU backend (CUDA not usable: " + why + ")");
            return cpu(settings);
        }
    }

    public static Backend cpu() {
        return cpu(Settings.current());
    }

    /** The CUDA backend; throws a RuntimeException naming what is missing (device, kernels, cuBLAS). */
    public static Backend cuda() {
        return cuda(Settings.current());
    }

    private static Backend cpu(Settings settings) {
        return instantiate("dev.jrnn.backend.cpu.CpuBackend", settings);
    }

    private static Backend cuda(Settings settings) {
        return instantiate("dev.jrnn.backend.cuda.CudaBackend", settings);
    }

    // Reflection keeps this package free of a compile-time dependency on its implementations.
    private static Backend instantiate(String cls, Settings settings) {
        try {
            return (Backend) Class.forName(cls).getMethod("create", Settings.class).invoke(null, settings);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(cls + ".create(Settings) failed: " + c, c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("backend class " + cls + " is not available: " + e, e);
        }
    }
}
