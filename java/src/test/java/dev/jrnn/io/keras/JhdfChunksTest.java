package dev.jrnn.io.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ChunkedDataset;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What jrnn reads of jhdf's chunk indexes, on {@code hostile/fill_budget.h5} and {@code hostile/gzip_claims.h5} (their
 * generators beside them print each dataset's stored bytes, as h5py counts them). The count goes through a protected
 * jhdf method by reflection: a jhdf without it fails here first, loudly, and in a load as a LinkageError, not as a
 * damaged file.
 */
class JhdfChunksTest {
    private static Path resource(String name) throws URISyntaxException {
        return Path.of(JhdfChunksTest.class.getResource("/dev/jrnn/io/keras/hostile/" + name).toURI());
    }

    @Test
    void countsTheChunksAnIndexHolds() throws Exception {
        try (HdfFile h = new HdfFile(resource("fill_budget.h5"))) {
            assertEquals(1, JhdfChunks.present((ChunkedDataset) h.getDatasetByPath("partly_gzip")));   // of a 5 x 5 grid
        }
        try (HdfFile h = new HdfFile(resource("gzip_claims.h5"))) {
            assertEquals(1, JhdfChunks.present((ChunkedDataset) h.getDatasetByPath("small")));
        }
    }

    @Test
    void aGzipChunkDecodesToAtMost1032TimesItsBytesAndAtMostTheFilesBytesAreCounted() throws Exception {
        Path f = resource("gzip_claims.h5");
        try (HdfFile h = new HdfFile(f)) {
            ChunkedDataset small = (ChunkedDataset) h.getDatasetByPath("small");
            assertEquals(69, small.getStorageInBytes());   // as h5py's get_storage_size
            assertEquals(69, JhdfChunks.stored(small, Files.size(f)));
            assertEquals(69 * 1032, JhdfChunks.decodable(small, 69, Files.size(f), 48000));
            assertEquals(10 * 1032, JhdfChunks.decodable(small, 69, 10, 48000));   // at most the file's bytes are counted
            assertThrows(KerasFormatException.class, () -> JhdfChunks.stored(small, 100));   // its chunk lies past byte 100
        }
    }

    @Test
    void aJhdfWithoutTheIndexMethodIsALinkageErrorNamingIt() throws Exception {
        try (HdfFile h = new HdfFile(resource("fill_budget.h5"))) {
            ChunkedDataset d = (ChunkedDataset) h.getDatasetByPath("partly_gzip");
            LinkageError e = assertThrows(LinkageError.class, () -> JhdfChunks.present(d, io.jhdf.dataset.chunked.ChunkedDatasetBase.class, "getChunkIndex"));
            assertTrue(e.getMessage().startsWith("jhdf's chunk index is not reachable (io.jhdf.dataset.chunked.ChunkedDatasetBase"
                    + ".getChunkIndex(), a Map, in jhdf 0.13): this jhdf is another version than jrnn was built against"), e.getMessage());
        }
    }

    @Test
    void theChunkedDatasetsOfOneLoadDecodeToAtMost1032TimesTheFileEachCountedOnce() throws Exception {
        try (HdfFile h = new HdfFile(resource("gzip_claims.h5"))) {
            Hdf5FillBudget load = new Hdf5FillBudget(50);   // 51,600 bytes decoded per load
            load.chargeDecoded(h.getDatasetByPath("small"), 40_000);
            load.chargeDecoded(h.getDatasetByPath("small"), 40_000);   // the same dataset again: counted once
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> load.chargeDecoded(h.getDatasetByPath("claims_huge"), 20_000));
            assertEquals("dataset /claims_huge would decode to 20000 bytes, after 40000 in the file's other chunked datasets: more "
                    + "than 1032 times the file's 50 bytes (51600), refused per load: damaged", e.getMessage());
        }
    }
}
