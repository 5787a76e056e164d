package dev.jrnn.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * benchmarks/run.sh checks its own options before it builds anything or starts the PyTorch peer: each case here
 * ends in seconds with run.sh's own message, where it used to build, run the peer over every cell and shape, and
 * then fail inside JMH (or print CpuBench's usage for --help). TORCH_PYTHON points nowhere, so a run that got past
 * the options would stop at the PyTorch check ("no PyTorch in"), still before the build.
 */
class RunScriptTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getFileName().toString().equals("benchmarks")
            ? Path.of("").toAbsolutePath().getParent() : Path.of("").toAbsolutePath();

    record Result(int status, String out, String err) {}

    private static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("benchmarks/run.sh").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("runsh", ".out"), err = Files.createTempFile("runsh", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("TORCH_PYTHON", "/nonexistent/python3");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "run.sh " + String.join(" ", args) + " still running after 60 s");
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        assertFalse(r.out.contains("== ") || r.err.contains("BUILD"), "nothing may be built or run: " + r);
        return r;
    }

    @Test
    void helpPrintsRunShsOwnUsage() throws Exception {
        Result r = run("--help");
        assertEquals(0, r.status, r.toString());
        assertTrue(r.out.contains("benchmarks/run.sh --no-torch") && r.out.contains("--shapes=LIST")
                && r.out.contains("Other arguments go to JMH") && !r.out.contains("usage: CpuBench"), r.out);
    }

    @Test
    void unknownOptionsAndMissingValuesStopBeforeTheBuild() throws Exception {
        Result r = run("--quik", "RnnBench.*Lstm");
        assertEquals(2, r.status, r.toString());
        assertTrue(r.err.contains("benchmarks/run.sh: unknown option '--quik'"), r.err);

        r = run("--quick", "--shapes");
        assertEquals(2, r.status, r.toString());
        assertTrue(r.err.contains("--shapes needs a value"), r.err);

        r = run("--shapes", "--quick");
        assertEquals(2, r.status, r.toString());
        assertTrue(r.err.contains("--shapes needs a value"), r.err);

        r = run("--shapes=4x10");
        assertEquals(2, r.status, r.toString());
        assertTrue(r.err.contains("--shapes '4x10': expected comma-separated BxTxIxH or BxTxH"), r.err);

        r = run("--shapes", "4x10x8,0x1x1x1");
        assertEquals(2, r.status, r.toString());
        assertTrue(r.err.contains("expected comma-separated BxTxIxH or BxTxH"), r.err);
    }

    @Test
    void theEqualsFormAndBothShapeFormsAreAccepted() throws Exception {
        for (String[] args : new String[][] {{"--shapes=4x10x8x8", "--quick"}, {"--shapes", "4x10x8,2x3x4x5"}}) {
            Result r = run(args);
            assertEquals(2, r.status, r.toString());
            assertTrue(r.err.contains("no PyTorch in /nonexistent/python3") && !r.err.contains("unknown option"), r.err);
        }
    }
}
