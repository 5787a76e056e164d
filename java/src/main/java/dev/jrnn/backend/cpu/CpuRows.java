package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;

import static dev.jrnn.backend.cpu.CpuBackend.span;

/** The CPU backend's row gathers (an embedding's lookup) and scatter-adds (its gradient), ids checked before anything is written. */
final class CpuRows {
    private CpuRows() {}

    static int index(String op, float v, int i, long rows) {
        int id = (int) v;
        if (id != v || id < 0 || id >= rows) {
            throw new IllegalArgumentException(op + ": index " + v + " at position " + i
                    + " is not an integer in [0, " + rows + ")");
        }
        return id;
    }

    static void gatherRows(CpuBackend be, int n, int dim, Buf idx, long idxOff, Buf table, long tableOff, Buf out, long outOff) {
        String op = "gatherRows";
        Checks.rows(op, n, dim);
        float[] is = be.arr(op, "idx", idx), ts = be.arr(op, "table", table), os = be.arr(op, "out", out);
        int io = span(op, "idx", is, idxOff, n), oo = span(op, "out", os, outOff, (long) n * dim);
        int to = span(op, "table", ts, tableOff, 0);
        long rows = (ts.length - to) / dim;
        for (int i = 0; i < n; i++) {
            int id = index(op, is[io + i], i, rows);
            System.arraycopy(ts, to + id * dim, os, oo + i * dim, dim);
        }
    }

    static void scatterAddRows(CpuBackend be, int n, int dim, Buf idx, long idxOff, Buf dOut, long dOutOff, Buf dTable, long dTableOff) {
        String op = "scatterAddRows";
        Checks.rows(op, n, dim);
        float[] is = be.arr(op, "idx", idx), ds = be.arr(op, "dOut", dOut), ts = be.arr(op, "dTable", dTable);
        int io = span(op, "idx", is, idxOff, n), dof = span(op, "dOut", ds, dOutOff, (long) n * dim);
        int to = span(op, "dTable", ts, dTableOff, 0);
        long rows = (ts.length - to) / dim;
        for (int i = 0; i < n; i++) index(op, is[io + i], i, rows);   // validate all before writing anything
        for (int i = 0; i < n; i++) {
            int base = to + (int) is[io + i] * dim, src = dof + i * dim;
            for (int j = 0; j < dim; j++) ts[base + j] += ds[src + j];
        }
    }
}
