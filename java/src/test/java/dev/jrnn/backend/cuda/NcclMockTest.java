package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NCCL binding end to end against a stand-in library (test resource {@code mock_nccl.c}, built with the system C
 * compiler, found through {@code JRNN_NCCL} as a directory): the 128-byte id passed by value to ncclCommInitRank, every
 * argument of the collectives, and the error messages naming the call. Skipped without a C compiler; the real NCCL
 * is covered by {@code NcclGpuTest}.
 */
class NcclMockTest {
    @TempDir
    static Path tmp;

    static NativeLib lib;
    static Nccl nccl;

    @BeforeAll
    static void build() throws Exception {
        String cc = System.getenv().getOrDefault("CC", "cc");
        Assumptions.assumeTrue(MockCudaTest.runs(List.of(cc, "--version")), "no C compiler (" + cc + ") to build the stand-in");
        Path src = tmp.resolve("mock_nccl.c");
        try (InputStream in = NcclMockTest.class.getResourceAsStream("mock_nccl.c")) {
            Files.copy(in, src);
        }
        Path dir = tmp.resolve("site-packages/nvidia/nccl/lib");
        Files.createDirectories(dir);
        MockCudaTest.compile(cc, "-o", dir.resolve("libnccl.so.2").toString(), src.toString(), "-Wl,-soname,libjrnn_mocknccl.so.2");
        CudaLibraries.Loaded found = CudaLibraries.loadNccl(new CudaLibraries.Search(
                Map.of(CudaLibraries.ENV_NCCL, dir.toString()), false, List.of(), List.of(), List.of()));
        lib = found.lib();
        nccl = Nccl.load(found);
    }

    private static long probe(String fn, int arg) throws Throwable {
        return (long) lib.downcall(FunctionDescriptor.of(JAVA_LONG, JAVA_INT), fn).invokeExact(arg);
    }

    private static int probe(String fn) throws Throwable {
        return (int) lib.downcall(FunctionDescriptor.of(JAVA_INT), fn).invokeExact();
    }

    @Test
    void theUniqueIdGoesToCommInitRankByValue() throws Throwable {
        assertEquals(23003, nccl.version());
        byte[] id = nccl.uniqueId();
        assertEquals(Nccl.UNIQUE_ID_BYTES, id.length);
        for (int i = 0; i < id.length; i++) assertEquals((byte) (i * 7 + 1), id[i], "id byte " + i);
        id[0] = 42;
        id[127] = -5;
        assertEquals(0x1234, nccl.commInitRank(4, id, 2));
        assertEquals(4, probe("mock_last_nranks"));
        assertEquals(2, probe("mock_last_rank"));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment got = a.allocate(128);
            lib.downcall(FunctionDescriptor.ofVoid(ADDRESS), "mock_last_id").invokeExact(got);
            assertArrayEquals(id, got.toArray(JAVA_BYTE), "the struct's bytes as the library saw them");
        }
        assertEquals("ncclCommInitRank: the unique id must have 128 bytes, got 3",
                assertThrows(IllegalArgumentException.class, () -> nccl.commInitRank(2, new byte[3], 0)).getMessage());
    }

    @Test
    void collectivesPassEveryArgumentAndFailuresNameTheCall() throws Throwable {
        nccl.allReduce(0x1000, 0x2000, 5, Nccl.AVG, 0x1234, 0x77);
        long[] want = {0x1000, 0x2000, 5, Nccl.FLOAT32, Nccl.AVG, 0x1234, 0x77};
        for (int i = 0; i < want.length; i++) assertEquals(want[i], probe("mock_arg", i), "ncclAllReduce argument " + i);
        nccl.broadcast(0x3000, 0x3000, 9, 1, 0x1234, 0x78);
        long[] bc = {0x3000, 0x3000, 9, Nccl.FLOAT32, 1, 0x1234, 0x78};
        for (int i = 0; i < bc.length; i++) assertEquals(bc[i], probe("mock_arg", i), "ncclBroadcast argument " + i);

        CudaException e = assertThrows(CudaException.class, () -> nccl.allReduce(0x1000, 0x1000, 13, Nccl.SUM, 0x1234, 0));
        assertEquals("ncclAllReduce failed: ncclInvalidArgument (4): invalid argument (run with NCCL_DEBUG=WARN for details);"
                + " last error: count 13 refused by the stand-in", e.getMessage());
        assertEquals("ncclAllReduce", e.call());
        e = assertThrows(CudaException.class, () -> nccl.commInitRank(99, new byte[128], 0));
        assertEquals("ncclCommInitRank failed: ncclInvalidUsage (5): invalid usage (run with NCCL_DEBUG=WARN for details);"
                + " last error: nranks 99 refused by the stand-in", e.getMessage());

        int groups = probe("mock_groups_done");
        nccl.groupStart();
        nccl.groupEnd();
        assertEquals(groups + 1, probe("mock_groups_done"));
        assertEquals(0, nccl.asyncError(0x1234));
        lib.downcall(FunctionDescriptor.ofVoid(JAVA_INT), "mock_set_async_error").invokeExact(6);
        assertEquals(6, nccl.asyncError(0x1234));
        assertEquals("ncclRemoteError", Nccl.resultName(6));
        nccl.commAbort(0x1234);
        assertEquals(1, probe("mock_aborted"));
    }
}
