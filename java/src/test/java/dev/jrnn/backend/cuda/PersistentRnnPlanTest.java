package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cuda.PersistentRnn.Device;
import dev.jrnn.backend.cuda.PersistentRnn.Plan;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The persistent path's planner (fits / slicing / shared-memory layout); no GPU needed. */
class PersistentRnnPlanTest {
    static final Device H100 = new Device(90, 132, 232448);
    static final Device A100 = new Device(80, 108, 166912);
    static final Activation TANH = Activation.TANH, SIG = Activation.SIGMOID;

    /** Every invariant the kernel's plan_ok and the launch rely on. */
    static void checkPlan(Plan pl, Device d) {
        assertNotNull(pl);
        String s = pl.toString();
        int k = PersistentRnn.gemmK(pl.cell(), pl.backward(), pl.units());
        assertTrue(pl.slice() > 0 && pl.slice() % 4 == 0, s);
        assertTrue(pl.chunk() > 0 && pl.chunk() % 4 == 0 && pl.chunk() <= ((k + 3) & ~3), s);
        assertEquals((pl.units() + pl.slice() - 1) / pl.slice(), pl.gridX(), s);
        assertEquals((pl.batch() + pl.batchGroup() - 1) / pl.batchGroup(), pl.gridY(), s);
        // every unit and every row is owned by exactly one CTA, and no CTA is empty
        assertTrue((long) pl.gridX() * pl.slice() >= pl.units() && (long) (pl.gridX() - 1) * pl.slice() < pl.units(), s);
        assertTrue((long) pl.gridY() * pl.batchGroup() >= pl.batch()
                && (long) (pl.gridY() - 1) * pl.batchGroup() < pl.batch(), s);
        assertTrue(pl.ctas() <= d.multiprocessors(), s);
        assertTrue(pl.sharedBytes() <= d.maxSharedPerBlock(), s);
        assertTrue(PersistentRnn.splitOk(pl.cell(), pl.backward(), pl.precision(), pl.units(), pl.slice(),
                pl.batchGroup(), pl.threads(), pl.tensorCores()), s);
        if (pl.tensorCores()) {
            assertEquals(0, pl.slice() % 8, s);
            assertEquals(0, pl.chunk() % PersistentRnn.mmaK(pl.precision()), s);
            assertEquals(0, pl.threads() % 32, s);
        }
        assertEquals(PersistentRnn.sharedBytes(pl.cell(), pl.backward(), pl.precision(), pl.units(), pl.slice(),
                pl.batchGroup(), pl.chunk(), pl.threads(), pl.tensorCores()), pl.sharedBytes(), s);
        assertTrue(pl.threads() <= PersistentRnn.THREADS, s);
    }

    @Test
    void targetShapesFitOnH100() {
        for (boolean bwd : new boolean[] {false, true}) {
            Plan big = PersistentRnn.plan(RecurrentCell.LSTM, bwd, 64, 512, Precision.FP32, TANH, SIG, H100);
            checkPlan(big, H100);
            // H=512 fp32: U is 4 MiB, so it only fits spread over (nearly) all SMs
            assertTrue(big.ctas() >= 4L * 512 * 2048 / H100.maxSharedPerBlock(), big.toString());
            Plan small = PersistentRnn.plan(RecurrentCell.LSTM, bwd, 4, 256, Precision.FP32, TANH, SIG, H100);
            checkPlan(small, H100);
        }
        assertTrue(PersistentRnn.fits(RecurrentCell.LSTM, 64, 512, Precision.FP32, 232448, 132));
        assertTrue(PersistentRnn.fits(RecurrentCell.GRU, 64, 512, Precision.FP32, 232448, 132));
        assertTrue(PersistentRnn.fits(RecurrentCell.SIMPLE_RNN, 64, 1024, Precision.FP32, 232448, 132));
    }

