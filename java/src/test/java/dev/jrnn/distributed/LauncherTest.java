package dev.jrnn.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** bin/jrnn-launch's Java side: the command line, and real child JVMs meeting over the rendezvous. */
class LauncherTest {
    @Test
    void parsesTorchrunsOptions() {
        Launcher.Options o = Launcher.parse(new String[] {"--nnodes", "2", "--node-rank", "1", "--nproc-per-node", "4",
                "--rdzv", "10.0.0.1:29500", "--jvm-arg", "-Xmx2g", "com.example.Train", "--epochs", "3"});
        assertEquals(4, o.nproc());
        assertEquals(2, o.nnodes());
        assertEquals(1, o.nodeRank());
        assertEquals("10.0.0.1", o.host());
        assertEquals(29500, o.port());
        assertEquals(List.of("-Xmx2g"), o.jvmArgs());
        assertEquals("com.example.Train", o.main());
        assertEquals(List.of("--epochs", "3"), o.args());
        List<String> cmd = Launcher.command(o);
        assertTrue(cmd.containsAll(List.of("--add-modules", "jdk.incubator.vector", "-Xmx2g", "com.example.Train", "--epochs")), cmd.toString());
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        String[][] bad = {{"Main"}, {"--nproc-per-node", "0", "Main"}, {"--nproc-per-node", "2", "--nnodes", "2", "Main"},
                {"--nproc-per-node", "2", "--devices", "0", "Main"}, {"--nproc-per-node", "2", "--rdzv", "host", "Main"},
                {"--nproc-per-node", "2"}, {"--nproc-per-node", "2", "--nnodes", "2", "--node-rank", "2", "--rdzv", "h:1", "Main"}};
        String[] messages = {"--nproc-per-node is required", "--nproc-per-node must be >= 1, got 0",
                "--rdzv HOST:PORT is required with --nnodes 2", "--devices lists 1 device(s), --nproc-per-node is 2",
                "--rdzv must be HOST:PORT, got 'host'", "the main class is missing", "--node-rank 2 must be below --nnodes 2"};
        for (int i = 0; i < bad.length; i++) {
            String[] b = bad[i];
            assertEquals(messages[i], assertThrows(IllegalArgumentException.class, () -> Launcher.parse(b)).getMessage());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Launcher.run(new String[] {"Main"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(Launcher.USAGE));
    }

    private record Run(int code, String out, String err) {}

    private static Run launch(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Launcher.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void twoProcessesMeetAndAFailedRankStopsTheJobNamingIt() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            Run ok = launch("--nproc-per-node", "2", "--devices", "0,0", LaunchProbe.class.getName());
            assertEquals(0, ok.code(), ok.err());
            List<String> lines = ok.out().lines().filter(l -> !l.contains("incubator")).sorted().toList();
            assertEquals(List.of("[rank 0] local 0 of 2, world 2, device 0, payload id-from-rank-0",
                    "[rank 1] local 1 of 2, world 2, device 0, payload id-from-rank-0"), lines);

            Run failed = launch("--nproc-per-node", "2", "--grace", "20", LaunchProbe.class.getName(), "fail=1");
            assertEquals(3, failed.code(), failed.out() + failed.err());
            assertTrue(failed.err().contains("jrnn-launch: rank 1 exited with code 3"), failed.err());
            assertTrue(failed.out().contains("[rank 0] heard: rank 1 lost: its connection to the rendezvous at 127.0.0.1:"), failed.out());
        });
    }
}
