package dev.jrnn.data;

import dev.jrnn.io.FileFaults;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The columns a data set opens from files. */
class SourcesTest {
    /**
     * A safetensors column takes its layout and its mapping from one open handle: opened inside a read that holds the old
     * file while a save renames a new one (same layout, other values) over the path, it maps the old file's bytes. Before,
     * the mapping opened the path again and took the new file's.
     */
    @Test
    void aSafetensorsColumnMapsTheFileItReadTheLayoutOf(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.safetensors"), next = dir.resolve("next.safetensors");
        SafeTensors.write(file, Map.of("x", Tensor.full(1f, 2, 3)), Map.of());
        SafeTensors.write(next, Map.of("x", Tensor.full(2f, 2, 3)), Map.of());
        Column c = FileFaults.readThroughChannel(file, () -> {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Sources.safetensors(file, "x");
        });
        float[] got = new float[6];
        ((Column.Dense) c).a().copyFloats(0, 6, MemorySegment.ofArray(got), 0);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, got);
    }

    /**
     * An array over {@link ArrayData#SMALL} read far from its last read goes by position through the path, not the
     * mapping: opened inside a read that holds the old file while a same-size new one is renamed over the path, those
     * reads give the old file's values too (the path now names another file: they read the mapping). Before, the array
     * took its identity from the path after the rename, and read the new file's values at the old offsets.
     */
    @Test
    void aLargeSafetensorsColumnReadByPositionReadsTheFileItMapped(@TempDir Path dir) throws Exception {
        int rows = (int) (ArrayData.SMALL / 4096) + 16, cols = 1024;
        Path file = dir.resolve("d.safetensors"), next = dir.resolve("next.safetensors");
        SafeTensors.write(file, Map.of("x", Tensor.full(1f, rows, cols)), Map.of());
        SafeTensors.write(next, Map.of("x", Tensor.full(2f, rows, cols)), Map.of());
        Column c = FileFaults.readThroughChannel(file, () -> {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Sources.safetensors(file, "x");
        });
        ArrayData a = ((Column.Dense) c).a();
        float[] got = new float[cols];
        float[] ones = new float[cols];
        java.util.Arrays.fill(ones, 1f);
        for (long row : new long[] {0, rows - 1, rows / 2, 3}) {   // far apart: all but the first by position
            a.copyFloats(row * cols, cols, MemorySegment.ofArray(got), 0);
            assertArrayEquals(ones, got, "row " + row);
        }
    }

    /**
     * A file of another size renamed over the path right after the column's read opened it: the column holds the file
     * it opened, read once. Before, the array's stamp was taken from the path after the open, and its size differing
     * from the open file's was refused as "changed" at once (a nested read's refusal is not read again).
     */
    @Test
    void aSafetensorsColumnWhoseFileIsRenamedOverAfterItsOpenKeepsTheOpenedOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.safetensors"), next = dir.resolve("next.safetensors");
        SafeTensors.write(file, Map.of("x", Tensor.full(1f, 2, 3)), Map.of());
        SafeTensors.write(next, Map.of("x", Tensor.full(2f, 4, 3)), Map.of());
        Column c = dev.jrnn.io.FileFaultsSeam.at("opened", () -> dev.jrnn.io.FileFaultsSeam.rename(next, file),
                () -> Sources.safetensors(file, "x"));
        float[] got = new float[6];
        ArrayData a = ((Column.Dense) c).a();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {2, 3}, a.shape);
        a.copyFloats(0, 6, MemorySegment.ofArray(got), 0);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, got);
    }
}
