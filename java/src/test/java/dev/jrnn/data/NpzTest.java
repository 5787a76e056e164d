package dev.jrnn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .npz archives written by NumPy's np.savez (zip64 records) and np.savez_compressed. */
class NpzTest {
    @TempDir Path dir;

    @Test
    void mapsStoredMembersOfNumpysArchive() throws IOException {
        Path p = NpyTest.ref(dir, "stored.npz");
        Map<String, Npy.Header> h = Npz.headers(p);
        assertEquals(List.of("x", "y"), List.copyOf(h.keySet()));
        assertArrayEquals(new long[] {4, 3, 2}, h.get("x").shape());
        ArrayData x = Npz.map(p, "x");
        float[] got = new float[24];
        x.copyFloats(0, 24, java.lang.foreign.MemorySegment.ofArray(got), 0);
        assertArrayEquals(NpyTest.ramp(24), got);
    }

    /** np.load reads np.savez_compressed archives; jrnn refused them ("save with np.savez"). */
    @Test
    void readsCompressedMembersOfNumpysArchive() throws IOException {
        Path c = NpyTest.ref(dir, "compressed.npz");
        assertArrayEquals(new long[] {4, 3, 2}, Npz.headers(c).get("x").shape());
        float[] got = new float[24];
        Npz.map(c, "x").copyFloats(0, 24, java.lang.foreign.MemorySegment.ofArray(got), 0);
        assertArrayEquals(NpyTest.ramp(24), got);
        // a dataset of two compressed members, one of them big-endian int64 labels
        Path xy = NpyTest.ref(dir, "compressed_xy.npz");
        List<float[][]> b = DatasetTest.drain(Dataset.fromNpz(xy, List.of("x"), List.of("y")).asFloat32().batch(4), 0, null, null);
        assertArrayEquals(NpyTest.ramp(24), b.get(0)[0]);
        assertArrayEquals(new float[] {-3, -2, -1, 0}, b.get(0)[1]);
    }

    /** A damaged deflate stream or CRC is an IOException naming the member, not wrong numbers. */
    @Test
    void aCorruptCompressedMemberIsNamed() throws IOException {
        byte[] z = java.nio.file.Files.readAllBytes(NpyTest.ref(dir, "compressed.npz"));
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(z).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int data = 30 + bb.getShort(26) + bb.getShort(28);   // the first local header's name and extra; its data follows
        Path bad = dir.resolve("bad.npz");
        for (int k = 0; k < 60; k += 7) {
            byte[] c = z.clone();
            c[data + k] ^= 0x5a;
            java.nio.file.Files.write(bad, c);
            IOException e = assertThrows(IOException.class, () -> Npz.map(bad, "x"));
            assertTrue(e.getMessage().contains("bad.npz:x") && (e.getMessage().contains("corrupt") || e.getMessage().contains(".npy")), e.getMessage());
        }
    }

    /**
     * A compressed member whose zip directory declares 1 TiB (deflate's 1032:1 bound allows it for a 1 GB member, here a
     * sparse file): inflating it whole failed with an OutOfMemoryError naming nothing; it is an IOException naming the member
     * and size. Only its first {@code valid} inflated bytes form a real deflate stream; the rest is zeros.
     */
    @Test
    void aCompressedMemberTooLargeToInflateIsAnIOExceptionNamingIt() throws IOException {
        Path p = dir.resolve("big.npz");
        long size = hugeMember(p, (1 << 20) + 64);
        IOException e = assertThrows(IOException.class, () -> Npz.map(p, "x"));
        assertTrue(e.getMessage().contains("big.npz:x") && e.getMessage().contains(Long.toString(size)), e.getMessage());
    }

    /** headers() inflated up to 1 MiB of every compressed member; it reads only the header, so damage after it is found on load. */
    @Test
    void headersInflateOnlyTheHeaderOfACompressedMember() throws IOException {
        Path p = dir.resolve("big.npz");
        hugeMember(p, 64);
        assertArrayEquals(new long[] {1L << 38}, Npz.headers(p).get("x").shape());
        IOException e = assertThrows(IOException.class, () -> Npz.map(p, "x"));
        assertTrue(e.getMessage().contains("big.npz:x"), e.getMessage());
    }

