package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellSequence;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.Checks;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.Settings;
import java.util.function.BiConsumer;

/**
 * The recurrent operations of {@link CudaBackend}: one step of a cell (cuBLAS has done the GEMMs; the fused step
 * kernels of rnn.cu, lstm.cu and gru.cu do the rest) and whole sequences on the persistent kernels
 * ({@link PersistentRnn}), for the batches the {@code jrnn.persistent} setting lets through.
 */
final class CudaRecurrent {
    private final CudaBackend be;
    private final CudaKernels k;
    private final int persistentMaxBatch;
    private final Settings.PersistentVariant persistentVariant;
    /** Persistent whole-sequence kernels (kernels/persistent_rnn.cu), created on first use; null when switched off. */
    private PersistentRnn persistent;

    CudaRecurrent(CudaBackend be, CudaKernels k, Settings settings) {
        this.be = be;
        this.k = k;
        this.persistentMaxBatch = persistentMaxBatch(settings.persistent());
        this.persistentVariant = settings.persistentVariant();
    }

    /**
     * The largest batch that may take the persistent whole-sequence kernels (0 = never) for the
     * {@code jrnn.persistent} setting: AUTO (default: batches of at most {@link #PERSISTENT_AUTO_MAX_BATCH} rows,
     * where one launch per sequence beats per-step launches; measured on an H200, see benchmarks/RESULTS.md),
     * ON (whenever the shape fits on chip) or OFF (always the per-step GEMM + fused-step loop).
     */
    static int persistentMaxBatch(Settings.Persistent p) {
        return switch (p) {
            case AUTO -> PERSISTENT_AUTO_MAX_BATCH;
            case ON -> Integer.MAX_VALUE;
            case OFF -> 0;
        };
    }

    /**
     * Largest batch for which "auto" takes the persistent path. At B=64, H=512 the graph-captured per-step
     * path (cuBLAS GEMM + fused step kernel) was as fast or faster on an H200; at B &lt;= 32 the persistent
     * kernels took 0.3-0.5x of its time.
     */
    static final int PERSISTENT_AUTO_MAX_BATCH = 32;

    private PersistentRnn persistent(int batch) {
        if (batch > persistentMaxBatch) return null;
        if (persistent == null) persistent = new PersistentRnn(be.driver(), k.module, PersistentRnn.variantOf(persistentVariant));
        // With work on the second stream (a forked task, or forks open beside this call), persistent grids plan
        // for half of the device, so that one on each stream always fits at once.
        persistent.shareDevice(be.forksActive());
        return persistent;
    }

    boolean sequenceSupported(CellConfig cell, int steps) {
        int batch = cell.batch(), units = cell.units();
        // the persistent kernels have the reset_after GRU only: reset-before runs the per-step path
        if (steps <= 0 || batch <= 0 || units <= 0 || cell.resetBefore()) return false;
        PersistentRnn pr = persistent(batch);
        return pr != null && pr.planFor(cell.kind(), false, batch, units, be.precision(), cell.activation(),
                cell.recurrentActivation()) != null;
    }

    boolean sequenceForward(CellConfig cell, CellSequence.Forward a) {
        int steps = a.steps(), batch = cell.batch(), units = cell.units();
        PersistentRnn pr = persistent(batch);
        if (pr == null || steps <= 0 || batch <= 0 || units <= 0 || cell.resetBefore()) return false;
        String op = "recurrentSequenceForward";
        RecurrentCell kind = cell.kind();
        int g = kind.gates() * units;
        long tb = (long) steps * batch;
        long states = (steps + 1L) * batch * units;
        boolean lstm = kind == RecurrentCell.LSTM, gru = kind == RecurrentCell.GRU;
        return pr.layerForward(kind, cell.activation(), cell.recurrentActivation(), be.precision(), steps, batch, units,
                a.hasInitial(),
                be.ptr(op, "u", a.u(), (long) units * g),
                gru ? be.ptrOrNull(op, "bRec", a.recurrentBias(), g) : 0L,
                be.ptr(op, "p", a.gates(), tb * g),
                gru ? be.ptr(op, "rp", a.recurrent(), tb * g) : 0L,
                be.ptr(op, "hs", a.hs(), states),
                lstm ? be.ptr(op, "cs", a.cs(), states) : 0L,
                be.ptrOrNull(op, "mask", a.mask(), tb), be.currentStream());
    }