    @Test
    void backwardOfBigLstmStagesDgatesInChunks() {
        // backward's K = 4H = 2048 rows of dgates do not fit next to U's rows: they are double-buffered
        Plan b = PersistentRnn.plan(RecurrentCell.LSTM, true, 64, 512, Precision.FP32, TANH, SIG, H100);
        assertTrue(b.chunk() < 2048 && b.chunk() >= PersistentRnn.MIN_CHUNK, b.toString());
        assertTrue(PersistentRnn.sharedBytes(RecurrentCell.LSTM, true, Precision.FP32, 512, b.slice(), b.batchGroup(), 2048, 256, b.tensorCores())
                > H100.maxSharedPerBlock(), b.toString());
        // the forward may chunk by choice (staging overlaps the multiply), never beyond K
        Plan f = PersistentRnn.plan(RecurrentCell.LSTM, false, 64, 512, Precision.FP32, TANH, SIG, H100);
        assertTrue(f.chunk() <= 512, f.toString());
        // on the H200 all of K in one chunk and two halves (the copy of the second overlapping the multiply of the
        // first) measured the same, 9.52 and 9.51 us/step; four quarters 10.17: so does the model
        double whole = PersistentCostModel.stepCycles(RecurrentCell.LSTM, false, Precision.FP32, 512, 16, 16, 512, 128, 256, false);
        double halves = PersistentCostModel.stepCycles(RecurrentCell.LSTM, false, Precision.FP32, 512, 16, 16, 256, 128, 256, false);
        double quarters = PersistentCostModel.stepCycles(RecurrentCell.LSTM, false, Precision.FP32, 512, 16, 16, 128, 128, 256, false);
        assertEquals(1.0, halves / whole, 0.02, halves + " vs " + whole);
        assertTrue(quarters > 1.04 * Math.min(whole, halves), quarters + " vs " + whole + ", " + halves);
    }

    @Test
    void randomShapesGiveValidPlansOrNone() {
        SplittableRandom r = new SplittableRandom(7);
        Device[] devs = {H100, A100, new Device(86, 84, 101376), new Device(90, 8, 40000)};
        int planned = 0;
        for (int i = 0; i < 400; i++) {
            RecurrentCell c = RecurrentCell.values()[r.nextInt(3)];
            Precision p = Precision.values()[r.nextInt(3)];
            int b = 1 + r.nextInt(128);
            int h = 4 * (1 + r.nextInt(400));
            Device d = devs[r.nextInt(devs.length)];
            for (boolean bwd : new boolean[] {false, true}) {
                Plan pl = PersistentRnn.plan(c, bwd, b, h, p, TANH, SIG, d);
                if (pl != null) {
                    checkPlan(pl, d);
                    planned++;
                }
            }
        }
        assertTrue(planned > 200, "too few shapes fit: " + planned);
    }

