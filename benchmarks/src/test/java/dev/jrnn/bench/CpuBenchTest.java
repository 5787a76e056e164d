package dev.jrnn.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PyTorch peer's CSV and log become table rows and notes; the table gives ratios against the fastest row. */
class CpuBenchTest {

    @Test
    void torchCsvRowsAndRatiosAgainstTheFastestThreadCount(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("torch_cpu.csv");
        Files.writeString(csv, GpuBench.HEADER + "\n"
                + "torch,lstm,32,50,128,128,fp32,20.0,18.0,24.0,20,63.0,1600.0,host,AMD EPYC,threads=1\n"
                + "torch,lstm,32,50,128,128,fp32,16.0,15.0,19.0,20,78.0,2000.0,host,AMD EPYC,threads=2\n"
                + "torch,simple_rnn,8,100,256,256,fp32,5.0,4.0,6.0,20,60.0,1600.0,host,AMD EPYC,threads=1\n");
        List<CpuBench.Row> rows = CpuBench.torchRows(csv);
        assertEquals(3, rows.size());
        assertEquals(new CpuBench.Row("torchLstmTrain", "32x50x128x128", "2", 16.0, 2.0), rows.get(1));
        assertEquals("torchSimpleRnnTrain", rows.get(2).bench());

        CpuPeak peak = new CpuPeak("test cpu", 2, 8, 2, 3.0, "given", "given");
        String table = CpuBench.table(List.of(), rows, peak, List.of("a note"), true);
        assertTrue(table.contains("| torchLstmTrain (2 threads) | 32,50,128,128 | 16.000 ± 2.000 |"), table);
        assertTrue(table.contains("- a note"), table);

        Files.writeString(csv, GpuBench.HEADER + "\ntorch,lstm,1,2\n");
        assertThrows(java.io.IOException.class, () -> CpuBench.torchRows(csv));
    }

    /**
     * A shape typed as BxTxH ("2x3x4": I = H) reaches JMH as BxTxIxH, the spelling of the PyTorch rows, so the ratio and
     * the goal line are there; a jrnn train row with no PyTorch row (and a PyTorch row with no jrnn row) is named in the
     * table and the run returns status 5, where it used to leave the ratio blank and exit 0. A real in-process JMH run
     * of one tiny benchmark (fork 0, one 50 ms iteration), its console output captured (not in the build's log) and read.
     */
    @Test
    void shapesInEitherFormJoinThePeerRowsAndAnUnmatchedRowFailsTheRun(@TempDir Path dir) throws Exception {
        String row = ",fp32,2.0,1.8,2.2,20,0.1,1000.0,host,AMD EPYC,threads=1\n";
        Path csv = dir.resolve("torch_cpu.csv"), md = dir.resolve("cpu.md");
        String[] jmh = {"RnnBench.jrnnSimpleRnnTrain", "-f", "0", "-wi", "0", "-i", "1", "-r", "50ms", "-foe", "true"};

        Files.writeString(csv, GpuBench.HEADER + "\ntorch,simple_rnn,2,3,4,4" + row);
        Console c = new Console();
        assertEquals(0, CpuBench.run(concat(new String[] {"--out", md.toString(), "--torch-csv", csv.toString(), "--shapes", "2x3x4"}, jmh),
                c.out, c.err), c.toString());
        String table = Files.readString(md);
        assertTrue(table.matches("(?s).*\\| jrnnSimpleRnnTrain \\| 2,3,4,4 \\| [^\n]* \\| [0-9.]+ \\(vs PyTorch, 1 thread\\) \\|.*"), table);
        assertTrue(table.contains("Issue 16's CPU goals") && !table.contains("UNMATCHED"), table);
        // JMH's progress and the table went to the given stream, after JMH closed its output
        assertTrue(c.out().contains("Result \"dev.jrnn.bench.RnnBench.jrnnSimpleRnnTrain\":") && c.out().contains(table)
                && c.out().contains("written: " + md), c.toString());
        assertEquals("", c.err(), c.toString());

        Files.writeString(csv, GpuBench.HEADER + "\ntorch,simple_rnn,2,3,4,5" + row);
        c = new Console();
        assertEquals(CpuBench.UNMATCHED, CpuBench.run(concat(new String[] {"--out", md.toString(), "--torch-csv", csv.toString(),
                "--shapes", "2x3x4x4"}, jmh), c.out, c.err), c.toString());
        table = Files.readString(md);
        assertTrue(table.contains("- !!! UNMATCHED: jrnnSimpleRnnTrain 2x3x4x4: no PyTorch row at this shape"), table);
        assertTrue(table.contains("- !!! UNMATCHED: torchSimpleRnnTrain (1 thread) 2x3x4x5: no jrnn row at this shape"), table);
        assertTrue(table.contains("| **no PyTorch row** |"), table);
        assertTrue(c.err().startsWith("CpuBench: 2 train row(s) without a partner"), c.toString());
    }

