package dev.jrnn.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** ProcessGroup's side that needs no GPU: the launcher's variables, and a job that cannot have NCCL on the CPU. */
class ProcessGroupTest {
    private static final Duration T = Duration.ofSeconds(5);

    private static String fails(Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> ProcessGroup.fromEnvironment(env, null, T)).getMessage();
    }

    @Test
    void theLaunchersVariablesAreCheckedAndNamed() {
        assertEquals("ProcessGroup: WORLD_SIZE is not set (start with bin/jrnn-launch, or set RANK, WORLD_SIZE, MASTER_ADDR and"
                + " MASTER_PORT)", fails(Map.of()));
        assertEquals("ProcessGroup: WORLD_SIZE must be an integer >= 1, got 'two'", fails(Map.of("WORLD_SIZE", "two")));
        assertEquals("ProcessGroup: MASTER_ADDR is not set (start with bin/jrnn-launch)",
                fails(Map.of("WORLD_SIZE", "2", "RANK", "1")));
        assertEquals("ProcessGroup: RANK 2 must be below WORLD_SIZE 2",
                fails(Map.of("WORLD_SIZE", "2", "RANK", "2", "MASTER_ADDR", "h", "MASTER_PORT", "1")));
        assertEquals("ProcessGroup: MASTER_PORT must be an integer >= 0, got '-1'",
                fails(Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_ADDR", "h", "MASTER_PORT", "-1")));
    }

    @Test
    void aJobOnTheCpuBackendFailsSayingWhy() {
        Backend cpu = Backends.cpu();
        assertEquals("ProcessGroup: NCCL needs the CUDA backend, this process has cpu (Jrnn.setBackend(\"cuda\"), JRNN_BACKEND=cuda)",
                assertThrows(IllegalArgumentException.class, () -> ProcessGroup.init(cpu, "127.0.0.1", 1, 0, 1, 0, T)).getMessage());
    }

    @Test
    void theIdComesFromNcclOrTheFailureNamesNccl() {
        byte[] id;
        try {
            id = Backends.ncclUniqueId();
        } catch (RuntimeException e) {
            assertTrue(e.getMessage().startsWith("find NCCL failed: LIBRARY_NOT_FOUND: no loadable libnccl.so.2"), e.getMessage());
            return;
        }
        assertEquals(128, id.length);
    }
}
