package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cuda.PersistentRnn.Plan;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher's argument lists against the kernels' C signatures, read from persistent_rnn.cu: same
 * count, int32 where the kernel takes int, a 64-bit address where it takes a pointer, and each value
 * in the position of the parameter it belongs to (distinct marker values per field).
 */
class PersistentRnnArgsTest {
    record Param(String type, String name) {}

    static List<Param> signature(String macro) throws IOException {
        Path root = PersistentKernelSimTest.findRoot();
        assumeTrue(root != null, "kernel sources not found");
        String src = Files.readString(root.resolve("kernels/persistent_rnn.cu")).replace("\\\n", " ");
        Matcher m = Pattern.compile("#define " + macro + "\\(name, KIND, PREC, MMA\\)\\s*extern \"C\" __global__ void "
                + "__launch_bounds__\\([^)]*\\) name\\(([^)]*)\\)").matcher(src);
        assertTrue(m.find(), macro + " not found in persistent_rnn.cu");
        List<Param> ps = new ArrayList<>();
        for (String part : m.group(1).split(",")) {
            String p = part.trim().replaceAll("\\s+", " ");
            int cut = p.lastIndexOf(' ');
            ps.add(new Param(p.substring(0, cut).replace(" *", "*"), p.substring(cut + 1)));
        }
        return ps;
    }

    static void check(List<Param> sig, Object[] args, Map<String, Object> expected) {
        assertEquals(sig.size(), args.length, "argument count");
        for (int i = 0; i < args.length; i++) {
            Param p = sig.get(i);
            if (p.type().endsWith("*")) assertInstanceOf(Long.class, args[i], p + " needs a 64-bit address");
            else {
                assertEquals("int", p.type(), p.toString());
                assertInstanceOf(Integer.class, args[i], p + " needs an int32");
            }
            assertTrue(expected.containsKey(p.name()), "no expectation for " + p);
            assertEquals(expected.get(p.name()), args[i], "argument " + i + " (" + p + ")");
        }
    }

    @Test
    void forwardArgumentsMatchTheKernel() throws IOException {
        Plan plan = PersistentRnn.manualPlan(RecurrentCell.GRU, false, Precision.FP32, 5, 20, 8, 2, 8, 48, false);
        PersistentRnn.Forward f = new PersistentRnn.Forward(0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000,
                0x8000, 0x9000);
        Object[] args = recorded(k -> PersistentRnn.launchForward(k, 1, plan, 7, Activation.RELU, Activation.HARD_SIGMOID,
                f, 0));
        check(signature("JRNN_PERSIST_FWD"), args, Map.ofEntries(entry("T", 7), entry("B", 5), entry("H", 20),
                entry("S", 8), entry("Bg", 2), entry("NC", 8), entry("act", 3), entry("recAct", 5),
                entry("U", 0x1000L), entry("P", 0x2000L), entry("RP", 0x3000L), entry("bRec", 0x4000L),
                entry("h0", 0x5000L), entry("c0", 0x6000L), entry("mask", 0x7000L), entry("hSeq", 0x8000L),
                entry("cSeq", 0x9000L)));
    }

    @Test
    void backwardArgumentsMatchTheKernel() throws IOException {
        Plan plan = PersistentRnn.manualPlan(RecurrentCell.LSTM, true, Precision.BF16, 6, 24, 8, 3, 24, 48, false);
        PersistentRnn.Backward b = new PersistentRnn.Backward(0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800,
                0x900, 0xa00, 0xb00, 0xc00, 0xd00, 0xe00, 0xf00);
        Object[] args = recorded(k -> PersistentRnn.launchBackward(k, 1, plan, 9, Activation.TANH, Activation.SIGMOID, 4,
                b, 0));
        check(signature("JRNN_PERSIST_BWD"), args, Map.ofEntries(entry("T", 9), entry("B", 6), entry("H", 24),
                entry("S", 8), entry("Bg", 3), entry("NC", 24), entry("act", 1), entry("recAct", 2), entry("tbptt", 4),
                entry("U", 0x100L), entry("P", 0x200L), entry("RP", 0x300L), entry("h0", 0x400L),
                entry("hSeq", 0x500L), entry("c0", 0x600L), entry("cSeq", 0x700L), entry("dy", 0x800L),
                entry("dhT", 0x900L), entry("dcT", 0xa00L), entry("mask", 0xb00L), entry("dP", 0xc00L),
                entry("dRP", 0xd00L), entry("dh0", 0xe00L), entry("dc0", 0xf00L)));
    }

    /** The arguments {@code call} hands to the kernel, recorded instead of launched. */
    private static Object[] recorded(java.util.function.Consumer<PersistentKernels> call) {
        Object[][] got = new Object[1][];
        PersistentKernels k = new PersistentKernels(null, 0, 0) {
            @Override
            void launch(long fn, Grid g, Object... args) {
                got[0] = args;
            }
        };
        call.accept(k);
        return got[0];
    }

    @Test
    void kernelsExistForEveryCellDirectionAndPrecision() throws IOException {
        Path root = PersistentKernelSimTest.findRoot();
        assumeTrue(root != null, "kernel sources not found");
        String src = Files.readString(root.resolve("kernels/persistent_rnn.cu"));
        for (RecurrentCell c : RecurrentCell.values()) {
            for (Precision p : Precision.values()) {
                for (boolean bwd : new boolean[] {false, true}) {
                    for (boolean tc : new boolean[] {false, true}) {
                        String n = PersistentRnn.kernelName(c, bwd, p, tc);
                        assertTrue(src.contains((bwd ? "JRNN_PERSIST_BWD(" : "JRNN_PERSIST_FWD(") + n + ","), n);
                    }
                }
            }
        }
    }
}
