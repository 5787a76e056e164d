package dev.jrnn.backend.cpu;

/**
 * The HotSpot options that decide how fast the CPU kernels run (hardware FMA), read through
 * {@code HotSpotDiagnosticMXBean}.
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
}