    boolean sequenceBackward(CellConfig cell, CellSequence.Backward a) {
        int steps = a.steps(), batch = cell.batch(), units = cell.units();
        PersistentRnn pr = persistent(batch);
        if (pr == null || steps <= 0 || batch <= 0 || units <= 0 || cell.resetBefore()) return false;
        String op = "recurrentSequenceBackward";
        RecurrentCell kind = cell.kind();
        int g = kind.gates() * units;
        long tb = (long) steps * batch;
        long bh = (long) batch * units;
        long states = (steps + 1L) * batch * units;
        boolean lstm = kind == RecurrentCell.LSTM, gru = kind == RecurrentCell.GRU;
        boolean rnn = kind == RecurrentCell.SIMPLE_RNN;
        return pr.layerBackward(kind, cell.activation(), cell.recurrentActivation(), be.precision(), steps, batch, units,
                a.tbptt(), a.hasInitial(),
                be.ptr(op, "u", a.u(), (long) units * g),
                rnn ? 0L : be.ptr(op, "p", a.gates(), tb * g),
                gru ? be.ptr(op, "rp", a.recurrent(), tb * g) : 0L,
                be.ptr(op, "hs", a.hs(), states),
                lstm ? be.ptr(op, "cs", a.cs(), states) : 0L,
                be.ptrOrNull(op, "mask", a.mask(), tb),
                be.ptrOrNull(op, "dy", a.dy(), tb * units),
                be.ptr(op, "dh", a.dh(), bh),
                lstm ? be.ptr(op, "dc", a.dc(), bh) : 0L,
                be.ptr(op, "dp", a.dGates(), tb * g),
                gru ? be.ptr(op, "drp", a.dRecurrent(), tb * g) : 0L, be.currentStream());
    }


    void stepForward(CellConfig cell, CellStep.Forward a) {
        cell.kind().<BiConsumer<CellConfig, CellStep.Forward>>select(this::rnnStepForward, this::lstmStepForward,
                cell.resetBefore() ? this::gruResetBeforeStepForward : this::gruStepForward).accept(cell, a);
    }

    void stepBackward(CellConfig cell, CellStep.Backward a) {
        cell.kind().<BiConsumer<CellConfig, CellStep.Backward>>select(this::rnnStepBackward, this::lstmStepBackward,
                cell.resetBefore() ? this::gruResetBeforeStepBackward : this::gruStepBackward).accept(cell, a);
    }

    private void rnnStepForward(CellConfig cell, CellStep.Forward a) {
        String op = "rnnStepForward";
        long n = cells(op, cell);
        Activation act = cell.activation();
        int batch = cell.batch(), units = cell.units();
        long pp = be.ptr(op, "pre", a.gates(), n);
        long hpp = be.ptrOrNull(op, "hPrev", a.hPrev(), n);
        long mp = be.ptrOrNull(op, "mask", a.mask(), batch);
        long hp = be.ptr(op, "h", a.h(), n);
        be.enter();
        if (n > 0) k.rnnStepFwd(be.g1(n), act.code(), batch, units, pp, hpp, mp, hp);
    }

    private void rnnStepBackward(CellConfig cell, CellStep.Backward a) {
        String op = "rnnStepBackward";
        long n = cells(op, cell);
        Activation act = cell.activation();
        int batch = cell.batch(), units = cell.units();
        long hp = be.ptr(op, "h", a.h(), n);
        long dhn = be.ptrOrNull(op, "dhNext", a.dhNext(), n);
        long dyp = be.ptrOrNull(op, "dy", a.dy(), n);
        long mp = be.ptrOrNull(op, "mask", a.mask(), batch);
        long dpp = be.ptr(op, "dpre", a.dGates(), n);
        long dhp = be.ptr(op, "dhPrev", a.dhPrev(), n);
        be.enter();
        if (n > 0) k.rnnStepBwd(be.g1(n), act.code(), batch, units, hp, dhn, dyp, mp, dpp, dhp);
    }