    /** What a run printed, kept in memory. */
    private static final class Console {
        private final java.io.ByteArrayOutputStream outBytes = new java.io.ByteArrayOutputStream();
        private final java.io.ByteArrayOutputStream errBytes = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream out = new java.io.PrintStream(outBytes, true, java.nio.charset.StandardCharsets.UTF_8);
        final java.io.PrintStream err = new java.io.PrintStream(errBytes, true, java.nio.charset.StandardCharsets.UTF_8);

        String out() { return outBytes.toString(java.nio.charset.StandardCharsets.UTF_8); }
        String err() { return errBytes.toString(java.nio.charset.StandardCharsets.UTF_8); }
        @Override public String toString() { return "out:\n" + out() + "\nerr:\n" + err(); }
    }

    @Test
    void shapeListsBecomeTheirKeysAndAreGivenOnce() {
        assertEquals("4x10x8x8,32x50x128x64", Shapes.canonical(" 4x10x8 ,32X50x128x64"));
        assertEquals("4x10x8x8", Shapes.parse("4x10x8").key());
        assertEquals(List.of("RnnBench.*", "-p", "shape=4x10x8x8,2x3x4x5", "-i", "1"),
                CpuBench.canonicalShapes(List.of("RnnBench.*", "-p", "shape=4x10x8,2x3x4x5", "-i", "1")));
        for (String bad : new String[] {"4x10x8x", "4x10x8,,1x1x1", "", "4x10"}) {
            assertThrows(IllegalArgumentException.class, () -> Shapes.canonical(bad), bad);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuBench.canonicalShapes(List.of("-p", "shape=1x1x1", "-p", "shape=2x2x2")));
        assertTrue(e.getMessage().contains("shapes given twice"), e.getMessage());
    }

    /** The PyTorch peer times the cells of the train steps JMH's own matching selects, at the shapes as keys. */
    @Test
    void peerPlanFollowsTheJmhIncludesAndShapes() throws Exception {
        String all = "32x50x128x128,8x100x256x256,64x100x512x512";
        assertEquals("lstm,gru,simple_rnn " + all, CpuBench.peerPlan(new CommandLineOptions(), false));
        assertEquals("simple_rnn 4x10x8x8", CpuBench.peerPlan(new CommandLineOptions("RnnBench.*SimpleRnnTrain", "-p", "shape=4x10x8"), false));
        assertEquals("lstm,simple_rnn " + all, CpuBench.peerPlan(new CommandLineOptions("RnnBench.*Train", "-e", "Gru"), false));
        assertEquals("lstm " + all, CpuBench.peerPlan(new CommandLineOptions("RnnBench.*Lstm"), false));
        assertEquals("- -", CpuBench.peerPlan(new CommandLineOptions("RnnBench.*Lstm", "-e", "Train"), false));
        assertEquals("- -", CpuBench.peerPlan(new CommandLineOptions("GemmBench"), false));
    }

    /** The forks get this JVM's flags once (not again after @Fork's) and the flag that silences JMH's Unsafe warnings. */
    @Test
    void forkJvmArgsListTheModuleFlagsOnceAndAllowUnsafe() {
        assertEquals(List.of("-Xmx2g", "-Djrnn.cpu.threads=1", "--sun-misc-unsafe-memory-access=allow"),
                CpuBench.forkJvmArgs(List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g",
                        "--add-modules", "jdk.incubator.vector", "--sun-misc-unsafe-memory-access=warn", "-Djrnn.cpu.threads=1")));
    }

    /** A --quick table gives the ratios but no goal verdicts: its 1 s warm-up is too short for jrnn's JIT. */
    @Test
    void quickTablesGiveNoGoalVerdicts() {
        Map<String, CpuBench.Row> rows = new java.util.LinkedHashMap<>();
        rows.put("a", new CpuBench.Row("jrnnLstmTrain", "32x50x128x128", null, 19.8, 1.0));
        rows.put("b", new CpuBench.Row("torchLstmTrain", "32x50x128x128", "1", 20.0, 1.0));
        CpuPeak peak = new CpuPeak("test cpu", 2, 8, 2, 3.0, "given", "given");
        String quick = CpuBench.table(rows, peak, List.of(), true, List.of());
        assertTrue(quick.contains("jrnn / PyTorch 0.990 (goal <= 0.5: no verdict from a quick run)")
                && quick.contains("QUICK run") && !quick.contains("met"), quick);
        String full = CpuBench.table(rows, peak, List.of(), false, List.of());
        assertTrue(full.contains("jrnn / PyTorch 0.990 (goal <= 0.5: not met)"), full);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void torchLogNotesKeepVersionsBlasAndChecks(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("torch_cpu.log");
        Files.writeString(log, "torch 1.13 (CPU), AMD EPYC, 2 cores; threads [1, 2]\nBLAS: OpenBLAS (x)\n"
                + "impl\tcell\n# equal work lstm 32x50x128x128: params jrnn=1 torch=1\ntorch\tlstm\t32\n");
        assertEquals(List.of("PyTorch peer: torch 1.13 (CPU), AMD EPYC, 2 cores; threads [1, 2]", "PyTorch peer: BLAS: OpenBLAS (x)",
                "equal work lstm 32x50x128x128: params jrnn=1 torch=1"), CpuBench.torchNotes(log));
    }
}
