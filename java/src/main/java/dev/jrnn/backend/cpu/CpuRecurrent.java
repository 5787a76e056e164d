package dev.jrnn.backend.cpu;

import dev.jrnn.backend.BufAt;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.Checks;
import dev.jrnn.backend.RecurrentCell;

/** One recurrent step of {@link CpuBackend}: the arguments checked, the math of {@link Cells} over row blocks. */
final class CpuRecurrent {
    private final CpuBackend be;

    CpuRecurrent(CpuBackend be) {
        this.be = be;
    }

    /** A checked span of a buffer: its array and the offset as an int (absent optional: null array). */
    record Span(float[] a, int off) {}

    /** {@code b} checked to be a buffer of this backend holding [off, off + len). */
    Span checked(String op, String what, BufAt b, long len) {
        float[] a = be.arr(op, what, BufAt.buf(b));
        return new Span(a, CpuBackend.span(op, what, a, BufAt.offset(b), len));
    }

    /** {@link #checked}, or (null, 0) when {@code b} is absent. */
    Span optional(String op, String what, BufAt b, long len) {
        return b == null ? new Span(null, 0) : checked(op, what, b, len);
    }

    /** The mask [batch] of a step, or (null, -1) when absent. */
    Span mask(String op, BufAt mask, int batch) {
        return mask == null ? new Span(null, -1) : checked(op, "mask", mask, batch);
    }

    /** Checks the config and returns batch * units. */
    static long cells(String op, CellConfig cell) {
        Checks.elementwise(op, cell.activation());
        if (cell.kind() != RecurrentCell.SIMPLE_RNN) Checks.elementwise(op, cell.recurrentActivation());
        int batch = cell.batch(), units = cell.units();
        if (batch < 0 || units < 0) {
            throw new IllegalArgumentException(op + ": batch and units must be >= 0, got batch=" + batch + " units=" + units);
        }
        return (long) batch * units;
    }

    // A switch, not RecurrentCell.select of three method references: those were three objects per step.
    void stepForward(CellConfig cell, CellStep.Forward a) {
        switch (cell.kind()) {
            case SIMPLE_RNN -> rnnStepForward(cell, a);
            case LSTM -> lstmStepForward(cell, a);
            case GRU -> {
                if (cell.resetBefore()) gruResetBeforeStepForward(cell, a);
                else gruStepForward(cell, a);
            }
        }
    }

    void stepBackward(CellConfig cell, CellStep.Backward a) {
        switch (cell.kind()) {
            case SIMPLE_RNN -> rnnStepBackward(cell, a);
            case LSTM -> lstmStepBackward(cell, a);
            case GRU -> {
                if (cell.resetBefore()) gruResetBeforeStepBackward(cell, a);
                else gruStepBackward(cell, a);
            }
        }
    }

    private void rnnStepForward(CellConfig cell, CellStep.Forward a) {
        String op = "rnnStepForward";
        long n = cells(op, cell);
        Span p = checked(op, "pre", a.gates(), n), hp = checked(op, "hPrev", a.hPrev(), n);
        Span h = checked(op, "h", a.h(), n), m = mask(op, a.mask(), cell.batch());
        Cells.forRows(cell.batch(), cell.units(), (b0, b1) -> Cells.rnnForward(cell.activation(), b0, b1, cell.units(),
                p.a, p.off, hp.a, hp.off, m.a, m.off, h.a, h.off));
    }

    private void rnnStepBackward(CellConfig cell, CellStep.Backward a) {
        String op = "rnnStepBackward";
        long n = cells(op, cell);
        Span h = checked(op, "h", a.h(), n), dn = checked(op, "dhNext", a.dhNext(), n);
        Span dp = checked(op, "dpre", a.dGates(), n), dhp = checked(op, "dhPrev", a.dhPrev(), n);
        Span dy = optional(op, "dy", a.dy(), n), m = mask(op, a.mask(), cell.batch());
        Cells.forRows(cell.batch(), cell.units(), (b0, b1) -> Cells.rnnBackward(cell.activation(), b0, b1, cell.units(),
                h.a, h.off, dn.a, dn.off, dy.a, dy.off, m.a, m.off, dp.a, dp.off, dhp.a, dhp.off, null));
    }