    private void lstmStepForward(CellConfig cell, CellStep.Forward a) {
        String op = "lstmStepForward";
        long n = cells(op, cell);
        Activation act = cell.activation(), recAct = cell.recurrentActivation();
        int batch = cell.batch(), units = cell.units();
        long gp = be.ptr(op, "gates", a.gates(), 4 * n);
        long cpp = be.ptrOrNull(op, "cPrev", a.cPrev(), n);
        long hpp = be.ptrOrNull(op, "hPrev", a.hPrev(), n);
        long mp = be.ptrOrNull(op, "mask", a.mask(), batch);
        long cp = be.ptr(op, "c", a.c(), n);
        long hp = be.ptr(op, "h", a.h(), n);
        be.enter();
        if (n > 0) k.lstmStepFwd(be.g1(n), act.code(), recAct.code(), batch, units, gp, cpp, hpp, mp, cp, hp);
    }

    private void lstmStepBackward(CellConfig cell, CellStep.Backward a) {
        String op = "lstmStepBackward";
        long n = cells(op, cell);
        Activation act = cell.activation(), recAct = cell.recurrentActivation();
        int batch = cell.batch(), units = cell.units();
        long gp = be.ptr(op, "gates", a.gates(), 4 * n);
        long cpp = be.ptrOrNull(op, "cPrev", a.cPrev(), n);
        long cp = be.ptr(op, "c", a.c(), n);
        long dhn = be.ptrOrNull(op, "dhNext", a.dhNext(), n);
        long dyp = be.ptrOrNull(op, "dy", a.dy(), n);
        long dcn = be.ptrOrNull(op, "dcNext", a.dcNext(), n);
        long mp = be.ptrOrNull(op, "mask", a.mask(), batch);
        long dgp = be.ptr(op, "dgates", a.dGates(), 4 * n);
        long dcp = be.ptr(op, "dcPrev", a.dcPrev(), n);
        long dhp = be.ptr(op, "dhPrev", a.dhPrev(), n);
        be.enter();
        if (n > 0) k.lstmStepBwd(be.g1(n), act.code(), recAct.code(), batch, units, gp, cpp, cp, dhn, dyp, dcn, mp, dgp, dcp, dhp);
    }

    private void gruStepForward(CellConfig cell, CellStep.Forward a) {
        String op = "gruStepForward";
        long n = cells(op, cell);
        Activation act = cell.activation(), recAct = cell.recurrentActivation();
        int batch = cell.batch(), units = cell.units();
        long xpp = be.ptr(op, "xp", a.gates(), 3 * n);
        long rpp = be.ptr(op, "rp", a.recurrent(), 3 * n);
        long bp = be.ptrOrNull(op, "bRec", a.recurrentBias(), 3L * units);
        long hpp = be.ptrOrNull(op, "hPrev", a.hPrev(), n);
        long mp = be.ptrOrNull(op, "mask", a.mask(), batch);
        long hp = be.ptr(op, "h", a.h(), n);
        be.enter();
        if (n > 0) k.gruStepFwd(be.g1(n), act.code(), recAct.code(), batch, units, xpp, rpp, bp, hpp, mp, hp);
    }

    private void gruStepBackward(CellConfig cell, CellStep.Backward a) {
        String op = "gruStepBackward";
        long n = cells(op, cell);
        Activation act = cell.activation(), recAct = cell.recurrentActivation();
        int batch = cell.batch(), units = cell.units();
        long xpp = be.ptr(op, "xp", a.gates(), 3 * n);
        long rpp = be.ptr(op, "rp", a.recurrent(), 3 * n);
        long hpp = be.ptrOrNull(op, "hPrev", a.hPrev(), n);
        long dhn = be.ptrOrNull(op, "dhNext", a.dhNext(), n);
        long dyp = be.ptrOrNull(op, "dy", a.dy(), n);
        long mp = be.ptrOrNull(op, "mask", a.mask(), batch);
        long dxpp = be.ptr(op, "dxp", a.dGates(), 3 * n);
        long drpp = be.ptr(op, "drp", a.dRecurrent(), 3 * n);
        long dhp = be.ptr(op, "dhPrev", a.dhPrev(), n);
        be.enter();
        if (n > 0) k.gruStepBwd(be.g1(n), act.code(), recAct.code(), batch, units, xpp, rpp, hpp, dhn, dyp, mp, dxpp, drpp, dhp);
    }

