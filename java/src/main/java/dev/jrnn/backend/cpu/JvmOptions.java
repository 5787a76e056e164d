package dev.jrnn.backend.cpu;

/**
 * The HotSpot options that decide how fast the CPU kernels run (hardware FMA, which JIT compilers run), read once
 * through {@code HotSpotDiagnosticMXBean}, and the one warning for a JVM that runs them very slowly.
 */
final class JvmOptions {
    private JvmOptions() {}

    /** The option {@code name} as a boolean, or {@code absent} where the JVM has no such option or no HotSpot bean. */
    static boolean bool(String name, boolean absent) {
        String v = value(name);
        return v == null ? absent : Boolean.parseBoolean(v);
    }

    /** The option {@code name} as an int, or {@code absent} where the JVM has no such option or no HotSpot bean. */
    static int integer(String name, int absent) {
        String v = value(name);
        try {
            return v == null ? absent : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    private static String value(String name) {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null ? null : bean.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {   // no such option (IllegalArgumentException), no jdk.management module
            return null;
        }
    }

    /**
     * Why this JVM runs the Vector API kernels very slowly, or null: no C2 (-Xint, or C1 only through
     * -XX:TieredStopAtLevel below 4, as IntelliJ's launch optimization sets it, or -XX:CompilationMode=quick-only), so the Vector API is never
     * intrinsified and each vector operation is a loop over objects.
     */
    static String slowness() {
        if (!bool("UseCompiler", true)) {
            return "this JVM runs interpreted only (-Xint or -XX:TieredStopAtLevel=0): the CPU backend is about 100x "
                    + "slower or more; drop that flag";
        }
        int level = integer("TieredStopAtLevel", 4);
        if (bool("TieredCompilation", true) && level < 4) {
            return "this JVM runs with -XX:TieredStopAtLevel=" + level + " (C1 only, no C2, which the Vector API needs): "
                    + "the CPU backend is about 20x slower; drop that flag (IntelliJ: untick the run configuration's "
                    + "launch optimization)";
        }
        if ("quick-only".equals(value("CompilationMode"))) {   // C1 only whatever TieredStopAtLevel says
            return "this JVM runs with -XX:CompilationMode=quick-only (C1 only, no C2, which the Vector API needs): the "
                    + "CPU backend is about 20x slower; drop that flag";
        }
        return null;
    }

    /** Warns once per process, on stderr, where {@link #slowness()} names a reason; whether it did. */
    static boolean warnIfSlow() {
        return Once.WARNED;   // reading it initialises the holder, which warns, once
    }

    private static final class Once {
        static final boolean WARNED = warn();

        private static boolean warn() {
            String why = slowness();
            if (why != null) System.err.println("jrnn: " + why);
            return why != null;
        }
    }
}