    private void lstmStepForward(CellConfig cell, CellStep.Forward a) {
        String op = "lstmStepForward";
        long n = cells(op, cell);
        Span g = checked(op, "gates", a.gates(), 4 * n), cp = checked(op, "cPrev", a.cPrev(), n);
        Span hp = checked(op, "hPrev", a.hPrev(), n), c = checked(op, "c", a.c(), n), h = checked(op, "h", a.h(), n);
        Span m = mask(op, a.mask(), cell.batch());
        Cells.forRows(cell.batch(), 4L * cell.units(), (b0, b1) -> Cells.lstmForward(cell.activation(),
                cell.recurrentActivation(), b0, b1, cell.units(), g.a, g.off, cp.a, cp.off, hp.a, hp.off, m.a, m.off,
                c.a, c.off, h.a, h.off));
    }

    private void lstmStepBackward(CellConfig cell, CellStep.Backward a) {
        String op = "lstmStepBackward";
        long n = cells(op, cell);
        Span g = checked(op, "gates", a.gates(), 4 * n), cp = checked(op, "cPrev", a.cPrev(), n);
        Span c = checked(op, "c", a.c(), n), dn = checked(op, "dhNext", a.dhNext(), n);
        Span dcn = checked(op, "dcNext", a.dcNext(), n), dg = checked(op, "dgates", a.dGates(), 4 * n);
        Span dcp = checked(op, "dcPrev", a.dcPrev(), n), dhp = checked(op, "dhPrev", a.dhPrev(), n);
        Span dy = optional(op, "dy", a.dy(), n), m = mask(op, a.mask(), cell.batch());
        Cells.forRows(cell.batch(), 4L * cell.units(), (b0, b1) -> Cells.lstmBackward(cell.activation(),
                cell.recurrentActivation(), b0, b1, cell.units(), g.a, g.off, cp.a, cp.off, c.a, c.off, dn.a, dn.off,
                dy.a, dy.off, dcn.a, dcn.off, m.a, m.off, dg.a, dg.off, dcp.a, dcp.off, dhp.a, dhp.off, null));
    }

    private void gruStepForward(CellConfig cell, CellStep.Forward a) {
        String op = "gruStepForward";
        long n = cells(op, cell);
        Span x = checked(op, "xp", a.gates(), 3 * n), r = checked(op, "rp", a.recurrent(), 3 * n);
        Span hp = checked(op, "hPrev", a.hPrev(), n), h = checked(op, "h", a.h(), n);
        Span b = optional(op, "bRec", a.recurrentBias(), 3L * cell.units()), m = mask(op, a.mask(), cell.batch());
        Cells.forRows(cell.batch(), 3L * cell.units(), (b0, b1) -> Cells.gruForward(cell.activation(),
                cell.recurrentActivation(), b0, b1, cell.units(), x.a, x.off, r.a, r.off, b.a, b.off, hp.a, hp.off,
                m.a, m.off, h.a, h.off));
    }

    private void gruStepBackward(CellConfig cell, CellStep.Backward a) {
        String op = "gruStepBackward";
        long n = cells(op, cell);
        Span x = checked(op, "xp", a.gates(), 3 * n), r = checked(op, "rp", a.recurrent(), 3 * n);
        Span hp = checked(op, "hPrev", a.hPrev(), n), dn = checked(op, "dhNext", a.dhNext(), n);
        Span dx = checked(op, "dxp", a.dGates(), 3 * n), dr = checked(op, "drp", a.dRecurrent(), 3 * n);
        Span dhp = checked(op, "dhPrev", a.dhPrev(), n);
        Span dy = optional(op, "dy", a.dy(), n), m = mask(op, a.mask(), cell.batch());
        Cells.forRows(cell.batch(), 3L * cell.units(), (b0, b1) -> Cells.gruBackward(cell.activation(),
                cell.recurrentActivation(), b0, b1, cell.units(), x.a, x.off, r.a, r.off, hp.a, hp.off, dn.a, dn.off,
                dy.a, dy.off, m.a, m.off, dx.a, dx.off, dr.a, dr.off, dhp.a, dhp.off, null));
    }

