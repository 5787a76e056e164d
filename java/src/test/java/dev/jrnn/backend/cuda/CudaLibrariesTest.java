package dev.jrnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaLibrariesTest {
    // What glibc's dlerror says for a file that is not a shared library.
    private static final Pattern DLOPEN_REASON = Pattern.compile("invalid ELF header|file too short|not an ELF");

    @TempDir
    Path tmp;

    private static Path dummy(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "this is not a shared library\n");
        return file;
    }

    private static CudaLibraries.Search search(Map<String, String> env, List<Path> libDirs, List<Path> sites,
                                               List<CudaLibraries.Root> roots) {
        return new CudaLibraries.Search(env, false, libDirs, sites, roots);
    }

    @Test
    void jrnnCublasPointingAtAMissingFileSaysSo() {
        Path missing = tmp.resolve("nowhere/libcublas.so.13");
        CudaException e = assertThrows(CudaException.class, () -> CudaLibraries.loadCublas(
                search(Map.of("JRNN_CUBLAS", missing.toString()), List.of(), List.of(), List.of())));
        assertEquals(CudaException.NOT_A_CUDA_CODE, e.code());
        assertEquals("LIBRARY_NOT_FOUND", e.errorName());
        assertTrue(e.getMessage().contains("JRNN_CUBLAS=" + missing), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void jrnnCublasPointingAtABrokenFileReportsThePathAndTheLoaderError() throws IOException {
        Path lib = dummy(tmp.resolve("libcublas.so.13"));
        CudaException e = assertThrows(CudaException.class, () -> CudaLibraries.loadCublas(
                search(Map.of("JRNN_CUBLAS", lib.toString()), List.of(), List.of(), List.of())));
        assertTrue(e.getMessage().contains(lib.toString()), e.getMessage());
        assertTrue(DLOPEN_REASON.matcher(e.getMessage()).find(), e.getMessage());
    }

    @Test
    void jrnnCublasDirectoryIsSearchedForVersionedNames() throws IOException {
        CudaException empty = assertThrows(CudaException.class, () -> CudaLibraries.loadCublas(
                search(Map.of("JRNN_CUBLAS", tmp.toString()), List.of(), List.of(), List.of())));
        assertTrue(empty.getMessage().contains("without libcublas.so.13 or libcublas.so.12"), empty.getMessage());

        Path lib = dummy(tmp.resolve("libcublas.so.12"));
        CudaException broken = assertThrows(CudaException.class, () -> CudaLibraries.loadCublas(
                search(Map.of("JRNN_CUBLAS", tmp.toString()), List.of(), List.of(), List.of())));
        assertTrue(broken.getMessage().contains(lib.toString()), broken.getMessage());
    }

    @Test
    void pythonWheelLayoutIsFoundUnderAWalkedRootAndEveryPlaceIsReported() throws IOException {
        Path site = tmp.resolve("opt/torch/.venv/lib/python3.12/site-packages");
        Path cu13 = dummy(site.resolve("nvidia/cu13/lib/libcublas.so.13"));
        dummy(site.resolve("nvidia/cu13/lib/libcublasLt.so.13"));
        Path cu12 = dummy(site.resolve("nvidia/cublas/lib/libcublas.so.12"));
        Path cudaDir = tmp.resolve("usr/local/cuda/lib64");
        Files.createDirectories(cudaDir);

        CudaException e = assertThrows(CudaException.class, () -> CudaLibraries.loadCublas(search(Map.of(),
                List.of(cudaDir), List.of(), List.of(new CudaLibraries.Root(tmp.resolve("opt"), 6)))));
        String m = e.getMessage();
        assertTrue(m.contains(cu13.toString()), m);
        assertTrue(m.contains(cu12.toString()), m);
        assertTrue(m.indexOf(cu13.toString()) < m.indexOf(cu12.toString()), "version 13 is tried first: " + m);
        assertTrue(DLOPEN_REASON.matcher(m).find(), m);
        assertTrue(m.contains("JRNN_CUBLAS"), "the message says how to choose a library: " + m);
    }

    @Test
    void ncclIsFoundAsJrnnNcclSaysOrInPythonsNvidiaNcclLib() throws IOException {
        Path missing = tmp.resolve("nowhere");
        CudaException e = assertThrows(CudaException.class, () -> CudaLibraries.loadNccl(
                search(Map.of("JRNN_NCCL", missing.toString()), List.of(), List.of(), List.of())));
        assertEquals("find NCCL failed: LIBRARY_NOT_FOUND: JRNN_NCCL=" + missing + " is neither libnccl.so.2 nor a directory"
                + " holding it (unset it to search the loader path, CUDA installs and Python site-packages)", e.getMessage());

        Path dir = tmp.resolve("nccl");
        Path inDir = dummy(dir.resolve("libnccl.so.2"));
        e = assertThrows(CudaException.class, () -> CudaLibraries.loadNccl(
                search(Map.of("JRNN_NCCL", dir.toString()), List.of(), List.of(), List.of())));
        assertTrue(e.getMessage().startsWith("load NCCL from JRNN_NCCL failed") && e.getMessage().contains(inDir.toString()), e.getMessage());
        assertTrue(DLOPEN_REASON.matcher(e.getMessage()).find(), e.getMessage());

        Path site = tmp.resolve("opt/venv/lib/python3.12/site-packages");
        Path wheel = dummy(site.resolve("nvidia/nccl/lib/libnccl.so.2"));
        Path cudaDir = tmp.resolve("usr/local/cuda/lib64");
        e = assertThrows(CudaException.class, () -> CudaLibraries.loadNccl(search(Map.of(), List.of(cudaDir), List.of(),
                List.of(new CudaLibraries.Root(tmp.resolve("opt"), 6)))));
        String m = e.getMessage();
        assertTrue(m.startsWith("find NCCL failed: LIBRARY_NOT_FOUND: no loadable libnccl.so.2. Tried:"), m);
        assertTrue(m.contains(wheel + " (Python site-packages): "), m);
        assertTrue(m.contains("CUDA library dirs without it: [" + cudaDir + "]"), m);
        assertTrue(m.contains("Set JRNN_NCCL=/path/to/libnccl.so.2"), m);
    }

    @Test
    void nothingFoundListsTheDirectoriesSearched() {
        Path cudaDir = tmp.resolve("cuda/lib64");
        CudaException e = assertThrows(CudaException.class, () -> CudaLibraries.loadCublas(
                search(Map.of(), List.of(cudaDir), List.of(), List.of(new CudaLibraries.Root(tmp, 3)))));
        assertTrue(e.getMessage().contains(cudaDir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("none found"), e.getMessage());
    }

    @Test
    void walkRespectsDepthAndLooksOnlyAtSitePackagesInsidePythonDirs() throws IOException {
        Path shallow = tmp.resolve("a/lib/python3.12/site-packages");
        Path dist = tmp.resolve("b/lib/python3/dist-packages");
        Path deep = tmp.resolve("c/d/e/f/g/h/lib/python3.12/site-packages");
        Path insideStdlib = tmp.resolve("a/lib/python3.12/encodings/site-packages");
        for (Path p : List.of(shallow, dist, deep, insideStdlib)) Files.createDirectories(p);

        List<String> notes = new ArrayList<>();
        List<Path> found = CudaLibraries.findSitePackages(List.of(new CudaLibraries.Root(tmp, 5)), notes);
        assertTrue(found.contains(shallow), found.toString());
        assertTrue(found.contains(dist), found.toString());
        assertTrue(!found.contains(deep), "below the depth limit: " + found);
        assertTrue(!found.contains(insideStdlib), "stdlib not walked: " + found);

        List<Path> deeper = CudaLibraries.findSitePackages(List.of(new CudaLibraries.Root(tmp, 9)), notes);
        assertTrue(deeper.contains(deep), deeper.toString());
    }

    @Test
    void walkStopsAtTheFirstAcceptedDirectory() throws IOException {
        Path first = tmp.resolve("a/lib/python3.12/site-packages");
        Path second = tmp.resolve("b/lib/python3.12/site-packages");
        Files.createDirectories(first);
        Files.createDirectories(second);
        List<Path> offered = new ArrayList<>();
        List<Path> found = CudaLibraries.findSitePackages(List.of(new CudaLibraries.Root(tmp, 5)), new ArrayList<>(),
                p -> {
                    offered.add(p);
                    return true;
                });
        assertEquals(List.of(first), found);
        assertEquals(List.of(first), offered);
    }

    @Test
    void fileLikeNamesAreNotDescendedInto() {
        for (String f : List.of("torch-2.5.1-cp312-cp312-linux_x86_64.whl", "libcublas.so.13", "libm.so", "index.html",
                "README.md", "x.tar.gz", "setup.py")) {
            assertTrue(CudaLibraries.looksLikeFile(f), f);
        }
        for (String d : List.of("python3.12", ".venv", "cuda-13.0", "site-packages", "torch", "lib64", "nvidia")) {
            assertTrue(!CudaLibraries.looksLikeFile(d), d);
        }
    }

    @Test
    void missingRootsAreSkipped() {
        List<String> notes = new ArrayList<>();
        assertEquals(List.of(), CudaLibraries.findSitePackages(
                List.of(new CudaLibraries.Root(tmp.resolve("absent"), 6)), notes));
    }

    @Test
    void defaultSearchCoversTheUsualPlaces() {
        CudaLibraries.Search s = CudaLibraries.Search.defaults();
        assertTrue(s.useLoader());
        assertTrue(s.libDirs().contains(Path.of("/usr/local/cuda/lib64")), s.libDirs().toString());
        assertTrue(s.pythonRoots().stream().anyMatch(r -> r.dir().equals(Path.of("/opt")) && r.depth() >= 6),
                s.pythonRoots().toString());
        assertTrue(s.pythonRoots().stream().anyMatch(r -> r.dir().equals(Path.of("/usr/local/lib"))));
    }

    @Test
    void loaderCandidatesAreTriedInOrderWithReasons() {
        CudaException e = assertThrows(CudaException.class, () -> CudaLibraries.loadFirst("find test library",
                List.of(new CudaLibraries.Candidate("libjrnn_absent_a.so.1", false, "loader"),
                        new CudaLibraries.Candidate(tmp.resolve("libjrnn_absent_b.so").toString(), true, "path"))));
        String m = e.getMessage();
        assertTrue(m.startsWith("find test library failed: LIBRARY_NOT_FOUND"), m);
        assertTrue(m.contains("libjrnn_absent_a.so.1 (loader)"), m);
        assertTrue(m.contains("libjrnn_absent_b.so (path)"), m);
        assertTrue(m.indexOf("libjrnn_absent_a") < m.indexOf("libjrnn_absent_b"), m);
        assertTrue(m.contains("cannot open shared object file") || m.contains("No such file"), m);
    }

    @Test
    void driverCandidatesStartWithTheLoaderName() {
        List<CudaLibraries.Candidate> c = CudaLibraries.driverCandidates();
        assertEquals("libcuda.so.1", c.get(0).target());
        assertTrue(!c.get(0).byPath());
    }
}
