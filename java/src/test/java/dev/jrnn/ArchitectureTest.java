package dev.jrnn;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package rules of docs/ARCHITECTURE.md, read from the main sources: which jrnn packages each package
 * may name (imports and fully qualified names), who may bind native code, who may read jrnn settings.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.jrnn";
    private static final String ALL = "*";

    /** Package -> the jrnn packages it may name (besides itself). Kept in step with docs/ARCHITECTURE.md. */
    static final Map<String, Set<String>> MAY_NAME = Map.ofEntries(
            Map.entry("dev.jrnn.tensor", Set.of()),
            Map.entry("dev.jrnn.io", Set.of("dev.jrnn.tensor")),
            Map.entry("dev.jrnn.data", Set.of("dev.jrnn.backend", "dev.jrnn.io", "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.backend", Set.of("dev.jrnn.tensor", "dev.jrnn.backend.cpu", "dev.jrnn.backend.cuda")),
            Map.entry("dev.jrnn.backend.cpu", Set.of("dev.jrnn.backend", "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.backend.cuda", Set.of("dev.jrnn.backend", "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.losses", Set.of("dev.jrnn.backend", "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.regularizers", Set.of("dev.jrnn.backend", "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.initializers", Set.of("dev.jrnn.tensor")),
            Map.entry("dev.jrnn.layers", Set.of(ROOT, "dev.jrnn.backend", "dev.jrnn.data", "dev.jrnn.initializers", "dev.jrnn.regularizers",
                    "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.optim", Set.of("dev.jrnn.backend", "dev.jrnn.layers", "dev.jrnn.optim.schedules", "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.optim.schedules", Set.of("dev.jrnn.tensor")),
            Map.entry("dev.jrnn.model", Set.of(ROOT, "dev.jrnn.backend", "dev.jrnn.data", "dev.jrnn.initializers", "dev.jrnn.io", "dev.jrnn.io.keras",
                    "dev.jrnn.io.torch", "dev.jrnn.layers", "dev.jrnn.losses", "dev.jrnn.optim", "dev.jrnn.regularizers", "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.io.torch", Set.of("dev.jrnn.io", "dev.jrnn.layers", "dev.jrnn.model", "dev.jrnn.tensor")),
            Map.entry("dev.jrnn.io.keras", Set.of(ROOT, "dev.jrnn.backend", "dev.jrnn.initializers", "dev.jrnn.io", "dev.jrnn.layers", "dev.jrnn.losses",
                    "dev.jrnn.model", "dev.jrnn.optim", "dev.jrnn.optim.schedules", "dev.jrnn.regularizers", "dev.jrnn.tensor")),
            Map.entry(ROOT, Set.of("dev.jrnn.backend", "dev.jrnn.layers")),
            Map.entry("dev.jrnn.distributed", Set.of(ROOT, "dev.jrnn.backend")),
            Map.entry("dev.jrnn.examples", Set.of(ALL)));

    /**
     * Package -> package it may name -> the only classes of it that it may name, where docs/ARCHITECTURE.md's row says
     * "only": data names backend for the global random stream alone (an unseeded TextDirectory's draw).
     */
    static final Map<String, Map<String, Set<String>>> ONLY_CLASSES = Map.of(
            "dev.jrnn.data", Map.of("dev.jrnn.backend", Set.of("GlobalRandom")));

    private static final Pattern NAMED = Pattern.compile("\\bdev\\.jrnn((?:\\.[a-z]\\w*)*)\\.([A-Z]\\w*)");
    /** An import of a whole package ({@code import dev.jrnn.backend.*;}), which names none of its classes. */
    private static final Pattern WHOLE_PACKAGE = Pattern.compile("\\bimport\\s+dev\\.jrnn((?:\\.[a-z]\\w*)*)\\.\\*\\s*;");
    private static final Pattern SETTING_READ = Pattern.compile(
            "(getProperty|getenv|getBoolean|getInteger|getLong)\\(\\s*\"(jrnn\\.|JRNN_)");

    record Source(String pkg, Path path, String code) {}

    static List<Source> sources() {
        Path main = Path.of("src/main/java");
        if (!Files.isDirectory(main)) main = Path.of("java/src/main/java");
        List<Source> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String pkg = main.relativize(p.getParent()).toString().replace('/', '.').replace('\\', '.');
                out.add(new Source(pkg, main.relativize(p), withoutComments(Files.readString(p))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(out.size() > 50, "found the main sources under " + main.toAbsolutePath());
        return out;
    }

    /** The code without comments (Javadoc may name any class); string literals stay. */
    static String withoutComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)^\\s*//.*$", "").replaceAll("(?m)\\s//[^\"\\n]*$", "");
    }

    @Test
    void everyPackageNamesOnlyThePackagesItMay() {
        Map<String, Set<String>> bad = new TreeMap<>();
        for (Source s : sources()) {
            Set<String> may = MAY_NAME.get(s.pkg());
            if (may == null) {
                bad.computeIfAbsent(s.pkg() + " (no rule: add it to ArchitectureTest and docs/ARCHITECTURE.md)", k -> new TreeSet<>())
                        .add(s.path().toString());
                continue;
            }
            Set<String> named = disallowed(s.pkg(), may, s.code());
            if (!named.isEmpty()) bad.put(s.path().toString(), named);
        }
        assertEquals(Map.of(), bad, "packages naming what docs/ARCHITECTURE.md does not allow");
    }

    /** What {@code code} of package {@code pkg} names that it may not: other packages, or classes past an "only" rule. */
    static Set<String> disallowed(String pkg, Set<String> may, String code) {
        Set<String> bad = new TreeSet<>();
        if (may.contains(ALL)) return bad;
        Map<String, Set<String>> only = ONLY_CLASSES.getOrDefault(pkg, Map.of());
        Matcher m = NAMED.matcher(code);
        while (m.find()) {
            String target = ROOT + m.group(1);
            if (!target.equals(pkg) && !may.contains(target)) bad.add(target);
            else if (only.containsKey(target) && !only.get(target).contains(m.group(2))) bad.add(target + "." + m.group(2) + " (only " + only.get(target) + ")");
        }
        Matcher w = WHOLE_PACKAGE.matcher(code);
        while (w.find()) {
            String target = ROOT + w.group(1);
            if (only.containsKey(target)) bad.add(target + ".* (only " + only.get(target) + ")");
        }
        return bad;
    }

    @Test
    void onlyBackendsNamesTheConcreteBackends() {
        List<String> bad = new ArrayList<>();
        for (Source s : sources()) {
            if (s.pkg().equals("dev.jrnn.backend") && !s.path().endsWith("Backends.java")
                    && s.code().matches("(?s).*\\bdev\\.jrnn\\.backend\\.(cpu|cuda)\\.[A-Z].*")) {
                bad.add(s.path().toString());
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void onlyTheCudaBackendBindsNativeCode() {
        List<String> bad = new ArrayList<>();
        for (Source s : sources()) {
            boolean binds = s.code().matches("(?s).*\\b(Linker|SymbolLookup|FunctionDescriptor)\\b.*")
                    && s.code().contains("java.lang.foreign");
            boolean foreign = s.code().contains("java.lang.foreign");
            // data maps .npy files with MemorySegment; a backend's CopyQueue hands out host memory that the model's
            // DeviceFeed lends the data set to assemble batches in; io.keras' FileMapping maps a model file into an
            // Arena so that the load's end unmaps it (not a GC), through io.FileFaults' channel of the file a load holds
            // open (its map with an arena passed on); native calls are CUDA's alone
            boolean foreignAllowed = s.path().endsWith("backend/CopyQueue.java") || s.path().endsWith("model/DeviceFeed.java")
                    || s.path().endsWith("io/keras/FileMapping.java") || s.path().endsWith("io/FileFaults.java");
            if (binds && !s.pkg().equals("dev.jrnn.backend.cuda")
                    || foreign && !foreignAllowed && !Set.of("dev.jrnn.backend.cuda", "dev.jrnn.data").contains(s.pkg())) {
                bad.add(s.path().toString());
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void onlyTheCpuBackendUsesTheVectorApi() {
        List<String> bad = sources().stream()
                .filter(s -> s.code().contains("import jdk.incubator.vector") && !s.pkg().equals("dev.jrnn.backend.cpu"))
                .map(s -> s.path().toString()).toList();
        assertEquals(List.of(), bad);
    }

    @Test
    void onlySettingsReadsJrnnSettingsAndNoClassSetsJvmProperties() {
        List<String> reads = new ArrayList<>(), sets = new ArrayList<>();
        for (Source s : sources()) {
            // the demos are not the library: KerasModelImport takes -Djrnn.kerasFixtures for its files
            if (SETTING_READ.matcher(s.code()).find() && !s.path().endsWith(Path.of("backend", "Settings.java"))
                    && !s.pkg().equals("dev.jrnn.examples")) {
                reads.add(s.path().toString());
            }
            if (s.code().contains("System.setProperty(")) sets.add(s.path().toString());
        }
        assertEquals(List.of(), reads, "jrnn.* / JRNN_* read outside backend/Settings");
        assertEquals(List.of(), sets, "library classes setting JVM-wide properties");
    }

    /**
     * The Keras import's files stay at most this long: each class one job (KerasGraph grew to 752 lines over three
     * before it was split into KerasGraph, KerasSubModels and KerasLayerPlaces). Kept in step with docs/ARCHITECTURE.md.
     */
    static final int KERAS_FILE_LINES = 600;

    @Test
    void noKerasImportFileOutgrowsItsJob() throws IOException {
        Map<String, Integer> bad = new TreeMap<>();
        for (Source s : sources()) {
            if (!s.pkg().equals("dev.jrnn.io.keras")) continue;
            Path file = Path.of("src/main/java").resolve(s.path());
            if (!Files.exists(file)) file = Path.of("java/src/main/java").resolve(s.path());
            int lines = Files.readAllLines(file).size();
            if (lines > KERAS_FILE_LINES) {
                bad.put(s.path().toString(), lines);
            }
        }
        assertEquals(Map.of(), bad, "io.keras files over " + KERAS_FILE_LINES + " lines: split them by job");
    }

    @Test
    void theRulesCatchAViolation() {
        // the checks above pass on nothing if the scanner finds nothing: it must see a layers -> model name
        Matcher m = NAMED.matcher(withoutComments("import dev.jrnn.model.Model; /* dev.jrnn.io.Json */ var x = 1;"));
        List<String> named = new ArrayList<>();
        while (m.find()) named.add(ROOT + m.group(1));
        assertEquals(List.of("dev.jrnn.model"), named);
        // data may name backend's GlobalRandom and no other class of it, not even through a whole-package import
        Set<String> dataMay = MAY_NAME.get("dev.jrnn.data");
        assertEquals(Set.of(), disallowed("dev.jrnn.data", dataMay, "import dev.jrnn.backend.GlobalRandom; long k = dev.jrnn.backend.GlobalRandom.split();"));
        assertEquals(Set.of("dev.jrnn.backend.Backend (only [GlobalRandom])"), disallowed("dev.jrnn.data", dataMay, "dev.jrnn.backend.Backend b = null;"));
        assertEquals(Set.of("dev.jrnn.backend.* (only [GlobalRandom])"), disallowed("dev.jrnn.data", dataMay, "import dev.jrnn.backend.*;"));
        assertEquals(Set.of("dev.jrnn.model"), disallowed("dev.jrnn.data", dataMay, "import dev.jrnn.model.Model;"));
        assertTrue(SETTING_READ.matcher("System.getProperty(\"jrnn.backend\")").find());
        assertTrue(SETTING_READ.matcher("System.getenv(\"JRNN_BACKEND\")").find());
    }
}