    /** GRU reset-before: the gates, resetState · U_h (U's h columns, ld 3H) into xp's h column, the output. */
    private void gruResetBeforeStepForward(CellConfig cell, CellStep.Forward a) {
        String op = "gruStepForward";
        long n = cells(op, cell);
        int batch = cell.batch(), units = cell.units();
        Span x = checked(op, "xp", a.gates(), 3 * n), rs = checked(op, "resetState", a.recurrent(), n);
        Span hp = checked(op, "hPrev", a.hPrev(), n), h = checked(op, "h", a.h(), n);
        checked(op, "recurrentKernel", a.recurrentKernel(), 3L * units * units);
        Span m = mask(op, a.mask(), cell.batch());
        Cells.forRows(batch, 2L * units, (b0, b1) -> Cells.gruResetGates(cell.recurrentActivation(), b0, b1, units,
                x.a, x.off, hp.a, hp.off, rs.a, rs.off));
        if (n > 0) {
            be.gemm(false, false, batch, units, units, 1f, a.recurrent().buf(), a.recurrent().offset(), units,
                    a.recurrentKernel().buf(), a.recurrentKernel().offset() + 2L * units, 3 * units, 1f,
                    a.gates().buf(), a.gates().offset() + 2L * units, 3 * units);
        }
        Cells.forRows(batch, 2L * units, (b0, b1) -> Cells.gruResetOutput(cell.activation(), cell.recurrentActivation(), b0, b1, units,
                x.a, x.off, hp.a, hp.off, m.a, m.off, h.a, h.off));
    }

    /** GRU reset-before backward: dz, dh and g * z; dResetState = dh · U_h^T; then dr and dResetState * r. */
    private void gruResetBeforeStepBackward(CellConfig cell, CellStep.Backward a) {
        String op = "gruStepBackward";
        long n = cells(op, cell);
        int batch = cell.batch(), units = cell.units();
        Span x = checked(op, "xp", a.gates(), 3 * n), hp = checked(op, "hPrev", a.hPrev(), n);
        Span dn = checked(op, "dhNext", a.dhNext(), n), dx = checked(op, "dxp", a.dGates(), 3 * n);
        Span drs = checked(op, "dResetState", a.dRecurrent(), n), dhp = checked(op, "dhPrev", a.dhPrev(), n);
        checked(op, "recurrentKernel", a.recurrentKernel(), 3L * units * units);
        Span dy = optional(op, "dy", a.dy(), n), m = mask(op, a.mask(), cell.batch());
        if (x.a == dx.a && x.off == dx.off) throw new IllegalArgumentException(op + ": dxp must not alias xp for a reset-before GRU");
        Cells.forRows(batch, 3L * units, (b0, b1) -> Cells.gruResetBackwardOutput(cell.activation(),
                cell.recurrentActivation(), b0, b1, units, x.a, x.off, hp.a, hp.off, dn.a, dn.off, dy.a, dy.off,
                m.a, m.off, dx.a, dx.off, dhp.a, dhp.off));
        if (n > 0) {
            be.gemm(false, true, batch, units, units, 1f, a.dGates().buf(), a.dGates().offset() + 2L * units, 3 * units,
                    a.recurrentKernel().buf(), a.recurrentKernel().offset() + 2L * units, 3 * units, 0f,
                    a.dRecurrent().buf(), a.dRecurrent().offset(), units);
        }
        Cells.forRows(batch, 2L * units, (b0, b1) -> Cells.gruResetBackwardGate(cell.recurrentActivation(), b0, b1,
                units, x.a, x.off, hp.a, hp.off, drs.a, drs.off, m.a, m.off, dx.a, dx.off, dhp.a, dhp.off));
    }
}
