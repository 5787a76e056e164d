package dev.jrnn.io.keras;

import dev.jrnn.ChildJvm;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models.load in a JVM that cannot make jrnn's backend: the README's IllegalStateException naming the missing flag, not
 * an IOException calling a good Keras file unreadable (a service that rejects uploads on IOException would blame the file).
 */
class LoadJvmMisconfigurationTest {
    /** The child: loads each file given and prints one line per file, the outcome's exception class and message. */
    public static final class Load {
        public static void main(String[] args) {
            for (String f : args) {
                try (Model m = Models.load(Path.of(f))) {
                    System.out.println("loaded " + m.layers().size());
                } catch (IOException | RuntimeException e) {
                    System.out.println(e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
            }
        }
    }

    /** A Keras 2.0.6 .h5 and a Keras 3 .keras, both of which load in a JVM with the flags. */
    private static String[] files() throws Exception {
        return new String[] {KerasFixtures.dir().resolve("simple_lstm_model.h5").toString(),
                Path.of(LoadJvmMisconfigurationTest.class.getResource("keras3_activation_layers.keras").toURI()).toString()};
    }

    @Test
    void withoutTheVectorModuleLoadThrowsTheBackendsErrorNamingTheFlag(@TempDir Path dir) throws Exception {
        ChildJvm.Result r = ChildJvm.run(dir, List.of("--enable-native-access=ALL-UNNAMED", "-Djrnn.backend=cpu"), Load.class, files());
        assertEquals(0, r.rc(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        for (String l : lines) {
            assertTrue(l.startsWith("java.lang.IllegalStateException: jrnn: the CPU backend needs the JVM flag --add-modules "
                    + "jdk.incubator.vector"), l);
            assertTrue(!l.contains("not a readable"), l);
        }
    }

    @Test
    void withTheFlagsBothLoad(@TempDir Path dir) throws Exception {
        ChildJvm.Result r = ChildJvm.run(dir, ChildJvm.jrnnFlags(), Load.class, files());
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().lines().allMatch(l -> l.startsWith("loaded ")), r.out());
    }

    @Test
    void aCudaBackendThatCannotStartIsNotABadFile(@TempDir Path dir) throws Exception {
        List<String> flags = ChildJvm.jrnnFlags("-Djrnn.backend=cuda");   // the later -D wins
        ChildJvm.Result r = ChildJvm.run(dir, flags, Load.class, files());
        assertEquals(0, r.rc(), r.out() + r.err());
        for (String l : r.out().lines().toList()) {
            // a machine with a GPU loads them; one without gets the backend's own error
            assertTrue(l.startsWith("loaded ") || l.startsWith("java.lang.IllegalStateException: "), l);
            assertTrue(!l.contains("not a readable"), l);
        }
    }
}
