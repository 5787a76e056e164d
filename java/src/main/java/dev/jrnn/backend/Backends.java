package dev.jrnn.backend;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;

/**
 * Chooses a backend by name: "cpu", "cuda" or "auto" (CUDA when a device, the kernels and cuBLAS are
 * all usable, else CPU with one line on stderr saying why).
 */
public final class Backends {
    private Backends() {}

    /** The backend named {@code name}; "cuda" throws if CUDA is not usable, with the reason. */
    public static Backend create(String name) {
        String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "cpu" -> cpu();
            case "cuda", "gpu" -> cuda();
            case "auto", "" -> auto();
            default -> throw new IllegalArgumentException("unknown backend '" + name + "': expected auto, cpu or cuda");
        };
    }

    /** CUDA if usable, else CPU (printing why once). */
    public static Backend auto() {
        try {
            return cuda();
        } catch (RuntimeException e) {
            // One line: the first line of the reason (the full search report stays in the exception).
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("unknown reason");
            System.err.println("jrnn: using the CPU backend (CUDA not usable: " + why + ")");
            return cpu();
        }
    }

    public static Backend cpu() {
        return instantiate("dev.jrnn.backend.cpu.CpuBackend");
    }

    /** The CUDA backend; throws a RuntimeException naming what is missing (device, kernels, cuBLAS). */
    public static Backend cuda() {
        return instantiate("dev.jrnn.backend.cuda.CudaBackend");
    }

    // Reflection keeps this package free of a compile-time dependency on its implementations.
    private static Backend instantiate(String cls) {
        try {
            return (Backend) Class.forName(cls).getMethod("create").invoke(null);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(cls + ".create() failed: " + c, c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("backend class " + cls + " is not available: " + e, e);
        }
    }
}
