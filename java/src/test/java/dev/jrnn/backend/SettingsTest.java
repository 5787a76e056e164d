package dev.jrnn.backend;

import dev.jrnn.Readme;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    private static Settings read(Map<String, String> props, Map<String, String> env) {
        return Settings.read(props::get, env::get);
    }

    /** The rows of README.md's "CPU or CUDA" table, between its heading and the next one. */
    private static String readmeTable() throws IOException {
        return Readme.section("## CPU or CUDA");
    }

    @Test
    void readmeTableListsExactlyTheSettings() throws IOException {
        String table = readmeTable();
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("(?:-D)(jrnn\\.[a-z.]*[a-z])|\\b(JRNN_[A-Z_]*[A-Z])\\b").matcher(table);
        while (m.find()) documented.add(m.group(1) != null ? m.group(1) : m.group(2));
        Set<String> read = Arrays.stream(Settings.Key.values()).flatMap(k -> java.util.stream.Stream.of(k.property(), k.env()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(read, documented, "README's settings table vs the keys Settings reads");
    }

    @Test
    void defaultsWhenNothingIsSet() {
        Settings s = Settings.defaults();
        assertEquals(Settings.BackendChoice.AUTO, s.backend());
        assertNull(s.cublas());
        assertNull(s.nccl());
        assertEquals(0, s.cudaDevice());
        assertEquals(Settings.Persistent.AUTO, s.persistent());
        assertEquals(Settings.PersistentVariant.AUTO, s.persistentVariant());
        assertFalse(s.streams());
        assertEquals(Runtime.getRuntime().availableProcessors(), s.cpuThreads());
        assertFalse(s.cpuForks());
        assertEquals("target/jrnn-demo", s.demoOut());
    }

    @Test
    void parsesEveryValidValue() {
        Settings s = read(Map.of("jrnn.backend", " CPU ", "jrnn.cublas", "/opt/lib/libcublas.so.13",
                "jrnn.nccl", "/opt/lib/libnccl.so.2", "jrnn.cuda.device", "1", "jrnn.persistent", "off", "jrnn.persistent.variant", "tc",
                "jrnn.streams", "on", "jrnn.cpu.threads", "3", "jrnn.cpu.forks", "true", "jrnn.demo.out", "/tmp/out"), Map.of());
        assertEquals(new Settings(Settings.BackendChoice.CPU, "/opt/lib/libcublas.so.13", "/opt/lib/libnccl.so.2", 1, Settings.Persistent.OFF,
                Settings.PersistentVariant.TC, true, 3, true, "/tmp/out"), s);
        assertEquals(Settings.Persistent.ON, read(Map.of("jrnn.persistent", "1"), Map.of()).persistent());
        assertEquals(Settings.BackendChoice.CUDA, read(Map.of(), Map.of("JRNN_BACKEND", "gpu")).backend());
        assertFalse(read(Map.of("jrnn.streams", "0"), Map.of()).streams());
        assertEquals("/usr/lib/nccl", read(Map.of(), Map.of("JRNN_NCCL", "/usr/lib/nccl")).nccl());
    }

    @Test
    void propertyWinsOverEnvironmentAndBlankFallsThrough() {
        Map<String, String> env = Map.of("JRNN_STREAMS", "on", "JRNN_CPU_THREADS", "2", "JRNN_BACKEND", "cuda");
        Settings s = read(Map.of("jrnn.streams", "off", "jrnn.cpu.threads", " ", "jrnn.backend", "cpu"), env);
        assertFalse(s.streams(), "the property wins");
        assertEquals(Settings.BackendChoice.CPU, s.backend(), "the property wins");
        assertEquals(2, s.cpuThreads(), "a blank property falls through to the environment");
        assertTrue(read(Map.of(), env).streams(), "the environment when no property");
    }

    @Test
    void unknownValueNamesTheSettingTheValueAndTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of(), Map.of("JRNN_STREAMS", "yes")));
        assertEquals("jrnn.streams (JRNN_STREAMS): expected one of on, off, true, false, 1, 0, got 'yes'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> read(Map.of("jrnn.persistent.variant", "fma"), Map.of()));
        assertEquals("jrnn.persistent.variant (JRNN_PERSISTENT_VARIANT): expected one of auto, ffma, tc, tensor_cores,"
                + " got 'fma'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> read(Map.of("jrnn.cpu.threads", "0"), Map.of()));
        assertEquals("jrnn.cpu.threads (JRNN_CPU_THREADS): expected an integer >= 1, got '0'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> read(Map.of(), Map.of("JRNN_CUDA_DEVICE", "gpu0")));
        assertEquals("jrnn.cuda.device (JRNN_CUDA_DEVICE): expected an integer >= 0, got 'gpu0'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backends.create("tpu"));
        assertEquals("jrnn.backend (JRNN_BACKEND): expected one of auto, cpu, cuda, gpu, got 'tpu'", e.getMessage());
    }

    @Test
    void withersReplaceOneSetting() {
        Settings s = Settings.defaults();
        assertTrue(s.withStreams(true).streams());
        assertTrue(s.withCpuForks(true).cpuForks());
        assertEquals(Settings.BackendChoice.CPU, s.withBackend(Settings.BackendChoice.CPU).backend());
        assertEquals(s, s.withStreams(true).withStreams(false));
    }

    @Test
    void backendsHandTheSettingsToTheBackend() {
        try (Backend forking = Backends.create("cpu", Settings.defaults().withCpuForks(true));
             Backend plain = Backends.create("cpu", Settings.defaults())) {
            assertTrue(forking.overlapsForks());
            assertFalse(plain.overlapsForks());
        }
    }
}
