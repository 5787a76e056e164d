package dev.jrnn.backend.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and loads the CUDA driver ({@code libcuda.so.1}), cuBLAS and NCCL ({@link #nccl()}) at run time.
 *
 * <p>cuBLAS search order (first that loads wins):
 * <ol>
 *   <li>{@code JRNN_CUBLAS}: a path to {@code libcublas.so.N} or to a directory holding it. When set, it
 *       is the only place tried, and a missing file is an error (no silent fallback).</li>
 *   <li>The dynamic loader: {@code libcublas.so.13}, then {@code libcublas.so.12} (LD_LIBRARY_PATH, ld.so.cache).</li>
 *   <li>CUDA toolkit directories ({@code $CUDA_HOME/lib64}, {@code /usr/local/cuda*}/lib64, the distro
 *       library directories), then Python installs: every {@code site-packages}/{@code dist-packages}
 *       under {@code $VIRTUAL_ENV}, {@code $CONDA_PREFIX}, {@code /opt} (depth 6), {@code /usr/lib*},
 *       {@code /usr/local/lib}, {@code ~/.local/lib}, {@code ~} and a few container roots, looking in
 *       {@code nvidia/cu13/lib} and {@code nvidia/cublas/lib}. Version 13 everywhere before 12.</li>
 * </ol>
 * A library found by path gets its sibling {@code libcublasLt.so.N} loaded first (RTLD_GLOBAL), since the
 * dynamic loader would not look in that directory. The directory walk is bounded (depth and number of
 * directories listed), so it takes milliseconds. On failure the {@link CudaException} lists every place
 * tried with the loader's reason.
 *
 * <pre>{@code
 * CudaLibraries.Loaded blas = CudaLibraries.cublas();
 * System.out.println("cuBLAS from " + blas.where());
 * }</pre>
 */
public final class CudaLibraries {
    private CudaLibraries() {}

    /** The driver library's soname. */
    public static final String CUDA_SONAME = "libcuda.so.1";
    /** Environment variable naming the cuBLAS library (file or directory; read by {@code Settings}). */
    public static final String ENV_CUBLAS = dev.jrnn.backend.Settings.Key.CUBLAS.env();
    /** Environment variable naming the NCCL library (file or directory; read by {@code Settings}). */
    public static final String ENV_NCCL = dev.jrnn.backend.Settings.Key.NCCL.env();
    static final String NCCL_SONAME = "libnccl.so.2";

    static final int[] CUBLAS_VERSIONS = {13, 12};
    private static final int MAX_DIRS_LISTED = 4000;

    /** A loaded library and where it was found (a path, or "loader:" + soname). */
    public record Loaded(NativeLib lib, String where) {}

    /** A root to walk for Python installs, to at most {@code depth} levels below it. */
    record Root(Path dir, int depth) {}

    /** Everything the cuBLAS search looks at; {@link #defaults()} for the real machine, tests build their own. */
    record Search(Map<String, String> env, boolean useLoader, List<Path> libDirs, List<Path> sitePackages,
                  List<Root> pythonRoots) {
        static Search defaults() {
            // Where CUDA and Python installs are (CUDA_HOME, PYTHONPATH, VIRTUAL_ENV, ...): not jrnn settings.
            // The jrnn.cublas setting itself comes from Settings, under the key the search reads.
            Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.remove(ENV_CUBLAS);
            env.remove(ENV_NCCL);
            dev.jrnn.backend.Settings settings = dev.jrnn.backend.Settings.current();
            if (settings.cublas() != null) env.put(ENV_CUBLAS, settings.cublas());
            if (settings.nccl() != null) env.put(ENV_NCCL, settings.nccl());
            List<Path> libDirs = new ArrayList<>();
            for (String v : new String[] {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"}) {
                String d = env.get(v);
                if (d != null && !d.isBlank()) {
                    libDirs.add(Path.of(d, "lib64"));
                    libDirs.add(Path.of(d, "lib"));
                    libDirs.add(Path.of(d, "targets", archTriple(), "lib"));
                }
            }
            libDirs.add(Path.of("/usr/local/cuda/lib64"));
            libDirs.add(Path.of("/usr/local/cuda/targets", archTriple(), "lib"));
            libDirs.addAll(versionedCudaDirs(Path.of("/usr/local")));
            libDirs.add(Path.of("/usr/lib", archTriple() + "-gnu"));
            libDirs.add(Path.of("/usr/lib64"));
            libDirs.add(Path.of("/usr/lib"));
            libDirs.add(Path.of("/usr/local/lib"));

            List<Path> sites = new ArrayList<>();
            String pp = env.get("PYTHONPATH");
            if (pp != null) for (String p : pp.split(":")) if (!p.isBlank()) sites.add(Path.of(p));

            List<Root> roots = new ArrayList<>();
            for (String v : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME"}) {
                String d = env.get(v);
                if (d != null && !d.isBlank()) roots.add(new Root(Path.of(d), 4));
            }
            roots.add(new Root(Path.of("/opt"), 6));
            roots.add(new Root(Path.of("/usr/local/lib"), 2));
            roots.add(new Root(Path.of("/usr/lib"), 2));
            roots.add(new Root(Path.of("/usr/lib64"), 2));
            String home = System.getProperty("user.home");
            if (home != null && !home.isBlank()) {
                roots.add(new Root(Path.of(home, ".local", "lib"), 2));
                roots.add(new Root(Path.of(home), 4));
            }
            for (String d : new String[] {"/venv", "/app", "/workspace"}) roots.add(new Root(Path.of(d), 5));
            return new Search(env, true, libDirs, sites, roots);
        }
    }

    /** A library loaded once per process; a failure is kept and thrown again (a fresh copy) on every later call. */
    private static final class Once {
        private final java.util.function.Supplier<Loaded> load;
        private Loaded value;
        private CudaException failure;

        Once(java.util.function.Supplier<Loaded> load) { this.load = load; }

        synchronized Loaded get() {
            if (value != null) return value;
            if (failure != null) throw copy(failure);
            try {
                value = load.get();
                return value;
            } catch (CudaException e) {
                failure = e;
                throw copy(e);
            }
        }
    }

    private static final Once CUDA = new Once(() -> loadFirst("find the CUDA driver", driverCandidates()));
    private static final Once CUBLAS = new Once(() -> loadCublas(Search.defaults()));
    private static final Once NCCL = new Once(() -> loadNccl(Search.defaults()));

    /** libcuda.so.1 (loaded once); throws CudaException naming every place tried. */
    public static Loaded cuda() { return CUDA.get(); }

    /** cuBLAS (loaded once), by the search order above; throws CudaException naming every place tried. */
    public static Loaded cublas() { return CUBLAS.get(); }

    /**
     * NCCL (loaded once): {@code JRNN_NCCL} (a file or a directory holding libnccl.so.2; then the only place
     * tried), else the loader, the CUDA library directories and Python's {@code nvidia/nccl/lib} as for cuBLAS.
     */
    public static Loaded nccl() { return NCCL.get(); }

    /** Loads NCCL following {@code s} (tests point it at temporary directories). */
    static Loaded loadNccl(Search s) {
        String env = s.env().get(ENV_NCCL);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.trim());
            if (Files.isDirectory(p)) p = p.resolve(NCCL_SONAME);
            if (!Files.exists(p)) {
                throw new CudaException("find NCCL", CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND",
                        ENV_NCCL + "=" + env + " is neither " + NCCL_SONAME + " nor a directory holding it (unset it to"
                                + " search the loader path, CUDA installs and Python site-packages)");
            }
            return loadFirst("load NCCL from " + ENV_NCCL, List.of(new Candidate(p.toString(), true, ENV_NCCL)));
        }
        List<String> tried = new ArrayList<>();
        Set<String> attempted = new HashSet<>();
        if (s.useLoader()) {
            Loaded l = tryLoad(new Candidate(NCCL_SONAME, false, "loader"), tried, attempted);
            if (l != null) return l;
        }
        List<Candidate> inDirs = new ArrayList<>();
        for (Path d : s.libDirs()) addIfFile(inDirs, d.resolve(NCCL_SONAME), "CUDA library dir");
        Loaded l = tryAll(inDirs, tried, attempted);
        if (l != null) return l;
        List<Path> sites = new ArrayList<>();
        Loaded[] hit = new Loaded[1];
        Predicate<Path> onSite = site -> {
            sites.add(site);
            List<Candidate> c = new ArrayList<>();
            addIfFile(c, site.resolve("nvidia/nccl/lib/" + NCCL_SONAME), "Python site-packages");
            hit[0] = tryAll(c, tried, attempted);
            return hit[0] != null;
        };
        for (Path p : s.sitePackages()) if (Files.isDirectory(p) && onSite.test(p)) return hit[0];
        List<String> walkNotes = new ArrayList<>();
        findSitePackages(s.pythonRoots(), walkNotes, onSite);
        if (hit[0] != null) return hit[0];
        StringBuilder sb = new StringBuilder("no loadable " + NCCL_SONAME + ". Tried:");
        for (String t : tried) sb.append("\n  ").append(t);
        sb.append("\n  CUDA library dirs without it: ").append(s.libDirs());
        sb.append("\n  Python site-packages searched (nvidia/nccl/lib): ").append(sites.isEmpty() ? "none found" : sites.toString());
        for (String n : walkNotes) sb.append("\n  ").append(n);
        sb.append("\n  Set ").append(ENV_NCCL).append("=/path/to/" + NCCL_SONAME + " to choose one (pip install nvidia-nccl-cu13).");
        throw new CudaException("find NCCL", CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND", sb.toString());
    }

    // A fresh exception per call so each caller gets its own stack trace; the first failure is the cause.
    private static CudaException copy(CudaException e) {
        return new CudaException(e.call(), e.code(), e.errorName(), detailOf(e), e);
    }

    private static String detailOf(CudaException e) {
        return e.detail() != null ? e.detail() : e.errorName();
    }

    /** A place to try: a soname for the dynamic loader, or a file path. */
    record Candidate(String target, boolean byPath, String source) {}

    static List<Candidate> driverCandidates() {
        List<Candidate> c = new ArrayList<>();
        c.add(new Candidate(CUDA_SONAME, false, "loader"));
        for (String p : new String[] {"/usr/lib/" + archTriple() + "-gnu/" + CUDA_SONAME, "/usr/lib64/" + CUDA_SONAME,
                "/usr/lib/wsl/lib/" + CUDA_SONAME}) {
            c.add(new Candidate(p, true, "path"));
        }
        return c;
    }

    /** Loads cuBLAS following {@code s}; package-private so tests can point it at temporary directories. */
    static Loaded loadCublas(Search s) {
        String env = s.env().get(ENV_CUBLAS);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.trim());
            List<Candidate> c = new ArrayList<>();
            if (Files.isDirectory(p)) {
                for (int v : CUBLAS_VERSIONS) {
                    Path f = p.resolve("libcublas.so." + v);
                    if (Files.exists(f)) c.add(new Candidate(f.toString(), true, ENV_CUBLAS));
                }
                if (c.isEmpty()) {
                    throw new CudaException("find cuBLAS", CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND",
                            ENV_CUBLAS + "=" + env + " is a directory without libcublas.so.13 or libcublas.so.12");
                }
            } else if (!Files.exists(p)) {
                throw new CudaException("find cuBLAS", CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND",
                        ENV_CUBLAS + "=" + env + " does not exist (point it at libcublas.so.13, or unset it to"
                                + " search the loader path, CUDA installs and Python site-packages)");
            } else {
                c.add(new Candidate(p.toString(), true, ENV_CUBLAS));
            }
            return loadFirst("load cuBLAS from " + ENV_CUBLAS, c);
        }

        // Each candidate is tried as soon as it is known, so a hit ends the search (and the directory walk)
        // early; every failure is kept for the message.
        List<String> tried = new ArrayList<>();
        Set<String> attempted = new HashSet<>();
        if (s.useLoader()) {
            for (int v : CUBLAS_VERSIONS) {
                Loaded l = tryLoad(new Candidate("libcublas.so." + v, false, "loader"), tried, attempted);
                if (l != null) return l;
            }
        }
        Loaded l = tryAll(inDirs(s.libDirs(), 13), tried, attempted);
        if (l != null) return l;

        List<Path> sites = new ArrayList<>();
        Loaded[] hit = new Loaded[1];
        Predicate<Path> onSite = site -> {
            sites.add(site);
            hit[0] = tryAll(inSite(site, 13), tried, attempted);
            return hit[0] != null;
        };
        for (Path p : s.sitePackages()) {
            if (Files.isDirectory(p) && onSite.test(p)) return hit[0];
        }
        List<String> walkNotes = new ArrayList<>();
        findSitePackages(s.pythonRoots(), walkNotes, onSite);
        if (hit[0] != null) return hit[0];

        l = tryAll(inDirs(s.libDirs(), 12), tried, attempted);
        if (l != null) return l;
        for (Path site : sites) {
            l = tryAll(inSite(site, 12), tried, attempted);
            if (l != null) return l;
        }

        StringBuilder sb = new StringBuilder();
        sb.append("no loadable libcublas.so.13 or libcublas.so.12. Tried:");
        for (String t : tried) sb.append("\n  ").append(t);
        sb.append("\n  CUDA library dirs without libcublas: ").append(s.libDirs());
        sb.append("\n  Python site-packages searched (nvidia/cu13/lib, nvidia/cublas/lib): ")
                .append(sites.isEmpty() ? "none found" : sites.toString());
        for (String n : walkNotes) sb.append("\n  ").append(n);
        sb.append("\n  Set ").append(ENV_CUBLAS).append("=/path/to/libcublas.so.13 to choose one.");
        throw new CudaException("find cuBLAS", CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND", sb.toString());
    }

    private static List<Candidate> inDirs(List<Path> dirs, int version) {
        List<Candidate> c = new ArrayList<>();
        for (Path d : dirs) addIfFile(c, d.resolve("libcublas.so." + version), "CUDA library dir");
        return c;
    }

    // pip wheels: nvidia-cublas (CUDA 13) installs nvidia/cu13/lib, nvidia-cublas-cu12 installs nvidia/cublas/lib.
    private static List<Candidate> inSite(Path site, int version) {
        List<Candidate> c = new ArrayList<>();
        if (version == 13) addIfFile(c, site.resolve("nvidia/cu13/lib/libcublas.so.13"), "Python site-packages");
        addIfFile(c, site.resolve("nvidia/cublas/lib/libcublas.so." + version), "Python site-packages");
        return c;
    }

    private static Loaded tryAll(List<Candidate> candidates, List<String> tried, Set<String> attempted) {
        for (Candidate c : candidates) {
            Loaded l = tryLoad(c, tried, attempted);
            if (l != null) return l;
        }
        return null;
    }

    /** Loads one candidate, or records why not (once per real file) and returns null. */
    private static Loaded tryLoad(Candidate c, List<String> tried, Set<String> attempted) {
        String key = c.target();
        if (c.byPath()) {
            try {
                key = Path.of(c.target()).toRealPath().toString();
            } catch (IOException e) {
                // keep the given path
            }
        }
        if (!attempted.add(key)) return null;
        try {
            return load(c);
        } catch (CudaException e) {
            tried.add(c.target() + " (" + c.source() + "): " + detailOf(e));
            return null;
        }
    }

    private static Loaded load(Candidate c) {
        if (c.byPath()) preloadSiblings(Path.of(c.target()));
        NativeLib lib = NativeLib.open(c.target(), false);
        return new Loaded(lib, c.byPath() ? c.target() : "loader:" + c.target());
    }

    private static void addIfFile(List<Candidate> out, Path f, String source) {
        if (Files.isRegularFile(f)) out.add(new Candidate(f.toString(), true, source));
    }

    /**
     * Tries each candidate in order; for a path, loads the sibling {@code libcublasLt.so.N} (and nothing else)
     * first. Throws CudaException listing each candidate with its loader error.
     */
    static Loaded loadFirst(String what, List<Candidate> candidates) {
        List<String> errors = new ArrayList<>();
        for (Candidate c : candidates) {
            try {
                return load(c);
            } catch (CudaException e) {
                errors.add(c.target() + " (" + c.source() + "): " + detailOf(e));
            }
        }
        StringBuilder sb = new StringBuilder("tried ").append(candidates.size()).append(" place(s)");
        for (String e : errors) sb.append("\n  ").append(e);
        throw new CudaException(what, CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND", sb.toString());
    }

    private static final Pattern SO_VERSION = Pattern.compile("libcublas\\.so\\.(\\d+)(.*)");

    // libcublas.so.N needs libcublasLt.so.N; in a pip wheel directory the loader would not find it, but
    // once a library with that soname is loaded, the loader reuses it.
    private static void preloadSiblings(Path lib) {
        Path name = lib.getFileName();
        if (name == null) return;
        Matcher m = SO_VERSION.matcher(name.toString());
        if (!m.matches()) return;
        Path lt = lib.resolveSibling("libcublasLt.so." + m.group(1) + m.group(2));
        if (!Files.isRegularFile(lt)) lt = lib.resolveSibling("libcublasLt.so." + m.group(1));
        if (Files.isRegularFile(lt)) {
            try {
                NativeLib.open(lt.toString(), true);
            } catch (CudaException ignored) {
                // libcublas's own dlopen error then names the missing dependency.
            }
        }
    }

    private static final Set<String> SKIP = Set.of("__pycache__", "node_modules", ".git", ".cache", "include",
            "share", "doc", "docs", "man", "pkgs", "src", "bin", "etc", "proc", "sys", "dev", "tests", "test");

    /**
     * Every {@code site-packages}/{@code dist-packages} directory under the roots (breadth-first, each root to
     * its depth, symbolic links below a root not followed, at most {@value #MAX_DIRS_LISTED} directories listed
     * in all). Inside a {@code pythonX.Y} directory only its site/dist-packages are looked at.
     */
    static List<Path> findSitePackages(List<Root> roots, List<String> notes) {
        return findSitePackages(roots, notes, p -> false);
    }

    /** As above, handing each directory to {@code onFound} as it is found; stops when that returns true. */
    static List<Path> findSitePackages(List<Root> roots, List<String> notes, Predicate<Path> onFound) {
        List<Path> found = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        int listed = 0;
        for (Root r : roots) {
            if (!Files.isDirectory(r.dir())) continue;
            ArrayDeque<Path> queue = new ArrayDeque<>();
            ArrayDeque<Integer> depths = new ArrayDeque<>();
            queue.add(r.dir());
            depths.add(0);
            while (!queue.isEmpty()) {
                Path dir = queue.poll();
                int depth = depths.poll();
                if (listed >= MAX_DIRS_LISTED) {
                    notes.add("directory walk stopped after " + MAX_DIRS_LISTED + " directories (at " + dir + ")");
                    return found;
                }
                listed++;
                boolean pythonDir = isPythonVersionDir(dir);
                List<Path> children = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path c : ds) {
                        String n = c.getFileName().toString();
                        if (n.equals("site-packages") || n.equals("dist-packages")) {
                            if (Files.isDirectory(c) && seen.add(c)) {
                                found.add(c);
                                if (onFound.test(c)) return found;
                            }
                            continue;
                        }
                        if (pythonDir || depth + 1 >= r.depth() || SKIP.contains(n) || looksLikeFile(n)) continue;
                        if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) children.add(c);
                    }
                } catch (IOException | SecurityException e) {
                    continue; // unreadable directory: nothing to find there
                }
                children.sort(Comparator.comparing(Path::toString));
                for (Path c : children) {
                    queue.add(c);
                    depths.add(depth + 1);
                }
            }
        }
        return found;
    }

    // Entries named like files are not stat'ed: most of a directory walk's cost is one lstat per entry.
    private static final Pattern FILE_NAME = Pattern.compile(
            ".*\\.(whl|gz|tgz|xz|bz2|zip|zst|tar|deb|rpm|jar|class|so(\\.\\d+)*|a|o|py|pyc|pyi|pth|h|hpp|c|cc|cpp|cu|"
                    + "cuh|txt|md|rst|json|html?|xml|ya?ml|toml|cfg|ini|log|sh|png|jpe?g|svg|pdf|csv|dat|bin|metadata)");

    static boolean looksLikeFile(String name) {
        return FILE_NAME.matcher(name).matches();
    }

    private static boolean isPythonVersionDir(Path dir) {
        Path n = dir.getFileName();
        return n != null && n.toString().matches("python\\d+(\\.\\d+)*t?");
    }

    private static List<Path> versionedCudaDirs(Path base) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(base, "cuda-*")) {
            for (Path d : ds) out.add(d);
        } catch (IOException | SecurityException e) {
            return out;
        }
        // Newest toolkit first: cuda-13.1 before cuda-13.0 before cuda-12.8.
        out.sort(Comparator.comparing((Path d) -> versionKey(d.getFileName().toString())).reversed());
        List<Path> libs = new ArrayList<>();
        for (Path d : out) {
            libs.add(d.resolve("lib64"));
            libs.add(d.resolve("targets").resolve(archTriple()).resolve("lib"));
        }
        return libs;
    }

    private static String versionKey(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.replace("cuda-", "").split("\\.")) {
            sb.append(String.format("%05d", part.matches("\\d+") ? Integer.parseInt(part) : 0));
        }
        return sb.toString();
    }

    private static String archTriple() {
        String a = System.getProperty("os.arch", "amd64");
        return a.equals("aarch64") || a.equals("arm64") ? "aarch64-linux" : "x86_64-linux";
    }
}
