package dev.jrnn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Atomic saves go through an owner-only temp file; the saved file must not stay owner-only. */
class AtomicFilesPermissionsTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileIsWorldReadableAndAReplacedFileKeepsItsPermissions() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
        Path f = dir.resolve("w.safetensors");
        AtomicFiles.write(f, out -> out.write(new byte[] {1, 2, 3}));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));

        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.write(f, out -> out.write(new byte[] {4, 5}));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(f));
    }
}
