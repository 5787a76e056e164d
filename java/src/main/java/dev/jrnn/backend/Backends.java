package dev.jrnn.backend;

import java.lang.reflect.InvocationTargetException;

/**
 * Chooses a backend by name: "cpu", "cuda" or "auto" (CUDA when a device, the kernels and cuBLAS are
 * all usable, else CPU with one line on stderr saying why). Each backend is made with the process's
 * {@link Settings#current() settings} unless the call hands its own.
 *
 * <p>The JVM must run with {@value #JVM_FLAGS}: without the Vector API module the CPU backend throws an
 * IllegalStateException naming the flags, and without native access the CUDA backend does (so "auto" falls
 * back to the CPU with one line saying so).
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
            requireVectorModule("CUDA is not usable (" + why + ") and ");
            System.err.println("jrnn: using the CPU backend (CUDA not usable: " + why + ")");
            return cpu(settings);
        }
    }

    /** The JVM flags jrnn needs, as they go on a java command line or in Surefire's argLine. */
    public static final String JVM_FLAGS = "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED";

    private static final String WHERE_FLAGS = " (java command line; Maven Surefire <argLine>; exec:exec <arguments>; "
            + "exec:java runs inside Maven: put them in .mvn/jvm.config; IDEs: the run configuration's VM options)";

    /**
     * Fails before any Vector API class loads (a NoClassDefFoundError later): the CPU kernels need the
     * incubating module, which a JVM resolves only when asked to.
     */
    private static void requireVectorModule(String context) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException("jrnn: " + context + "the CPU backend needs the JVM flag --add-modules "
                    + "jdk.incubator.vector, which this JVM was started without; start it with " + JVM_FLAGS + WHERE_FLAGS);
        }
    }

    /** The CUDA backend calls C through FFM's restricted methods: without native access the JVM would warn or refuse. */
    private static void requireNativeAccess() {
        if (!Backends.class.getModule().isNativeAccessEnabled()) {
            throw new IllegalStateException("the CUDA backend needs the JVM flag --enable-native-access=" + moduleName()
                    + ", which this JVM was started without");
        }
    }

    private static String moduleName() {
        Module m = Backends.class.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }

    public static Backend cpu() {
        return cpu(Settings.current());
    }

    /** The CUDA backend; throws a RuntimeException naming what is missing (device, kernels, cuBLAS). */
    public static Backend cuda() {
        return cuda(Settings.current());
    }

    private static Backend cpu(Settings settings) {
        requireVectorModule("");
        return instantiate("dev.jrnn.backend.cpu.CpuBackend", settings);
    }

    private static Backend cuda(Settings settings) {
        requireNativeAccess();
        return instantiate("dev.jrnn.backend.cuda.CudaBackend", settings);
    }

    /** NCCL's version code (e.g. 22805 for 2.28.5); throws a RuntimeException naming every place searched when absent. */
    public static int ncclVersion() {
        requireNativeAccess();
        return (Integer) invokeStatic(NCCL, "version", new Class<?>[0]);
    }

    /** A new 128-byte NCCL unique id (rank 0 makes it, the rendezvous hands it to the other ranks). */
    public static byte[] ncclUniqueId() {
        requireNativeAccess();
        return (byte[]) invokeStatic(NCCL, "uniqueId", new Class<?>[0]);
    }

    /**
     * Joins NCCL communicator {@code id} as {@code rank} of {@code size} on {@code cuda} (a CUDA backend), waiting at
     * most {@code timeoutMs} for the others; the communicator's watchdog aborts on a collective older than that.
     */
    public static Communicator nccl(Backend cuda, byte[] id, int rank, int size, long timeoutMs) {
        requireNativeAccess();
        return (Communicator) invokeStatic(NCCL, "create", new Class<?>[] {Backend.class, byte[].class, int.class, int.class,
                long.class}, cuda, id, rank, size, timeoutMs);
    }

    private static final String NCCL = "dev.jrnn.backend.cuda.NcclCommunicator";

    private static Object invokeStatic(String cls, String method, Class<?>[] types, Object... args) {
        try {
            return Class.forName(cls).getMethod(method, types).invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(cls + "." + method + " failed: " + c, c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("class " + cls + " is not available: " + e, e);
        }
    }

    /**
     * Drops the CPU matrix products' packing scratch, which the process's CPU backends share (a few arrays per core),
     * whatever the current backend is: {@code Jrnn.clearSession()} calls it. Nothing happens where the CPU backend
     * cannot load (no Vector API module): no product ran, so there is no scratch.
     *
     * <pre>{@code
     * Backends.trimCpuScratch();   // after a burst of CPU products, with the current backend CUDA or closed
     * }</pre>
     */
    public static void trimCpuScratch() {
        try {
            invokeStatic("dev.jrnn.backend.cpu.CpuBackend", "trimScratch", new Class<?>[0]);
        } catch (IllegalStateException | LinkageError e) {
            // the CPU backend is not loadable here: it made no scratch
        }
    }

    // Reflection keeps this package free of a compile-time dependency on its implementations.
    private static Backend instantiate(String cls, Settings settings) {
        return (Backend) invokeStatic(cls, "create", new Class<?>[] {Settings.class}, settings);
    }
}