    @Test
    void fallsBackWhereTheKernelCannotRun() {
        // units not a multiple of 4: rows of h are not 16-byte aligned for cp.async
        assertNull(PersistentRnn.plan(RecurrentCell.LSTM, false, 8, 30, Precision.FP32, TANH, SIG, H100));
        // no cp.async before sm_80
        assertNull(PersistentRnn.plan(RecurrentCell.LSTM, false, 8, 32, Precision.FP32, TANH, SIG, new Device(75, 40, 65536)));
        // softmax is not an elementwise cell activation
        assertNull(PersistentRnn.plan(RecurrentCell.SIMPLE_RNN, false, 8, 32, Precision.FP32, Activation.SOFTMAX, SIG, H100));
        // gelu and swish gates keep their pre-activations: the per-step kernels take them, either way round
        for (boolean bwd : new boolean[] {false, true}) {
            assertNull(PersistentRnn.plan(RecurrentCell.SIMPLE_RNN, bwd, 8, 32, Precision.FP32, Activation.GELU, Activation.GELU, H100));
            assertNull(PersistentRnn.plan(RecurrentCell.LSTM, bwd, 8, 32, Precision.FP32, TANH, Activation.SWISH, H100));
            assertNull(PersistentRnn.plan(RecurrentCell.GRU, bwd, 8, 32, Precision.FP32, Activation.SWISH, SIG, H100));
            assertNotNull(PersistentRnn.plan(RecurrentCell.GRU, bwd, 8, 32, Precision.FP32, TANH, SIG, H100));
            // so do Keras 3's relu6 to sparse_sigmoid
            for (Activation a : Activation.values()) {
                if (a.code() < Activation.RELU6.code()) continue;
                assertNull(PersistentRnn.plan(RecurrentCell.LSTM, bwd, 8, 32, Precision.FP32, a, SIG, H100), a.kerasName());
                assertNull(PersistentRnn.plan(RecurrentCell.GRU, bwd, 8, 32, Precision.FP32, TANH, a, H100), a.kerasName());
            }
        }
        // U of LSTM H=2048 is 64 MiB in fp32: more than all SMs' shared memory together
        assertNull(PersistentRnn.plan(RecurrentCell.LSTM, false, 8, 2048, Precision.FP32, TANH, SIG, H100));
        assertFalse(PersistentRnn.fits(RecurrentCell.LSTM, 8, 2048, Precision.FP32, 232448, 132));
        // nor does anything fit in no shared memory
        assertNull(PersistentRnn.plan(RecurrentCell.SIMPLE_RNN, false, 1, 4, Precision.FP32, TANH, SIG, new Device(90, 132, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.plan(RecurrentCell.SIMPLE_RNN, false, 0, 4, Precision.FP32, TANH, SIG, H100));
    }

    @Test
    void bf16HalvesUAndFitsWiderLayersThanFp32() {
        int widestFp32 = 0, widestBf16 = 0;
        for (int h = 256; h <= 2048; h += 64) {
            if (PersistentRnn.plan(RecurrentCell.LSTM, false, 32, h, Precision.FP32, TANH, SIG, H100) != null) widestFp32 = h;
            if (PersistentRnn.plan(RecurrentCell.LSTM, false, 32, h, Precision.BF16, TANH, SIG, H100) != null) widestBf16 = h;
        }
        assertTrue(widestFp32 >= 512, "fp32 " + widestFp32);
        assertTrue(widestBf16 > widestFp32, "bf16 " + widestBf16 + " vs fp32 " + widestFp32);
        // the W region is exactly half
        long f = PersistentRnn.sharedBytes(RecurrentCell.LSTM, false, Precision.FP32, 512, 16, 16, 512, 256, false);
        long b = PersistentRnn.sharedBytes(RecurrentCell.LSTM, false, Precision.BF16, 512, 16, 16, 512, 256, false);
        assertEquals(512L * 64 * 2, f - b);
    }

    @Test
    void sharedLayoutByHand() {
        // LSTM forward, H=512, slice 16, 16 rows, whole K staged, 256 threads:
        // W 512*64*4 = 131072; A 1*16*516*4 = 33024; tiles 4*16 = 64 -> KS 4: red 4*16*64*4 = 16384;
        // own 2*4*16*16*4 = 8192; mask 2*16*4 = 128; state (h, c) 2*256*4 = 2048
        assertEquals(131072 + 33024 + 16384 + 8192 + 128 + 2048,
                PersistentRnn.sharedBytes(RecurrentCell.LSTM, false, Precision.FP32, 512, 16, 16, 512, 256, false));
        // GRU backward, H=20, slice 8, 3 rows, chunk 24 (K = 60 -> 3 chunks, double buffer), 48 threads:
        // W 60*8*4 = 1920; A 2*4*28*4 = 896; tiles 1*2 = 2 -> KS 24: red 24*4*8*4 = 3072;
        // own 2*6*3*8*4 = 1152; mask 2*4*4 = 32; state 3*8*4 = 96
        assertEquals(1920 + 896 + 3072 + 1152 + 32 + 96,
                PersistentRnn.sharedBytes(RecurrentCell.GRU, true, Precision.FP32, 20, 8, 3, 24, 48, false));
        // RNN forward in BF16, H=12, slice 4, 1 row, 32 threads: W 12*4*2 = 96 (bf16); A 4*16*4 = 256;
        // 1 tile -> KS 32: red 32*4*4*4 = 2048; own 2*1*1*4*4 = 32; mask 32; state 4 floats = 16
        assertEquals(96 + 256 + 2048 + 32 + 32 + 16,
                PersistentRnn.sharedBytes(RecurrentCell.SIMPLE_RNN, false, Precision.BF16, 12, 4, 1, 12, 32, false));
        // Tensor cores, LSTM forward FP32, H=512, slice 16, 16 rows, chunk 256 (2 chunks), 256 threads:
        // W^T 64 x ldw 516 (512 padded to 4 mod 32) x 4 = 132096; A 2 x 16 x 260 x 4 = 33280; 8 warp tiles
        // for 8 warps -> KS 1: red 16*64*4 = 4096; own 8192; mask 128; state 2048
        assertEquals(132096 + 33280 + 4096 + 8192 + 128 + 2048,
                PersistentRnn.sharedBytes(RecurrentCell.LSTM, false, Precision.FP32, 512, 16, 16, 256, 256, true));
        // BF16 tensor cores keep U transposed in bf16: GRU backward H=32 slice 8 (K = 96 -> ldw 136):
        // W 8 x 136 x 2 = 2176; A (chunk 96 -> lda 104) 1 x 16 x 104 x 4 = 6656; 1 warp tile, 2 warps -> KS 2:
        // red 2 x 16 x 8 x 4 = 1024; own 2*6*3*8*4 = 1152; mask 2*16*4 = 128; state 24*4 = 96
        assertEquals(2176 + 6656 + 1024 + 1152 + 128 + 96,
                PersistentRnn.sharedBytes(RecurrentCell.GRU, true, Precision.BF16, 32, 8, 3, 96, 64, true));
    }

    @Test
    void kernelNamesMatchTheCudaSource() {
        assertEquals("jrnn_persist_lstm_fwd_fp32", PersistentRnn.kernelName(RecurrentCell.LSTM, false, Precision.FP32, false));
        assertEquals("jrnn_persist_gru_bwd_bf16", PersistentRnn.kernelName(RecurrentCell.GRU, true, Precision.BF16, false));
        assertEquals("jrnn_persist_rnn_fwd_tf32_tc", PersistentRnn.kernelName(RecurrentCell.SIMPLE_RNN, false, Precision.TF32, true));
    }

    @Test
    void manualPlansRejectWhatThePlanOkGuardWouldRefuse() {
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.FP32, 4, 16, 6, 1, 16, 32, false));
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.FP32, 4, 16, 4, 1, 6, 32, false));
        // 64 rows x 16 columns = 64 tiles > 32 threads
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.FP32, 64, 16, 4, 64, 16, 32, false));
        // tensor cores: slices of 8 units, whole warps, K and chunks in whole mma steps (16 for BF16)
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.FP32, 4, 16, 4, 1, 16, 64, true));
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.FP32, 4, 16, 8, 1, 16, 48, true));
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.BF16, 4, 24, 8, 1, 24, 64, true));
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.BF16, 4, 32, 8, 1, 24, 64, true));
        // 4 warps holding 16 warp tiles (64 rows x 32 columns / (16 x 8)) would need 4 each: allowed; 2 warps not
        PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.FP32, 64, 32, 8, 64, 32, 128, true);
        assertThrows(IllegalArgumentException.class,
                () -> PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.FP32, 64, 32, 8, 64, 32, 64, true));
        Plan p = PersistentRnn.manualPlan(RecurrentCell.LSTM, false, Precision.FP32, 5, 20, 8, 2, 8, 32, false);
        assertEquals(3, p.gridX());
        assertEquals(3, p.gridY());
    }

    @Test
    void variantPolicyRestrictsThePlans() {
        for (boolean bwd : new boolean[] {false, true}) {
            Plan f = PersistentRnn.plan(RecurrentCell.LSTM, bwd, 64, 512, Precision.FP32, TANH, SIG, H100, 256,
                    PersistentRnn.Variant.FFMA);
            Plan t = PersistentRnn.plan(RecurrentCell.LSTM, bwd, 64, 512, Precision.FP32, TANH, SIG, H100, 256,
                    PersistentRnn.Variant.TENSOR_CORES);
            Plan a = PersistentRnn.plan(RecurrentCell.LSTM, bwd, 64, 512, Precision.FP32, TANH, SIG, H100, 256,
                    PersistentRnn.Variant.AUTO);
            checkPlan(f, H100);
            checkPlan(t, H100);
            assertFalse(f.tensorCores(), f.toString());
            assertTrue(t.tensorCores(), t.toString());
            assertEquals(Math.min(f.stepCycles(), t.stepCycles()), a.stepCycles(), 1e-9, a.toString());
        }
        // tensor cores need slices of 8 units: H = 12 plans only FFMA
        assertNull(PersistentRnn.plan(RecurrentCell.SIMPLE_RNN, false, 4, 12, Precision.FP32, TANH, SIG, H100, 256,
                PersistentRnn.Variant.TENSOR_CORES));
        assertNotNull(PersistentRnn.plan(RecurrentCell.SIMPLE_RNN, false, 4, 12, Precision.FP32, TANH, SIG, H100, 256,
                PersistentRnn.Variant.AUTO));
    }

    @Test
    void alignmentCheck() {
        assertTrue(PersistentRnn.aligned(0, 16, 4096));
        assertFalse(PersistentRnn.aligned(16, 20));
    }

    @Test
    void deviceTableByComputeCapability() {
        assertEquals(232448, Device.of(90, 132).maxSharedPerBlock());
        assertEquals(166912, Device.of(80, 108).maxSharedPerBlock());
        assertEquals(101376, Device.of(89, 128).maxSharedPerBlock());
        assertEquals(0, Device.of(75, 40).maxSharedPerBlock());
    }

    /**
     * With work on two streams, CudaBackend plans persistent grids for half of the device (shareDevice), so
     * that one grid per stream is always resident at once: those plans stay within half of the SMs and
     * exist for the small-batch shapes the persistent path is for.
     */
    @org.junit.jupiter.api.Test
    void halfDevicePlansFitTwoGridsSideBySide() {
        PersistentRnn.Device full = PersistentRnn.Device.of(90, 132), half = PersistentRnn.Device.of(90, 66);
        for (RecurrentCell cell : RecurrentCell.values()) {
            for (int[] bh : new int[][] {{4, 256}, {16, 128}, {32, 256}, {8, 512}}) {
                for (boolean bwd : new boolean[] {false, true}) {
                    PersistentRnn.Plan f = PersistentRnn.plan(cell, bwd, bh[0], bh[1], dev.jrnn.backend.Precision.FP32,
                            dev.jrnn.backend.Activation.TANH, dev.jrnn.backend.Activation.SIGMOID, full);
                    PersistentRnn.Plan h = PersistentRnn.plan(cell, bwd, bh[0], bh[1], dev.jrnn.backend.Precision.FP32,
                            dev.jrnn.backend.Activation.TANH, dev.jrnn.backend.Activation.SIGMOID, half);
                    String what = cell + (bwd ? " bwd" : " fwd") + " B=" + bh[0] + " H=" + bh[1];
                    org.junit.jupiter.api.Assertions.assertNotNull(f, what + " fits the whole device");
                    org.junit.jupiter.api.Assertions.assertNotNull(h, what + " fits half of it");
                    org.junit.jupiter.api.Assertions.assertTrue(h.ctas() <= 66, what + ": " + h);
                    if (f.ctas() <= 66) org.junit.jupiter.api.Assertions.assertEquals(f, h, what + ": a plan within half is kept");
                }
            }
        }
    }
}
