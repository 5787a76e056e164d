package dev.jrnn.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.backend.DistributedException;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The TCP rendezvous with threads as ranks on localhost: the id handed out, the timeouts, the control channel. */
class RendezvousTest {
    private static final byte[] ID = "a 128-byte NCCL id stands here".getBytes(StandardCharsets.UTF_8);

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<CompletableFuture<Rendezvous>> start(int port, int size, long timeoutMs, int... ranks) {
        List<CompletableFuture<Rendezvous>> fs = new ArrayList<>();
        for (int r : ranks) {
            fs.add(CompletableFuture.supplyAsync(() -> Rendezvous.join("127.0.0.1", port, r, size, timeoutMs, () -> ID.clone()),
                    cf -> Thread.ofPlatform().start(cf)));
        }
        return fs;
    }

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get();
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void rankZeroHandsItsPayloadToEveryRankAndGoodbyesAreNoFailure() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int port = freePort();
            // the other ranks start first: they retry until rank 0 listens
            List<CompletableFuture<Rendezvous>> fs = start(port, 4, 10_000, 3, 1, 2, 0);
            List<Rendezvous> rs = new ArrayList<>();
            for (CompletableFuture<Rendezvous> f : fs) rs.add(f.get());
            for (Rendezvous r : rs) assertArrayEquals(ID, r.payload(), "rank " + r.rank());
            List<String> heard = new ArrayList<>();
            for (Rendezvous r : rs) r.onFailure(heard::add);
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (Rendezvous r : rs) closing.add(CompletableFuture.runAsync(r::close));
            for (CompletableFuture<Void> c : closing) c.get();
            assertEquals(List.of(), heard);
        });
    }

    @Test
    void aRankThatNeverArrivesIsNamedOnEveryRankThatCame() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int port = freePort();
            List<CompletableFuture<Rendezvous>> fs = start(port, 4, 700, 0, 1, 3);
            String expected = "rendezvous at 127.0.0.1:" + port + ": rank 2 never arrived within 0.7 s (2 of 3 other ranks came)";
            for (CompletableFuture<Rendezvous> f : fs) {
                Throwable t = failure(f);
                assertEquals(DistributedException.class, t.getClass());
                assertEquals(expected, t.getMessage());
            }
        });
    }

    @Test
    void aRankWithoutRankZeroTimesOutNamingIt() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int port = freePort();
            Throwable t = failure(start(port, 2, 500, 1).getFirst());
            assertTrue(t.getMessage().startsWith("rendezvous at 127.0.0.1:" + port + ": rank 1 could not reach rank 0 within 0.5 s"),
                    t.getMessage());
        });
    }

    @Test
    void aMismatchedWorldSizeIsRefused() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int port = freePort();
            CompletableFuture<Rendezvous> root = start(port, 2, 800, 0).getFirst();
            Thread.sleep(100);
            Throwable t = failure(CompletableFuture.supplyAsync(() -> Rendezvous.join("127.0.0.1", port, 1, 3, 800, () -> ID)));
            assertEquals("rendezvous at 127.0.0.1:" + port + ": rank 1 says WORLD_SIZE 3, rank 0 says 2", t.getMessage());
            assertTrue(failure(root).getMessage().contains("rank 1 never arrived"));
        });
    }

    @Test
    void aReportedFailureReachesEveryOtherRankAndALostRankIsNamed() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int port = freePort();
            List<Rendezvous> rs = new ArrayList<>();
            for (CompletableFuture<Rendezvous> f : start(port, 3, 10_000, 0, 1, 2)) rs.add(f.get());
            List<LinkedBlockingQueue<String>> heard = new ArrayList<>();
            for (Rendezvous r : rs) {
                LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
                heard.add(q);
                r.onFailure(q::add);
            }
            rs.get(2).reportFailure("rank 2 failed: out of memory");
            assertEquals("rank 2 failed: out of memory", heard.get(0).poll(5, TimeUnit.SECONDS));
            assertEquals("rank 2 failed: out of memory", heard.get(1).poll(5, TimeUnit.SECONDS));
            assertEquals(null, heard.get(2).poll(200, TimeUnit.MILLISECONDS), "the reporting rank does not hear itself");
            for (Rendezvous r : rs) r.kill();

            port = freePort();
            rs.clear();
            for (CompletableFuture<Rendezvous> f : start(port, 3, 10_000, 0, 1, 2)) rs.add(f.get());
            heard.clear();
            for (Rendezvous r : rs) {
                LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
                heard.add(q);
                r.onFailure(q::add);
            }
            rs.get(1).kill();   // as a process that died
            String lost = "rank 1 lost: its connection to the rendezvous at 127.0.0.1:" + port
                    + " closed without goodbye (the process died?)";
            assertEquals(lost, heard.get(0).poll(5, TimeUnit.SECONDS));
            assertEquals(lost, heard.get(2).poll(5, TimeUnit.SECONDS));
            for (Rendezvous r : rs) r.kill();

            port = freePort();
            rs.clear();
            for (CompletableFuture<Rendezvous> f : start(port, 2, 10_000, 0, 1)) rs.add(f.get());
            LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
            rs.get(1).onFailure(q::add);
            rs.get(0).kill();   // rank 0 dies
            assertEquals("rank 0 lost: its connection to the rendezvous at 127.0.0.1:" + port
                    + " closed without goodbye (the process died?)", q.poll(5, TimeUnit.SECONDS));
            rs.get(1).kill();
        });
    }

    @Test
    void badArgumentsNameTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rendezvous.join("127.0.0.1", 1, 2, 2, 100, () -> ID));
        assertEquals("Rendezvous: rank must be in [0, size) and size >= 1, got rank 2 of 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rendezvous.join(null, 1, 0, 2, 100, () -> ID));
        assertEquals("Rendezvous: host must name rank 0's machine (an address or host name), got null", e.getMessage());
    }
}
