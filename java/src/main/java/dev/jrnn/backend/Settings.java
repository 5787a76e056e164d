package dev.jrnn.backend;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Every jrnn setting from outside the program, read in one place: for each {@link Key} the system property
 * ({@code -Djrnn.streams=on}) wins over the environment variable ({@code JRNN_STREAMS=on}); unset or blank
 * means the default. One strict parser: a value that is not one of the valid ones is an
 * IllegalArgumentException naming the setting, the value and the valid values. The process reads them once
 * ({@link #current()}, used by {@code Jrnn} and {@link Backends}) and hands them to the backends' factories.
 * Lives in the backend package, the lowest layer, so that every package above may read it.
 *
 * <pre>{@code
 * Settings s = Settings.current();                       // -D properties and JRNN_* variables
 * Backend be = Backends.create("cuda", s.withStreams(true));
 * }</pre>
 *
 * @param backend           {@code jrnn.backend}: which backend {@code Jrnn.backend()} creates
 * @param cublas            {@code jrnn.cublas}: the cuBLAS library file or directory to load, or null to search
 * @param nccl              {@code jrnn.nccl}: the NCCL library file or directory to load, or null to search
 * @param cudaDevice        {@code jrnn.cuda.device}: the CUDA device ordinal (default 0)
 * @param persistent        {@code jrnn.persistent}: when the persistent whole-sequence kernels run
 * @param persistentVariant {@code jrnn.persistent.variant}: which persistent kernels the planner may choose
 * @param streams           {@code jrnn.streams}: CUDA forks run on a second stream
 * @param cpuThreads        {@code jrnn.cpu.threads}: threads of the CPU backend's pool (default: the cores)
 * @param cpuForks          {@code jrnn.cpu.forks}: CPU forks run on a second thread
 * @param demoOut           {@code jrnn.demo.out}: where the examples write their files
 */
public record Settings(BackendChoice backend, String cublas, String nccl, int cudaDevice, Persistent persistent,
                       PersistentVariant persistentVariant, boolean streams, int cpuThreads, boolean cpuForks,
                       String demoOut) {

    /** Which backend to create. */
    public enum BackendChoice { AUTO, CPU, CUDA }

    /** When to use the persistent whole-sequence kernels: small batches (default), whenever they fit, never. */
    public enum Persistent { AUTO, ON, OFF }

    /** The persistent kernels' multiply: as the cost model prefers, CUDA-core FMAs, or tensor cores. */
    public enum PersistentVariant { AUTO, FFMA, TC }

    /** Each setting: its system property and its environment variable. */
    public enum Key {
        BACKEND("jrnn.backend"), CUBLAS("jrnn.cublas"), NCCL("jrnn.nccl"), CUDA_DEVICE("jrnn.cuda.device"),
        PERSISTENT("jrnn.persistent"), PERSISTENT_VARIANT("jrnn.persistent.variant"), STREAMS("jrnn.streams"),
        CPU_THREADS("jrnn.cpu.threads"), CPU_FORKS("jrnn.cpu.forks"), DEMO_OUT("jrnn.demo.out");

        private final String property;

        Key(String property) { this.property = property; }

        /** The system property, e.g. {@code jrnn.cpu.threads}. */
        public String property() { return property; }

        /** The environment variable, e.g. {@code JRNN_CPU_THREADS}. */
        public String env() {
            return "JRNN_" + property.substring("jrnn.".length()).replace('.', '_').toUpperCase(Locale.ROOT);
        }

        /** How messages name the setting: {@code jrnn.streams (JRNN_STREAMS)}. */
        String label() { return property + " (" + env() + ")"; }
    }

    private static final Map<String, Boolean> SWITCH = choices(
            "on", true, "off", false, "true", true, "false", false, "1", true, "0", false);
    private static final Map<String, BackendChoice> BACKENDS = choices(
            "auto", BackendChoice.AUTO, "cpu", BackendChoice.CPU, "cuda", BackendChoice.CUDA, "gpu", BackendChoice.CUDA);
    private static final Map<String, Persistent> PERSISTENT = choices(
            "auto", Persistent.AUTO, "on", Persistent.ON, "off", Persistent.OFF,
            "true", Persistent.ON, "false", Persistent.OFF, "1", Persistent.ON, "0", Persistent.OFF);
    private static final Map<String, PersistentVariant> VARIANTS = choices(
            "auto", PersistentVariant.AUTO, "ffma", PersistentVariant.FFMA, "tc", PersistentVariant.TC,
            "tensor_cores", PersistentVariant.TC);

    public Settings {
        if (backend == null || persistent == null || persistentVariant == null || demoOut == null) {
            throw new IllegalArgumentException("Settings: backend, persistent, persistentVariant and demoOut must not"
                    + " be null");
        }
        if (cudaDevice < 0) throw new IllegalArgumentException(Key.CUDA_DEVICE.label() + ": expected >= 0, got " + cudaDevice);
        if (cpuThreads < 1) throw new IllegalArgumentException(Key.CPU_THREADS.label() + ": expected >= 1, got " + cpuThreads);
    }

    private static Settings current;

    /** The settings of this process: read from the system properties and the environment on first use, then kept. */
    public static synchronized Settings current() {
        if (current == null) current = read(System::getProperty, System::getenv);
        return current;
    }

    /** Every setting at its default (as when nothing is set). */
    public static Settings defaults() {
        return read(k -> null, k -> null);
    }

    /**
     * Reads every {@link Key} through {@code properties} (by property name) and then {@code env} (by variable
     * name); a null or blank value falls through to the next source, then to the default.
     *
     * @throws IllegalArgumentException naming the setting, the value and the valid values when one is not valid
     */
    public static Settings read(Function<String, String> properties, Function<String, String> env) {
        Map<Key, String> raw = new LinkedHashMap<>();
        for (Key k : Key.values()) {
            String v = properties.apply(k.property());
            if (v == null || v.isBlank()) v = env.apply(k.env());
            if (v != null && !v.isBlank()) raw.put(k, v.trim());
        }
        return new Settings(
                choice(Key.BACKEND, raw.get(Key.BACKEND), BackendChoice.AUTO, BACKENDS),
                raw.get(Key.CUBLAS),
                raw.get(Key.NCCL),
                count(Key.CUDA_DEVICE, raw.get(Key.CUDA_DEVICE), 0, 0),
                choice(Key.PERSISTENT, raw.get(Key.PERSISTENT), Persistent.AUTO, PERSISTENT),
                choice(Key.PERSISTENT_VARIANT, raw.get(Key.PERSISTENT_VARIANT), PersistentVariant.AUTO, VARIANTS),
                choice(Key.STREAMS, raw.get(Key.STREAMS), false, SWITCH),
                count(Key.CPU_THREADS, raw.get(Key.CPU_THREADS), Runtime.getRuntime().availableProcessors(), 1),
                choice(Key.CPU_FORKS, raw.get(Key.CPU_FORKS), false, SWITCH),
                raw.getOrDefault(Key.DEMO_OUT, "target/jrnn-demo"));
    }

    /** These settings with {@code backend} replaced. */
    public Settings withBackend(BackendChoice b) {
        return new Settings(b, cublas, nccl, cudaDevice, persistent, persistentVariant, streams, cpuThreads, cpuForks, demoOut);
    }

    /** These settings with {@code streams} replaced. */
    public Settings withStreams(boolean on) {
        return new Settings(backend, cublas, nccl, cudaDevice, persistent, persistentVariant, on, cpuThreads, cpuForks, demoOut);
    }

    /** These settings with {@code cpuForks} replaced. */
    public Settings withCpuForks(boolean on) {
        return new Settings(backend, cublas, nccl, cudaDevice, persistent, persistentVariant, streams, cpuThreads, on, demoOut);
    }

    /**
     * The backend named {@code name} ("auto", "cpu", "cuda" or "gpu", any case), parsed as {@link Key#BACKEND} is;
     * null or blank means auto.
     */
    public static BackendChoice backendChoice(String name) {
        return choice(Key.BACKEND, name == null || name.isBlank() ? null : name.trim(), BackendChoice.AUTO, BACKENDS);
    }

    // ---------------------------------------------------------------- the one parser

    private static <T> T choice(Key key, String value, T dflt, Map<String, T> valid) {
        if (value == null) return dflt;
        T t = valid.get(value.toLowerCase(Locale.ROOT));
        if (t == null) {
            throw new IllegalArgumentException(key.label() + ": expected one of " + String.join(", ", valid.keySet())
                    + ", got '" + value + "'");
        }
        return t;
    }

    private static int count(Key key, String value, int dflt, int min) {
        if (value == null) return dflt;
        try {
            int n = Integer.parseInt(value);
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // reported below, with the valid values
        }
        throw new IllegalArgumentException(key.label() + ": expected an integer >= " + min + ", got '" + value + "'");
    }

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> choices(Object... nameValue) {
        Map<String, T> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) m.put((String) nameValue[i], (T) nameValue[i + 1]);
        return m;
    }
}
