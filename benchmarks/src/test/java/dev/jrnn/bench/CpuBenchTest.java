package dev.jrnn.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    @Test
    void torchLogNotesKeepVersionsBlasAndChecks(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("torch_cpu.log");
        Files.writeString(log, "torch 1.13 (CPU), AMD EPYC, 2 cores; threads [1, 2]\nBLAS: OpenBLAS (x)\n"
                + "impl\tcell\n# equal work lstm 32x50x128x128: params jrnn=1 torch=1\ntorch\tlstm\t32\n");
        assertEquals(List.of("PyTorch peer: torch 1.13 (CPU), AMD EPYC, 2 cores; threads [1, 2]", "PyTorch peer: BLAS: OpenBLAS (x)",
                "equal work lstm 32x50x128x128: params jrnn=1 torch=1"), CpuBench.torchNotes(log));
    }
}
