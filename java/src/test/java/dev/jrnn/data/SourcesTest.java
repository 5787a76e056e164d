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
}
