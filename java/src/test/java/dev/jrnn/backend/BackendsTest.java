package dev.jrnn.backend;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM flags jrnn needs, checked in forked JVMs (this JVM has them all): a JVM started without one gets an
 * error naming the flag, not a NoClassDefFoundError or the JVM's restricted-method warning.
 */
class BackendsTest {
    /** The forked program: creates the backend named by its argument and prints its name. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                System.out.println("backend=" + Backends.create(args[0]).name());
            } catch (RuntimeException e) {
                System.out.println("error=" + e.getMessage());
                System.exit(3);
            }
        }
    }

    record Run(int rc, String out, String err) {}

    private static Run fork(String backend, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // no -XX:TieredStopAtLevel=1 for a quicker start: the CPU backend warns that C1 alone runs it ~20x slower
        cmd.addAll(List.of(flags));
        cmd.add("-cp");
        cmd.add(location(Backends.class) + File.pathSeparator + location(Probe.class));
        cmd.add(Probe.class.getName());
        cmd.add(backend);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JRNN_BACKEND", "auto");
        // the launcher would add these to the child's flags and print "Picked up ..." on the stderr checked below
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "forked JVM did not finish");
        // The JVM's own "WARNING: Using incubator modules" line comes with the flag: not ours to check.
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.contains("Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8), err);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void cpuWithTheFlagsWorks() throws Exception {
        Run r = fork("cpu", Backends.JVM_FLAGS.split(" "));
        assertEquals(0, r.rc(), r.out() + r.err());
        assertEquals("backend=cpu", r.out().strip());
        assertEquals("", r.err().strip());
    }

    @Test
    void cpuWithoutTheVectorModuleNamesTheFlags() throws Exception {
        Run r = fork("cpu", "--enable-native-access=ALL-UNNAMED");
        assertEquals(3, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"), r.out());
        assertFalse((r.out() + r.err()).contains("NoClassDefFoundError"), r.out() + r.err());
    }

    @Test
    void autoWithoutTheVectorModuleFailsBeforeClaimingTheCpu() throws Exception {
        Run r = fork("auto", "--enable-native-access=ALL-UNNAMED");
        String all = r.out() + r.err();
        if (r.rc() == 0) {   // a machine with a usable GPU: CUDA needs no Vector API
            assertEquals("backend=cuda", r.out().strip(), all);
            return;
        }
        assertEquals(3, r.rc(), all);
        assertTrue(r.out().contains("CUDA is not usable") && r.out().contains("--add-modules jdk.incubator.vector"), all);
        assertFalse(all.contains("using the CPU backend"), all);
    }

    @Test
    void cudaWithoutNativeAccessNamesTheFlagInsteadOfTheJvmWarning() throws Exception {
        Run r = fork("cuda", "--add-modules", "jdk.incubator.vector");
        assertEquals(3, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("--enable-native-access=ALL-UNNAMED"), r.out());
        assertFalse(r.err().contains("restricted method"), r.err());
    }

    @Test
    void autoWithoutNativeAccessFallsBackToTheCpuSayingWhy() throws Exception {
        Run r = fork("auto", "--add-modules", "jdk.incubator.vector");
        assertEquals(0, r.rc(), r.out() + r.err());
        assertEquals("backend=cpu", r.out().strip());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("using the CPU backend") && r.err().contains("--enable-native-access=ALL-UNNAMED"), r.err());
        assertNotEquals(-1, r.err().indexOf("CUDA not usable"));
    }
}
