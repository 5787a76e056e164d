package dev.jrnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Communicator;
import dev.jrnn.backend.Precision;
import dev.jrnn.distributed.ProcessGroup;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NCCL on a GPU: the binding (version, the 128-byte id passed by value to ncclCommInitRank, all-reduce, broadcast), a
 * one-rank job through the rendezvous whose data-parallel fit (graph-captured steps with the NCCL stream forked in)
 * equals plain fit, and two ranks on one GPU (threads; NCCL >= 2.30 with NCCL_MULTI_RANK_GPU_ENABLE=1, else skipped
 * with the reason) training as one process with the double batch. Skipped without a device or without NCCL.
 */
@Tag("gpu")
class NcclGpuTest {
    static CudaBackend gpu;
    static int version;

    @BeforeAll
    static void nccl() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        String why = null;
        try {
            version = NcclCommunicator.version();
        } catch (RuntimeException e) {
            why = e.getMessage();
        }
        assumeTrue(why == null, "NCCL not found: " + why);
        gpu = CudaBackend.create();
        Jrnn.setPrecision(Precision.FP32);
    }

    @AfterAll
    static void close() {
        if (gpu != null) gpu.close();
        Jrnn.clearSession();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static final Tensor X, Y;

    static {
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[64 * 12 * 8], y = new float[64 * 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < y.length; i++) y[i] = (float) (r.nextDouble() * 2 - 1);
        X = Tensor.wrap(x, 64, 12, 8);
        Y = Tensor.wrap(y, 64, 3);
    }

    private static Sequential model(Backend be) {
        Jrnn.setBackend(be);
        Jrnn.setSeed(9);
        Sequential m = new Sequential(new LSTM(32).returnSequences(true), new LSTM(16), new Dense(3));
        m.build(12, 8);
        m.compile("adam", "mse");
        return m;
    }

    @Test
    void bindingReducesAndBroadcastsOnOneRank() {
        assertTrue(version >= 21000, "NCCL " + version + ": ncclAvg needs 2.10 or newer");
        byte[] id = NcclCommunicator.uniqueId();
        assertEquals(Nccl.UNIQUE_ID_BYTES, id.length);
        try (Communicator c = NcclCommunicator.create(gpu, id, 0, 1, 60_000); Buf b = gpu.alloc(5)) {
            gpu.upload(new float[] {1, 2, 3, 4, 5}, 0, b, 0, 5);
            c.allReduce(b, 1, 3, Communicator.Op.SUM);
            c.broadcast(b, 0, 5, 0);
            c.join();
            c.fence();
            float[] out = new float[5];
            gpu.download(b, 0, out, 0, 5);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5}, out);
            assertEquals(null, c.abortReason());
        }
    }

    @Test
    void oneRankThroughTheRendezvousFitsAsPlainFit() throws IOException {
        FitOptions o = new FitOptions().epochs(3).batchSize(16).verbose(0).seed(3);
        Sequential plain = model(gpu);
        History hp = plain.fit(X, Y, o);
        Sequential dp = model(gpu);
        History hd;
        try (ProcessGroup pg = ProcessGroup.init(gpu, "127.0.0.1", freePort(), 0, 1, 0, Duration.ofSeconds(60))) {
            hd = dp.fit(X, Y, new FitOptions().epochs(3).batchSize(16).verbose(0).seed(3).distributed(pg.communicator(), 4096));
        }
        assertEquals(hp.history().get("loss"), hd.history().get("loss"));
        List<Tensor> a = plain.getWeights(), b = dp.getWeights();
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).data(), b.get(i).data(), "weight " + i);
    }

    @Test
    void twoRanksOnOneGpuTrainAsOneProcessWithTheDoubleBatch() throws Exception {
        assumeTrue(version >= 23000, "NCCL " + version + " refuses two ranks on one GPU (NCCL_MULTI_RANK_GPU_ENABLE needs 2.30)");
        assumeTrue("1".equals(System.getenv("NCCL_MULTI_RANK_GPU_ENABLE")), "NCCL_MULTI_RANK_GPU_ENABLE=1 is not set");
        FitOptions o = new FitOptions().epochs(3).batchSize(16).verbose(0).seed(3);
        Sequential one = model(gpu);
        List<Double> reference = one.fit(X, Y, o).history().get("loss");
        List<CudaBackend> backends = List.of(CudaBackend.create(), CudaBackend.create());
        List<Sequential> models = new ArrayList<>();
        for (CudaBackend be : backends) models.add(model(be));
        int port = freePort();
        List<CompletableFuture<List<Double>>> ranks = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int rank = r;
            ranks.add(CompletableFuture.supplyAsync(() -> {
                try (ProcessGroup pg = ProcessGroup.init(backends.get(rank), "127.0.0.1", port, rank, 2, rank, Duration.ofSeconds(60))) {
                    return models.get(rank).fit(X, Y, new FitOptions().epochs(3).batchSize(8).verbose(0).seed(3)
                            .distributed(pg.communicator())).history().get("loss");
                }
            }, t -> Thread.ofPlatform().start(t)));
        }
        try {
            for (CompletableFuture<List<Double>> f : ranks) {
                List<Double> l = f.get();
                for (int e = 0; e < l.size(); e++) assertEquals(reference.get(e), l.get(e), 1e-5 * reference.get(e), "epoch " + e);
            }
            for (int i = 0; i < one.getWeights().size(); i++) {
                float[] w = one.getWeights().get(i).data(), w1 = models.get(1).getWeights().get(i).data();
                for (int k = 0; k < w.length; k++) assertEquals(w[k], w1[k], 1e-4 * Math.max(1, Math.abs(w[k])), "weight " + i);
            }
        } finally {
            for (CudaBackend be : backends) be.close();
        }
    }
}
