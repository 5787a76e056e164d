package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM that cannot run the Vector API kernels compiled (no C2: C1 only, as IntelliJ's launch optimization sets it, or
 * interpreted) gets one line on stderr naming the flag and the cost when it makes its first CPU backend; a normal JVM
 * gets none. Each case is a child JVM, as HotSpot reads these options at start-up.
 */
class SlowJvmWarningTest {
    /** The child: makes two CPU backends (the warning comes once per process), then says it is done. */
    public static final class TwoBackends {
        public static void main(String[] args) {
            for (int i = 0; i < 2; i++) {
                try (Backend be = Backends.cpu()) {
                    be.alloc(4).close();
                }
            }
            System.out.println("ok");
        }
    }

    private static List<String> warnings(Path dir, String... flags) throws Exception {
        ChildJvm.Result r = ChildJvm.run(dir, ChildJvm.jrnnFlags(flags), TwoBackends.class);
        assertEquals(0, r.rc(), r.out() + r.err());
        assertEquals("ok", r.out().strip());
        return r.err().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void c1OnlyWarnsOnceNamingTheFlagAndTheCost(@TempDir Path dir) throws Exception {
        List<String> w = warnings(dir, "-XX:TieredStopAtLevel=1");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("jrnn: ") && w.get(0).contains("-XX:TieredStopAtLevel=1") && w.get(0).contains("20x"), w.get(0));
    }

    @Test
    void quickOnlyCompilationModeWarnsOnceNamingTheFlag(@TempDir Path dir) throws Exception {
        // C1 only with TieredStopAtLevel still 4
        List<String> w = warnings(dir, "-XX:CompilationMode=quick-only");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("jrnn: ") && w.get(0).contains("-XX:CompilationMode=quick-only") && w.get(0).contains("20x"), w.get(0));
    }

    @Test
    void interpretedOnlyWarnsOnceNamingTheFlag(@TempDir Path dir) throws Exception {
        List<String> w = warnings(dir, "-Xint");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("jrnn: ") && w.get(0).contains("-Xint"), w.get(0));
    }

    @Test
    void aNormalJvmAndC2OnlyAndNoFmaStayQuiet(@TempDir Path dir) throws Exception {
        assertEquals(List.of(), warnings(dir));
        // without tiered compilation TieredStopAtLevel means nothing: C2 compiles everything
        assertEquals(List.of(), warnings(dir, "-XX:-TieredCompilation", "-XX:TieredStopAtLevel=1"));
        // no FMA: the kernels multiply and add (Fma), at normal speed, so nothing to warn about
        assertEquals(List.of(), warnings(dir, "-XX:-UseFMA"));
        // C2 only through the compilation mode
        assertEquals(List.of(), warnings(dir, "-XX:CompilationMode=high-only"));
    }
}
