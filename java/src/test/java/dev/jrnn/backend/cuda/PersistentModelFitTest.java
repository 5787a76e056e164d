package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Precision;
import dev.jrnn.backend.cuda.PersistentModelFit.Row;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cuda.PersistentRnn.Device;
import dev.jrnn.backend.cuda.PersistentRnn.Plan;
import dev.jrnn.backend.cuda.PersistentRnnBench.Pick;
import dev.jrnn.backend.cuda.PersistentRnnBench.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PersistentModelFit's reading and writing of data: the data lines PersistentRnnBench prints (every plan the bench
 * times reads back as the row of its split, with the bench's model time), whole logs, malformed lines, and the
 * resource's CSV form. No GPU needed.
 */
class PersistentModelFitTest {
    static final Device H200 = PersistentModelFit.H200;

    @Test
    void planLinesReadBackAsTheRowsOfTheirSplit() {
        int n = 0;
        for (Shape s : PersistentRnnBench.SHAPES) {
            for (boolean bwd : new boolean[] {false, true}) {
                for (Pick pk : PersistentRnnBench.selection(s.cell(), bwd, s.batch(), s.units(), s.precision(), H200)) {
                    Plan p = pk.plan();
                    double us = 3.25 + n * 0.001;
                    String line = PersistentRnnBench.planLine("picks", p, s.steps(), us, pk.role(), pk.rank(), 12.5);
                    Row r = PersistentModelFit.parseBenchLine(line, "run5");
                    assertNotNull(r, line);
                    assertEquals(new Row(s.cell(), s.precision(), bwd, s.batch(), s.units(), s.steps(),
                            p.tensorCores() ? "tc" : "ffma", p.gridX(), p.gridY(), p.slice(), p.batchGroup(), p.chunk(),
                            Math.round(us * 1000) / 1000.0, "run5:picks"), r, line);
                    // the fit's model of the row is the bench's prediction (same split, same constants)
                    assertEquals(PersistentRnnBench.modelUs(p), r.predictedUs(PersistentCostModel.H200_FIT), 1e-9, line);
                    assertTrue(line.contains(String.format(Locale.ROOT, "model=%.3f", PersistentRnnBench.modelUs(p))), line);
                    // and the resource's CSV form reads back to the same row (us to 2 decimals)
                    Row back = PersistentModelFit.parseCsvLine(PersistentModelFit.csvLine(r));
                    assertEquals(r.split(), back.split());
                    assertEquals(r.slice(), back.slice());
                    assertEquals(r.batchGroup(), back.batchGroup());
                    assertEquals(r.measuredUs(), back.measuredUs(), 0.005 + 1e-9);
                    n++;
                }
            }
        }
        assertTrue(n > 100, "plan lines " + n);
    }

    @Test
    void stepLinesAndAWholeLogParse() {
        Shape s = PersistentRnnBench.SHAPES.get(0);
        Plan p = PersistentRnnBench.selection(s.cell(), false, s.batch(), s.units(), s.precision(), H200).get(0).plan();
        List<String> log = new ArrayList<>(List.of(
                "WARNING: Using incubator modules: jdk.incubator.vector",
                "device: NVIDIA H200, 132 SMs, Device[computeCapability=90, multiprocessors=132, maxSharedPerBlock=232448]",
                "data lines: plan|step section cell precision direction key=value..., us per step;",
                PersistentRnnBench.planLine("picks", p, 100, 9.5814, "auto", 1, 11.0),
                "# not launched (not co-resident): " + p,
                PersistentRnnBench.stepLine("picks", s, true, 20.123, 33.3),
                "summary, us per step (pick = AUTO ...):",
                "  plan picks lstm fp32 fwd B=64 H=512 T=100 (indented: not a data line)",
                "lstm fp32 B=64 H=512 T=100      fwd |   18.80 ffma 32x4/256         9.58    9.74    9.58   14.96  0.51x |    24.1"));
        List<Row> rows = PersistentModelFit.parseBenchLog(log, "run5");
        assertEquals(2, rows.size());
        assertEquals(9.581, rows.get(0).measuredUs(), 0.0);
        Row step = rows.get(1);
        assertEquals(new Row(RecurrentCell.LSTM, Precision.FP32, true, 64, 512, 100, "step", 0, 0, 0, 0, 0, 20.123, "run5:picks"), step);
        assertFalse(step.persistent());
        assertEquals("lstm,fp32,bwd,64,512,100,step,,,,,,20.12,run5:picks", PersistentModelFit.csvLine(step));
    }

    /** The CSV writer reproduces every line of the resource from its row. */
    @Test
    void csvLinesOfTheResourceRoundTrip() throws Exception {
        List<String> lines;
        try (var in = PersistentModelFit.class.getResourceAsStream(PersistentModelFit.RESOURCE)) {
            lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).skip(1).toList();
        }
        assertEquals(308, lines.size());
        for (String l : lines) assertEquals(l, PersistentModelFit.csvLine(PersistentModelFit.parseCsvLine(l)));
    }

    @Test
    void malformedDataLinesAreRejectedWithTheLine() {
        String good = "plan picks lstm fp32 fwd B=64 H=512 T=100 variant=ffma grid=32x4 slice=16 rows=16 chunk=256 "
                + "measured=9.581 model=9.738 role=auto rank=1 warm=12.3";
        assertNotNull(PersistentModelFit.parseBenchLine(good, "run5"));
        Map<String, String> bad = Map.of(
                "grid=32x4", "grid=31x4",            // not ceil(H / slice)
                "rows=16", "rows=8",                 // gridY not ceil(B / rows)
                "variant=ffma", "variant=sgemm",
                "measured=9.581", "measured=-1",
                "chunk=256 ", "",                    // missing field
                "lstm fp32", "lstm fp64",
                " fwd ", " up ",
                "B=64", "B=sixty-four",
                "T=100", "T=100 T=50");              // a field twice
        bad.forEach((from, to) -> {
            String line = good.replace(from, to);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PersistentModelFit.parseBenchLine(line, "run5"), line);
            assertTrue(e.getMessage().contains("parseBenchLine") && e.getMessage().contains(line), e.getMessage());
        });
        assertThrows(IllegalArgumentException.class,
                () -> PersistentModelFit.parseBenchLine(good, "run 5"));
        assertNull(PersistentModelFit.parseBenchLine("planner: " + good, "run5"));
        assertNull(PersistentModelFit.parseBenchLine(" " + good, "run5"));
    }

}
