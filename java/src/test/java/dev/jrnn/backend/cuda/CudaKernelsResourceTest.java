package dev.jrnn.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The build's fatbin resource (no GPU needed): present whenever nvcc is, with every kernel CudaBackend launches. */
class CudaKernelsResourceTest {

    /** nvcc where native/build.sh looks for it. */
    static boolean nvccPresent() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty() && Files.isExecutable(Path.of(d, "nvcc"))) return true;
            }
        }
        for (String env : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String d = System.getenv(env);
            if (d != null && Files.isExecutable(Path.of(d, "bin", "nvcc"))) return true;
        }
        if (Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc"))) return true;
        try (var s = Files.list(Path.of("/usr/local"))) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("cuda-")
                    && Files.isExecutable(p.resolve("bin/nvcc")));
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void fatbinResourceIsBuiltWhenNvccIsPresent() {
        assumeTrue(nvccPresent(), "no nvcc on this machine: the build skips the kernels");
        assumeTrue(!Boolean.getBoolean("jrnn.skipNative"), "built with -Djrnn.skipNative=true");
        byte[] image = CudaKernels.loadResource();
        assertNotNull(image, "resource " + CudaKernels.RESOURCE + " missing although nvcc is present");
        assertTrue(CudaKernels.isFatbin(image), "resource does not start with the fatbin magic 0xBA55ED50");
        int magic = (image[0] & 0xff) | (image[1] & 0xff) << 8 | (image[2] & 0xff) << 16 | (image[3] & 0xff) << 24;
        assertEquals(0xBA55ED50, magic);
    }

    @Test
    void fatbinHoldsEveryKernelTheBackendResolves() {
        byte[] image = CudaKernels.loadResource();
        assumeTrue(image != null, "kernels not built here");
        // Kernel names are stored uncompressed in the ELF symbol tables and the PTX of the container.
        String text = new String(image, StandardCharsets.ISO_8859_1);
        for (String name : KernelSignaturesTest.launchedKernels()) {
            assertTrue(text.contains(name + '\0') || text.contains(name + '('),
                    "kernel " + name + " is not in the fatbin: Java and kernels/*.cu disagree");
        }
    }

    @Test
    void magicCheckRejectsOtherData() {
        assertFalse(CudaKernels.isFatbin(null));
        assertFalse(CudaKernels.isFatbin(new byte[3]));
        assertFalse(CudaKernels.isFatbin("\u007fELF this is not a fatbin at all".getBytes(StandardCharsets.ISO_8859_1)));
        byte[] ok = new byte[16];
        ok[0] = 0x50; ok[1] = (byte) 0xED; ok[2] = 0x55; ok[3] = (byte) 0xBA;
        assertTrue(CudaKernels.isFatbin(ok));
    }
}