    /** Writes a zip64 .npz whose member "x" declares float32 [2^38]; returns the member's inflated size. */
    private static long hugeMember(Path p, int zeros) throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + (1L << 38) + ",), }";
        StringBuilder h = new StringBuilder(dict);
        while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        java.io.ByteArrayOutputStream npy = new java.io.ByteArrayOutputStream();
        npy.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) h.length(), (byte) (h.length() >> 8)});
        npy.write(h.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        int headerBytes = npy.size();
        npy.write(new byte[zeros]);
        java.util.zip.Deflater d = new java.util.zip.Deflater(9, true);
        d.setInput(npy.toByteArray());
        byte[] buf = new byte[1 << 16];
        java.io.ByteArrayOutputStream c = new java.io.ByteArrayOutputStream();
        for (int n; (n = d.deflate(buf, 0, buf.length, java.util.zip.Deflater.SYNC_FLUSH)) > 0; ) c.write(buf, 0, n);
        d.end();
        long usize = headerBytes + (1L << 40), csize = usize / 1032 + 1;
        byte[] name = "x.npy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.nio.ByteBuffer local = le(30 + name.length).putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 8)
                .putInt(0).putInt(0).putInt((int) csize).putInt(-1).putShort((short) name.length).putShort((short) 0).put(name);
        long cd = 30 + name.length + csize;
        java.nio.ByteBuffer central = le(46 + name.length + 12).putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0)
                .putShort((short) 8).putInt(0).putInt(0).putInt((int) csize).putInt(-1).putShort((short) name.length).putShort((short) 12)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).put(name).putShort((short) 1).putShort((short) 8).putLong(usize);
        java.nio.ByteBuffer end = le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1)
                .putInt(central.capacity()).putInt((int) cd).putShort((short) 0);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ch.write(local.flip(), 0);
            ch.write(java.nio.ByteBuffer.wrap(c.toByteArray()), 30 + name.length);
            ch.write(central.flip(), cd);   // the gap before it stays a hole
            ch.write(end.flip(), cd + central.limit());
        }
        return usize;
    }

    private static java.nio.ByteBuffer le(int n) {
        return java.nio.ByteBuffer.allocate(n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void rejectsMissingNames() throws IOException {
        Path s = NpyTest.ref(dir, "stored.npz");
        IOException m = assertThrows(IOException.class, () -> Npz.map(s, "z"));
        assertTrue(m.getMessage().contains("no array 'z'") && m.getMessage().contains("[x, y]"), m.getMessage());
    }
    /** As {@link NpyTest#aFileRenamedOverThePathBetweenHeaderAndDataIsNotMixedIn}, for a stored member of an .npz. */
    @Test
    void anArchiveRenamedOverThePathBetweenAMembersHeaderAndDataIsNotMixedIn() throws IOException {
        Path x = dir.resolve("x.npy"), p = dir.resolve("a.npz"), other = dir.resolve("b.npz");
        float[] mine = NpyTest.ramp(1024);
        long[] theirs = new long[4096];
        for (int i = 0; i < theirs.length; i++) theirs[i] = i;
        Npy.write(x, dev.jrnn.tensor.Tensor.of(mine, 1024));
        storedNpz(p, x);
        Npy.writeInt64(x, theirs);
        storedNpz(other, x);
        NpyTest.assertOpenedOrChanged(mine, () -> {
            ArrayData a = Npz.map(p, "x");
            float[] got = new float[(int) a.shape[0]];
            a.copyFloats(0, got.length, java.lang.foreign.MemorySegment.ofArray(got), 0);
            return got;
        }, () -> java.nio.file.Files.move(other, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE));
    }

    /** An .npz at {@code npz} holding {@code npy} as its member x.npy, stored as np.savez stores it. */
    private static void storedNpz(Path npz, Path npy) throws IOException {
        try (var fs = java.nio.file.FileSystems.newFileSystem(java.net.URI.create("jar:" + npz.toUri()),
                Map.of("create", "true", "noCompression", "true"))) {
            java.nio.file.Files.copy(npy, fs.getPath("/x.npy"));
        }
    }
}