    /** GRU reset-before: the gates kernel, cuBLAS adds resetState · U[:, 2H:] to xp's h column, the output kernel. */
    private void gruResetBeforeStepForward(CellConfig cell, CellStep.Forward a) {
        String op = "gruStepForward";
        long n = cells(op, cell);
        Activation act = cell.activation(), recAct = cell.recurrentActivation();
        int batch = cell.batch(), units = cell.units();
        long xpp = be.ptr(op, "xp", a.gates(), 3 * n);
        long rsp = be.ptr(op, "resetState", a.recurrent(), n);
        be.ptr(op, "recurrentKernel", a.recurrentKernel(), 3L * units * units);
        long hpp = be.ptrOrNull(op, "hPrev", a.hPrev(), n);
        long mp = be.ptrOrNull(op, "mask", a.mask(), batch);
        long hp = be.ptr(op, "h", a.h(), n);
        be.enter();
        if (n == 0) return;
        k.gruRbGatesFwd(be.g1(n), recAct.code(), batch, units, xpp, hpp, rsp);
        be.gemm(false, false, batch, units, units, 1f, a.recurrent().buf(), a.recurrent().offset(), units,
                a.recurrentKernel().buf(), a.recurrentKernel().offset() + 2L * units, 3 * units, 1f,
                a.gates().buf(), a.gates().offset() + 2L * units, 3 * units);
        k.gruRbOutFwd(be.g1(n), act.code(), recAct.code(), batch, units, xpp, hpp, mp, hp);
    }

    /** GRU reset-before backward: first-half kernel, cuBLAS dResetState = dh · U[:, 2H:]^T, second-half kernel. */
    private void gruResetBeforeStepBackward(CellConfig cell, CellStep.Backward a) {
        String op = "gruStepBackward";
        long n = cells(op, cell);
        Activation act = cell.activation(), recAct = cell.recurrentActivation();
        int batch = cell.batch(), units = cell.units();
        long xpp = be.ptr(op, "xp", a.gates(), 3 * n);
        be.ptr(op, "recurrentKernel", a.recurrentKernel(), 3L * units * units);
        long hpp = be.ptrOrNull(op, "hPrev", a.hPrev(), n);
        long dhn = be.ptrOrNull(op, "dhNext", a.dhNext(), n);
        long dyp = be.ptrOrNull(op, "dy", a.dy(), n);
        long mp = be.ptrOrNull(op, "mask", a.mask(), batch);
        long dxpp = be.ptr(op, "dxp", a.dGates(), 3 * n);
        long drsp = be.ptr(op, "dResetState", a.dRecurrent(), n);
        long dhp = be.ptr(op, "dhPrev", a.dhPrev(), n);
        if (xpp == dxpp) throw new IllegalArgumentException(op + ": dxp must not alias xp for a reset-before GRU");
        be.enter();
        if (n == 0) return;
        k.gruRbOutBwd(be.g1(n), act.code(), recAct.code(), batch, units, xpp, hpp, dhn, dyp, mp, dxpp, dhp);
        be.gemm(false, true, batch, units, units, 1f, a.dGates().buf(), a.dGates().offset() + 2L * units, 3 * units,
                a.recurrentKernel().buf(), a.recurrentKernel().offset() + 2L * units, 3 * units, 0f,
                a.dRecurrent().buf(), a.dRecurrent().offset(), units);
        k.gruRbGateBwd(be.g1(n), recAct.code(), batch, units, xpp, hpp, drsp, mp, dxpp, dhp);
    }

    /** Checks the cell's activations (the gate activation unless SIMPLE_RNN) and sizes; returns batch * units. */
    private static long cells(String op, CellConfig cell) {
        Checks.elementwise(op, cell.activation());
        if (cell.kind() != RecurrentCell.SIMPLE_RNN) Checks.elementwise(op, cell.recurrentActivation());
        return cells(op, cell.batch(), cell.units());
    }

    private static long cells(String op, int batch, int units) {
        if (batch < 0 || units < 0) {
            throw new IllegalArgumentException(op + ": batch and units must be >= 0, got " + batch + ", " + units);
        }
        return (long) batch * units;
    }
}
