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
        for (String name : CudaKernels.NAMES) {
            assertTrue(text.contains(name + '\0') || text.contains(name + '('),
                    "kernel " + name + " is not in the fatbin: Java and kernels/*.cu disagree");
        }
        assertEquals(CudaKernels.NAMES.size(), CudaKernels.NAMES.stream().distinct().count(), "duplicate kernel names");
    }

    /**
     * Without nvcc or a GPU: every name Java binds (CudaKernels, TrainKernels) is an {@code extern "C" __global__}
     * kernel of kernels/*.cu, and every such kernel is bound (the persistent kernels, declared through macros and
     * launched by built names, are not matched).
     * A bound name missing from the sources would fail only at module load, on a GPU.
     */
    @Test
    void boundKernelNamesAndTheSourcesAgree() throws java.io.IOException {
        Path dir = Path.of("kernels");
        if (!Files.isDirectory(dir)) dir = Path.of("../kernels");
        assertTrue(Files.isDirectory(dir), "kernels/ not found from " + Path.of("").toAbsolutePath());
        java.util.Set<String> defined = new java.util.TreeSet<>();
        java.util.regex.Pattern kernel = java.util.regex.Pattern.compile(
                "extern \"C\" __global__ void (?:__launch_bounds__\\([^)]*\\) )?(jrnn_\\w+)\\(");
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".cu")).sorted().toList()) {
                java.util.regex.Matcher m = kernel.matcher(Files.readString(f));
                while (m.find()) defined.add(m.group(1));
            }
        }
        java.util.Set<String> bound = new java.util.TreeSet<>(CudaKernels.NAMES);
        bound.addAll(TrainKernels.NAMES);
        assertEquals(CudaKernels.NAMES.size() + TrainKernels.NAMES.size(), bound.size(), "a kernel bound twice");
        assertEquals(defined, bound, "extern \"C\" __global__ kernels of kernels/*.cu vs the names CudaKernels and"
                + " TrainKernels bind");
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
