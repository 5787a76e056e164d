package dev.jrnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every typed {@link Kernel} launcher against the {@code extern "C" __global__} signature of its kernel in
 * kernels/*.cu (parsed here, no GPU or nvcc needed): the same parameters after the {@link Grid}, in the same order,
 * with the same names and kinds (pointer = {@code @Ptr long}, long long = {@code long}, int, float, double); and
 * every kernel in the sources has a launcher. A mismatch would otherwise show only as wrong results on a GPU.
 */
class KernelSignaturesTest {
    /** The classes that hold launchers. */
    static final List<Class<?>> LAUNCHERS = List.of(CudaKernels.class, TrainKernels.class, PersistentKernels.class,
            NormKernels.class);

    record Param(String kind, String name) {}

    static Path kernelsDir() {
        Path root = PersistentKernelSimTest.findRoot();
        assertNotNull(root, "kernels/ not found from " + Path.of("").toAbsolutePath());
        return root.resolve("kernels");
    }

    /** The kind of a C parameter declaration ({@code const float* __restrict__ x} is a pointer). */
    static Param cParam(String decl) {
        String d = decl.replace("__restrict__", " ").replace("*", " * ").trim().replaceAll("\\s+", " ");
        String name = d.substring(d.lastIndexOf(' ') + 1);
        String type = d.substring(0, d.lastIndexOf(' ')).replace("const ", "").replace("unsigned ", "");
        String kind = type.contains("*") ? "ptr" : switch (type) {
            case "long long" -> "i64";
            case "int" -> "i32";
            case "float" -> "f32";
            case "double" -> "f64";
            default -> throw new AssertionError("kernel parameter of unexpected type: " + decl);
        };
        return new Param(kind, name);
    }

    static List<Param> cParams(String list) {
        List<Param> ps = new ArrayList<>();
        for (String p : list.split(",")) ps.add(cParam(p));
        return ps;
    }

    /**
     * Every kernel of kernels/*.cu by name with its parameters: plain {@code extern "C" __global__} definitions and
     * the instantiations of the persistent macros (which give each of their names the macro's parameter list).
     */
    static Map<String, List<Param>> kernelSignatures() throws IOException {
        Pattern plain = Pattern.compile("extern \"C\" __global__ void (?:__launch_bounds__\\([^)]*\\) )?(jrnn_\\w+)\\(([^)]*)\\)");
        Pattern macro = Pattern.compile("#define (JRNN_\\w+)\\(name, [^)]*\\)\\s*extern \"C\" __global__ void "
                + "(?:__launch_bounds__\\([^)]*\\) )?name\\(([^)]*)\\)");
        Map<String, List<Param>> out = new TreeMap<>();
        try (var files = Files.list(kernelsDir())) {
            for (Path f : files.filter(x -> x.toString().endsWith(".cu")).sorted().toList()) {
                String src = Files.readString(f).replace("\\\n", " ");
                Matcher m = plain.matcher(src);
                while (m.find()) assertEquals(null, out.put(m.group(1), cParams(m.group(2))), "kernel " + m.group(1) + " twice");
                Matcher d = macro.matcher(src);
                while (d.find()) {
                    Matcher use = Pattern.compile("(?m)^" + d.group(1) + "\\((jrnn_\\w+),").matcher(src);
                    int n = 0;
                    for (; use.find(); n++) out.put(use.group(1), cParams(d.group(2)));
                    assertTrue(n > 0, d.group(1) + " declares no kernel in " + f);
                }
            }
        }
        return out;
    }

    /** Each launcher's parameter names, read from its class's source (reflection does not keep them). */
    static Map<String, List<String>> javaParamNames(Class<?> c) throws IOException {
        Path src = kernelsDir().getParent().resolve("java/src/main/java/" + c.getName().replace('.', '/') + ".java");
        String text = Files.readString(src);
        Matcher m = Pattern.compile("@Kernel\\(\"(\\w+)\"\\)\\s*void \\w+\\(([^)]*)\\)").matcher(text);
        Map<String, List<String>> out = new TreeMap<>();
        while (m.find()) {
            List<String> names = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                String t = p.trim();
                names.add(t.substring(t.lastIndexOf(' ') + 1));
            }
            out.put(m.group(1), names);
        }
        return out;
    }

    static String kind(Parameter p) {
        Class<?> t = p.getType();
        if (t == long.class) return p.isAnnotationPresent(Ptr.class) ? "ptr" : "i64";
        if (t == int.class) return "i32";
        if (t == float.class) return "f32";
        if (t == double.class) return "f64";
        throw new AssertionError(p + ": a launcher takes int, long, float or double after its Grid");
    }

    @Test
    void everyLauncherMatchesItsKernel() throws IOException {
        Map<String, List<Param>> kernels = kernelSignatures();
        int checked = 0;
        for (Class<?> c : LAUNCHERS) {
            Map<String, List<String>> names = javaParamNames(c);
            int annotated = 0;
            for (Method m : c.getDeclaredMethods()) {
                Kernel k = m.getAnnotation(Kernel.class);
                if (k == null) continue;
                annotated++;
                String where = c.getSimpleName() + "." + m.getName() + " (" + k.value() + ")";
                List<Param> want = kernels.get(k.value());
                assertNotNull(want, where + ": no such kernel in kernels/*.cu");
                Parameter[] ps = m.getParameters();
                int g = Arrays.asList(m.getParameterTypes()).indexOf(Grid.class);
                assertTrue(g >= 0, where + " takes no Grid");
                List<String> javaNames = names.get(k.value());
                assertNotNull(javaNames, where + ": launcher not found in the source");
                assertEquals(want.size(), ps.length - g - 1, where + ": parameter count after the Grid");
                for (int i = 0; i < want.size(); i++) {
                    Parameter p = ps[g + 1 + i];
                    String jName = javaNames.get(g + 1 + i);
                    assertEquals(want.get(i), new Param(kind(p), jName), where + ": parameter " + i);
                }
                checked++;
            }
            assertEquals(annotated, names.size(), c.getSimpleName() + ": @Kernel methods found by reflection vs in the source");
        }
        assertTrue(checked >= 40, "only " + checked + " launchers found");
    }

    @Test
    void everyKernelHasOneLauncher() throws IOException {
        Map<String, List<Param>> kernels = kernelSignatures();
        Set<String> launched = new TreeSet<>();
        for (String name : launchedKernels()) {
            if (!launched.add(name)) fail("kernel " + name + " has two launchers");
        }
        Set<String> missing = new TreeSet<>();
        for (String name : kernels.keySet()) {
            // The persistent kernels of one macro share a launcher: it names one of them and takes the handle.
            String family = name.startsWith("jrnn_persist_")
                    ? "jrnn_persist_rnn_" + (name.contains("_fwd_") ? "fwd" : "bwd") + "_fp32" : name;
            if (!launched.contains(family)) missing.add(name);
        }
        assertEquals(Set.of(), missing, "kernels of kernels/*.cu without a launcher");
    }

    /** The kernel names of every {@link Kernel} launcher. */
    static List<String> launchedKernels() {
        List<String> out = new ArrayList<>();
        for (Class<?> c : LAUNCHERS) {
            for (Method m : c.getDeclaredMethods()) {
                Kernel k = m.getAnnotation(Kernel.class);
                if (k != null) out.add(k.value());
            }
        }
        return out;
    }
}
