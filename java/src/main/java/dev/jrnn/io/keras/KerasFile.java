package dev.jrnn.io.keras;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.io.FileFaults;
import dev.jrnn.io.Json;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;

import io.jhdf.api.dataset.ContiguousDataset;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * One opened Keras file, recognised by its first bytes (never its extension): the HDF5 signature (Keras 1/2 and
 * tf.keras {@code .h5}, also inside files named {@code .keras}) or a zip (Keras 3 {@code .keras}: config.json,
 * metadata.json, model.weights.h5, never extracted: a stored member is mapped, another read in memory; off the default file
 * system, a jar's, the file is read into memory once and parsed there). Holds the parsed configs and the open
 * HDF5 weights; close it after use: that unmaps the file (its mapping lives in an arena closed there, not until a GC).
 */
final class KerasFile implements AutoCloseable {
    static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};
    /** Largest zip member read (the weights): a Java byte[] holds no more. */
    static final long MAX_MEMBER_BYTES = Integer.MAX_VALUE - 8;
    /** Bytes per read of a zip member. */
    private static final int READ_CHUNK = 1 << 20;
    /** Largest config.json / metadata.json read. */
    static final long MAX_JSON_BYTES = 64L << 20;

    /** Which layout the file has. */
    enum Layout { KERAS2_H5, KERAS3_ZIP }

    final Path path;
    final Layout layout;
    final long fileBytes;
    /** This load's bound on values the file does not hold, which every read of a weight through {@link Hdf5Arrays} shares. */
    final Hdf5FillBudget fills;
    final HdfFile hdf;
    /** Parsed model config (Keras 2: the model_config attribute; Keras 3: config.json), null for weights-only files. */
    final Object modelConfig;
    /** Parsed training config, or null. */
    final Object trainingConfig;
    /** "2.2.4-tf", "3.3.3", ...; null when the file does not say. */
    final String kerasVersion;
    /** Parsed metadata.json of a zip, null for HDF5 files. */
    Object metadata;
    /** Where a stored model.weights.h5, which {@link #hdf} parses from a mapping, starts in the file. */
    private long mappedAt;
    /** The file's mapping {@link #hdf} parses, and its channel the weights are read from by position; else null. */
    private FileMapping mapping;
    /** The one direct buffer the by-position reads of a load go through (see {@link #pieceBuffer}). */
    private ByteBuffer piece;
    /** The mapped member's CRC-32 check while it waits for {@link #checkCrc} (computed from {@link #read}'s bytes); else null. */
    private ZipMemberCrc pendingCrc;
    /** Set by {@link #close}: the file's arrays cannot be read any more. */
    volatile boolean closed;

    private KerasFile(Path path, Layout layout, long fileBytes, HdfFile hdf, Object modelConfig, Object trainingConfig,
                      String kerasVersion) {
        this.path = path;
        this.layout = layout;
        this.fileBytes = fileBytes;
        this.fills = new Hdf5FillBudget(fileBytes);
        this.hdf = hdf;
        this.modelConfig = modelConfig;
        this.trainingConfig = trainingConfig;
        this.kerasVersion = kerasVersion;
    }

    /** Whether the file starts with the HDF5 or zip signature (what {@link #open} accepts). */
    static boolean isKerasFile(Path path) throws IOException {
        if (!Files.isRegularFile(path)) return false;   // a directory or a missing file: the caller's own message
        byte[] head = head(path);
        return startsWith(head, HDF5_SIGNATURE) || startsWith(head, ZIP_SIGNATURE) || endsLikeZip(path);
    }

    /**
     * Whether the file ends with a zip's end-of-central-directory record, as a zip with bytes before it does (a
     * self-extracting one): Python's zipfile, so Keras, reads those, and commons-compress finds the members past the prefix.
     * Read through a stream, skipping to the tail: zipfs (a jar's file system) serves a FileChannel by copying the whole
     * member into a temporary file beside the jar, which fails where that folder is read-only.
     */
    private static boolean endsLikeZip(Path path) throws IOException {
        long size = FileFaults.size(path);
        int n = (int) Math.min(size, 22 + 0xffff);   // the record and a comment of up to 65535 bytes
        ByteBuffer tail;
        try (InputStream in = FileFaults.input(path)) {
            if (size > n) {   // zipfs' stream of a STORED entry skips from a wrong place before its first read (JDK 25): read one first
                if (in.read() < 0) return false;
                in.skipNBytes(size - n - 1);
            }
            tail = ByteBuffer.wrap(in.readNBytes(n)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        n = tail.limit();   // shorter where the file shrank under the read: FileFaults reads it again
        for (int at = n - 22; at >= 0; at--) {
            if (tail.getInt(at) == 0x06054b50 && at + 22 + (tail.getShort(at + 20) & 0xffff) == n) return true;
        }
        return false;
    }

    /**
     * Opens {@code path}, every byte of the zip members it reads checked against their CRC-32; a KerasFormatException or
     * an IOException when it is neither HDF5 nor a Keras 3 zip.
     */
    static KerasFile open(Path path) throws IOException {
        return open(path, false);
    }

    /**
     * As {@link #open(Path)}, but a mapped stored model.weights.h5 is checked only at {@link #checkCrc}, from the bytes the
     * weights were read from by position ({@link #read}) and the rest read then: one pass over the file instead of two.
     * Until then nothing read from the member may leave the caller, and a failure should go through {@link #crcFirst}.
     */
    static KerasFile openDeferringCrc(Path path) throws IOException {
        return open(path, true);
    }

    private static KerasFile open(Path path, boolean deferCrc) throws IOException {
        AtomicFiles.requireRegularFile(path, "a Keras model file");   // a FIFO would block the read below
        byte[] head = head(path);
        long size = FileFaults.size(path);
        if (startsWith(head, HDF5_SIGNATURE)) return openHdf5(path, size);
        if (startsWith(head, ZIP_SIGNATURE) || endsLikeZip(path)) return openZip(path, size, deferCrc);
        throw new KerasFormatException("neither an HDF5 file nor a zip (first bytes " + hex(head)
                + "): not a Keras model file");
    }

    private static KerasFile openHdf5(Path path, long size) throws IOException {
        byte[] head;
        try (InputStream in = FileFaults.input(path)) {
            head = in.readNBytes(64);
        }
        Hdf5Superblock.checkLength(head, size, "the file");
        // off the default file system (a jar's zipfs, an in-memory one) the file is read into memory once and parsed as
        // a stored member is: zipfs serves HdfFile(Path)'s FileChannel by copying the member into a temporary file beside
        // the jar, and jhdf's reads through a byte channel loop without advancing on a damaged length
        byte[] all = onDefaultFileSystem(path) ? null : FileMapping.readAll(path, "the file");
        // mapped whole into a FileMapping close() ends (jhdf's own maps of a path lasted until a GC); else read by position
        FileMapping mapped = all == null && size <= FileMapping.limit ? FileMapping.orNull(path, 0, size) : null;
        HdfFile h;
        try {
            h = all == null && mapped == null ? FileMapping.byPosition(path, "its")
                    : Hdf5Superblock.open("its", () -> HdfFile.fromByteBuffer(mapped != null ? mapped.bytes : ByteBuffer.wrap(all)));
        } catch (RuntimeException | Error e) {
            FileMapping.closeAfter(mapped, e);
            throw e;
        }
        try {
            // links refused; bfloat16 readable (from a copy of the bytes parsed: the mapping's is of the file the load holds)
            h = JhdfOpaqueTypes.readable(h, () -> all != null ? all.clone() : mapped != null ? mapped.copy() : FileMapping.readAll(path, "the file"));
            String mc = Hdf5Arrays.stringAttribute(h, "model_config");
            String tc = Hdf5Arrays.stringAttribute(h, "training_config");
            String v = Hdf5Arrays.stringAttribute(h, "keras_version");
            Object model = mc == null ? null : Json.parsePython(mc);
            KerasFile kf = new KerasFile(path, Layout.KERAS2_H5, size, h, model, tc == null ? null : Json.parsePython(tc), v);
            kf.mapping = mapped;   // the weights read by position from the file, as a .keras' stored member's are
            return kf;
        } catch (RuntimeException | Error | IOException e) {   // an Error too (a StackOverflowError from jhdf): the file is closed
            closeQuietly(h, e);
            FileMapping.closeAfter(mapped, e);
            throw e;
        }
    }

    private static KerasFile openZip(Path path, long size, boolean deferCrc) throws IOException {
        // off the default file system the .keras is read into memory once: zipfs serves commons-compress' FileChannel
        // (and any FileChannel) by copying the member into a temporary file in the jar's directory
        byte[] all = onDefaultFileSystem(path) ? null : FileMapping.readAll(path, "the .keras file");
        if (all != null) size = all.length;
        ZipFile zip;
        // through the file the load holds open (FileFaults.channel): the directory and the member's mapping of one version
        FileChannel file = all == null ? FileFaults.channel(path) : null;
        try {
            zip = ZipFile.builder().setSeekableByteChannel(file != null ? file : new SeekableInMemoryByteChannel(all)).get();
        } catch (IOException | RuntimeException e) {
            if (file != null) file.close();   // a given channel is the caller's to close when the zip cannot be read
            if (!(e instanceof IOException io)) throw (RuntimeException) e;
            String why = dev.jrnn.io.ZipReason.of(io);   // the reason, not "Error reading Zip content from <channel class>"
            throw new KerasFormatException("a damaged zip (" + why + "): not a readable Keras 3 .keras file");
        }
        FileMapping mapped = null;
        ZipMemberCrc pending = null;
        try (zip) {
            refuseDuplicates(zip);
            // as Keras' json.loads of the member's bytes: a byte-order mark or UTF-16 / UTF-32 decoded, a bad byte refused
            String config = text(member(zip, "config.json", MAX_JSON_BYTES), "config.json");
            // Keras 3.15.1 never reads metadata.json on load, so a bad byte there does not refuse the file
            String meta = Json.decode(member(zip, "metadata.json", MAX_JSON_BYTES));
            ZipArchiveEntry we = entry(zip, "model.weights.h5", MAX_MEMBER_BYTES);
            ByteBuffer weights;
            long at = dataOffset(zip, we);
            boolean stored = we.getMethod() == ZipEntry.STORED && at >= 0 && we.getSize() == we.getCompressedSize() && at + we.getSize() <= size;
            // stored (as Keras and jrnn write it): the bytes lie in the file as they are, mapped instead of copied (jhdf
            // parses the mapping; the weights themselves are read by position, see fileOffset); copied where it cannot map
            if (stored && all == null && we.getSize() <= FileMapping.limit) mapped = FileMapping.orNull(path, at, we.getSize());
            if (mapped != null) {
                weights = mapped.bytes;
            } else if (stored && all != null) {
                // a jar's or an in-memory file system: the member's bytes in the file's, parsed as the mapping is
                weights = ByteBuffer.wrap(all, (int) at, (int) we.getSize()).slice();
            } else {
                weights = ByteBuffer.wrap(read(zip, we, MAX_MEMBER_BYTES));
            }
            // a deflated member's CRC was checked as it was read; a mapped one's is computed from positional reads (touching
            // every page of the mapping doubled a load's time), here or, deferred, from the reads of the weights themselves
            if (stored && mapped != null && we.getCrc() >= 0) pending = new ZipMemberCrc(we, mapped.channel, at, we.getSize());
            else if (stored) checkCrc(we, weights.duplicate());
            if (pending != null && !deferCrc) {
                ZipMemberCrc now = pending;
                pending = null;   // a failure of this check is not checked again (and repeated) by crcFirst below
                now.verify();
            }
            int bytes = weights.remaining();   // jhdf moves a buffer's position and limit as it reads
            byte[] head = new byte[Math.min(64, bytes)];
            weights.get(0, head);
            if (!startsWith(head, HDF5_SIGNATURE)) {
                throw new KerasFormatException("zip member model.weights.h5 is not HDF5 (first bytes " + hex(head) + ")");
            }
            Object cfg = parse(config, "config.json");
            KerasConfig m = new KerasConfig(parse(meta, "metadata.json"), "metadata.json");
            Object training = cfg instanceof java.util.Map<?, ?> map ? map.get("compile_config") : null;
            Hdf5Superblock.checkLength(head, bytes, "zip member model.weights.h5");
            HdfFile h = Hdf5Superblock.open("zip member model.weights.h5's", () -> HdfFile.fromByteBuffer(weights));
            try {
                // links refused; a bfloat16 dataset's group read from a copy (its data read by position as any other's)
                h = JhdfOpaqueTypes.readable(h, () -> {
                    byte[] copy = new byte[bytes];
                    weights.get(0, copy);
                    return copy;
                });
            } catch (KerasFormatException e) {
                closeQuietly(h, e);
                throw new KerasFormatException("zip member model.weights.h5: " + e.getMessage());
            } catch (RuntimeException | Error e) {
                closeQuietly(h, e);
                throw e;
            }
            KerasFile kf = new KerasFile(path, Layout.KERAS3_ZIP, bytes, h, cfg, training, m.string("keras_version", null));
            kf.metadata = parse(meta, "metadata.json");
            kf.mappedAt = at;
            kf.mapping = mapped;
            kf.pendingCrc = pending;
            return kf;
        } catch (IOException e) {
            Throwable first = crcFirst(pending, new KerasFormatException("a damaged zip (" + e.getMessage() + "): not a readable Keras 3 .keras file"));
            FileMapping.closeAfter(mapped, first);
            throw unchecked(first);
        } catch (RuntimeException | Error e) {
            Throwable first = crcFirst(pending, e);
            FileMapping.closeAfter(mapped, first);
            throw unchecked(first);
        }
    }

    /**
     * Runs the deferred CRC-32 check of the mapped member if it is still to run: a KerasFormatException saying the member
     * is damaged when its bytes do not give the CRC its zip entry records. Call it before anything read from the file
     * leaves the caller.
     */
    void checkCrc() throws IOException {
        ZipMemberCrc c = pendingCrc;
        pendingCrc = null;
        if (c != null) c.verify();
    }

    /** The deferred check still to run, or null (for tests). */
    ZipMemberCrc pendingCrc() { return pendingCrc; }

    /**
     * What to throw for {@code failure} (unchecked) met while the CRC-32 check was deferred: the check's own
     * KerasFormatException, the failure added to it, when the member is damaged, as the check made at open would have
     * said first; else the failure.
     */
    RuntimeException crcFirst(Throwable failure) {
        ZipMemberCrc c = pendingCrc;
        pendingCrc = null;
        throw unchecked(crcFirst(c, failure));
    }

    private static Throwable crcFirst(ZipMemberCrc pending, Throwable failure) {
        if (pending == null) return failure;
        try {
            pending.verify();
        } catch (KerasFormatException damaged) {
            damaged.addSuppressed(failure);
            return damaged;
        } catch (IOException | RuntimeException | Error e) {   // the check could not run: the failure stands
            failure.addSuppressed(e);
        }
        return failure;
    }

    /** {@code t} as it is, an unchecked exception or an Error (anything else wrapped, which no caller passes). */
    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }

    /**
     * Where the bytes of contiguous dataset {@code c} start in the file, when {@link #hdf} parses a mapping of it
     * (a whole .h5 or a .keras' stored model.weights.h5) and its first bytes there are those of {@code data}, jhdf's
     * view of them; else -1.
     * Reading them by position ({@link #read}) costs about half of touching the mapping (page faults: 12 against
     * 25 ms for 96 MB on the 2-core test machine).
     */
    long fileOffset(ContiguousDataset c, ByteBuffer data) {
        if (mapping == null || data.remaining() < 8) return -1;
        FileChannel channel = mapping.channel;
        // jhdf's in-memory addresses count from the superblock's base address, the mapping's start for Keras' files
        long at = mappedAt + hdf.getHdfBackingStorage().getSuperblock().getBaseAddressByte() + c.getDataAddress();
        try {
            if (at < mappedAt || at > channel.size() - data.remaining()) return -1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ByteBuffer first = ByteBuffer.allocate(8).order(data.order());
        readUntracked(first, at);
        return first.getLong(0) == data.getLong(data.position()) ? at : -1;
    }

    /** A direct buffer of at least {@code bytes}, the same for every weight of this file (cleared). */
    ByteBuffer pieceBuffer(int bytes) {
        if (piece == null || piece.capacity() < bytes) piece = ByteBuffer.allocateDirect(bytes);
        return piece.clear();
    }

    /**
     * Fills {@code dst} from the file at {@code position} (see {@link #fileOffset}); its bytes count toward the deferred
     * CRC-32 check ({@link #openDeferringCrc}), so a caller reads each weight's bytes in file order, in one run.
     */
    void read(ByteBuffer dst, long position) {
        int from = dst.position();
        readUntracked(dst, position);
        if (pendingCrc != null) pendingCrc.add(dst.duplicate().flip().position(from), position);
    }

    private void readUntracked(ByteBuffer dst, long position) {
        try {
            while (dst.hasRemaining()) {
                int n = mapping.channel.read(dst, position);
                if (n < 0) throw new KerasFormatException("the file ends at " + position + ", inside model.weights.h5: truncated");
                position += n;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Where {@code e}'s bytes start in the file (commons-compress reads the local header on first use), or -1. */
    private static long dataOffset(ZipFile zip, ZipArchiveEntry e) throws IOException {
        try (InputStream raw = zip.getRawInputStream(e)) {
            return raw == null ? -1 : e.getDataOffset();
        }
    }

    private static Object parse(String json, String member) {
        try {
            return Json.parsePython(json);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException("zip member " + member + " is not valid JSON: " + e.getMessage());
        }
    }

    private static ZipArchiveEntry entry(ZipFile zip, String name, long max) {
        ZipArchiveEntry e = zip.getEntry(name);
        if (e == null) throw new KerasFormatException("the zip has no member '" + name + "': not a complete Keras 3 .keras file");
        if (e.getSize() > max) throw new KerasFormatException("zip member " + name + " is " + e.getSize() + " bytes, over the limit of " + max);
        return e;
    }

    private static byte[] member(ZipFile zip, String name, long max) throws IOException {
        return read(zip, entry(zip, name, max), max);
    }

    private static byte[] read(ZipFile zip, ZipArchiveEntry e, long max) throws IOException {
        String name = e.getName();
        try (InputStream in = zip.getInputStream(e)) {
            if (e.getSize() >= 0) {   // straight into an array of the entry's size: no growing copies
                byte[] b = new byte[(int) e.getSize()];
                int n = 0;
                // 1 MB reads: one read of the whole member makes the JDK malloc (and page-fault) a native buffer as
                // big, 2.5x the CPU time of the same bytes read in chunks (measured on a 96 MB member)
                for (int r; n < b.length && (r = in.read(b, n, Math.min(READ_CHUNK, b.length - n))) > 0; ) n += r;
                if (n != b.length || in.read() != -1) {
                    throw new KerasFormatException("zip member " + name + " holds " + (n != b.length ? n : "more") + " bytes, its entry says " + e.getSize());
                }
                checkCrc(e, ByteBuffer.wrap(b));
                return b;
            }
            byte[] b = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8));
            if (in.read() != -1) throw new KerasFormatException("zip member " + name + " is over the limit of " + max + " bytes");
            checkCrc(e, ByteBuffer.wrap(b));
            return b;
        }
    }

    /**
     * Refuses a member whose bytes do not give the CRC-32 its zip entry records (Python's zipfile: "Bad CRC-32 for
     * file"): commons-compress checks none, so a flipped bit in a stored model.weights.h5 loaded as a wrong weight.
     */
    private static void checkCrc(ZipArchiveEntry e, ByteBuffer bytes) {
        if (e.getCrc() < 0) return;   // no CRC recorded (not in a zip's central directory: never for a file read here)
        CRC32 crc = new CRC32();
        crc.update(bytes);
        compareCrc(e, crc.getValue());
    }

    /** Refuses member {@code e} when {@code crc}, its bytes' CRC-32, is not the one its entry records. */
    static void compareCrc(ZipArchiveEntry e, long crc) {
        if (crc != e.getCrc()) {
            throw new KerasFormatException(String.format("zip member %s fails its CRC-32 check (the zip records %08x, its "
                    + "bytes give %08x): damaged", e.getName(), e.getCrc(), crc));
        }
    }

    /**
     * Refuses a zip that holds a member name twice: jrnn would read one copy and Python's zipfile (Keras) the last, so
     * the same file would give two models. Names are compared as written (Python 3.11 reads those) and as
     * commons-compress reads them (renamed by an Info-ZIP Unicode Path extra field, as Python 3.12 reads them); a name
     * holding a NUL is refused, as Python cuts it there ("model.weights.h5\0x" is model.weights.h5 to Keras).
     */
    private static void refuseDuplicates(ZipFile zip) {
        Set<String> names = new HashSet<>(), raw = new HashSet<>();
        for (ZipArchiveEntry e : Collections.list(zip.getEntries())) {
            String written = new String(e.getRawName(), StandardCharsets.ISO_8859_1);
            if (e.getName().indexOf('\0') >= 0 || written.indexOf('\0') >= 0) {
                throw new KerasFormatException("the zip holds a member whose name has a NUL ('"
                        + e.getName().replace("\0", "\\0") + "'): refused, as Keras reads it as the name up to the NUL");
            }
            boolean twice = !names.add(e.getName()), twiceAsWritten = !raw.add(written);
            if (twice || twiceAsWritten) {
                throw new KerasFormatException("the zip holds member '" + (twice ? e.getName() : written) + "' twice"
                        + (twice ? "" : " (as written; one is renamed by a Unicode Path extra field)")
                        + ": refused, as the copy read would differ between readers (Keras reads the last)");
            }
        }
    }

    /** The HDF5 group holding the Keras 2 layer groups: model_weights in a full model, the root in save_weights files. */
    Group keras2WeightsGroup() {
        if (hdf.getChild("model_weights") instanceof Group g) return g;
        return hdf;
    }

    /**
     * A zip member's text in the encoding Python's json.loads detects ({@link Json#detectEncoding}: a byte-order mark,
     * else the zero bytes, else UTF-8), refused where a byte is not of that encoding (Keras 3.15.1: "UnicodeDecodeError:
     * 'utf-8' codec can't decode byte 0xff"), naming the encoding, the byte's offset in the member and the text before it;
     * decoded leniently, a bad byte became U+FFFD in a layer's name.
     */
    static String text(byte[] b, String member) {
        Json.Encoding enc = Json.detectEncoding(b);
        ByteBuffer in = ByteBuffer.wrap(b, enc.skip(), b.length - enc.skip());
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length);   // no encoding here decodes to more chars than bytes
        var r = enc.charset().newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(in, out, true);
        if (!r.isError()) return out.flip().toString();
        int at = in.position();   // where the bad sequence starts
        out.flip();
        String before = out.subSequence(Math.max(0, out.length() - 40), out.length()).toString();
        throw new KerasFormatException("zip member " + member + " is not " + enc.name() + ": byte 0x" + String.format("%02X", b[at] & 0xFF)
                + " at offset " + at + ", after \"" + before + "\" (Keras 3 refuses it too: UnicodeDecodeError)");
    }

    /**
     * Refuses {@link #modelConfig} where it holds a string with a lone surrogate ({@link #refuseLoneSurrogates}): called
     * where the config builds the model (Models.load); loadWeights and a BackupAndRestore resume read the weights only,
     * and load such a file, as main did and as Keras' load_weights does.
     */
    void refuseLoneSurrogatesInConfig() {
        if (layout == Layout.KERAS2_H5) refuseLoneSurrogates(modelConfig, "model_config", "the model_config attribute");
        else refuseLoneSurrogates(modelConfig, "", "zip member config.json");
    }

    /**
     * Refuses a model config holding a string with a lone surrogate, which a JSON escape ({@code "\\ud800"}) writes in
     * valid UTF-8 text and Python's json.loads reads. jrnn's names are saved as UTF-8, which cannot hold one; what Keras
     * 3.15.1 does with one is pinned in {@code hostile/keras_says_surrogates_*.txt}. The compile config is left to its
     * reader (an unknown loss or metric leaves the model uncompiled, as in Keras).
     */
    static void refuseLoneSurrogates(Object config, String at, String where) {
        String found = loneSurrogate(config, at, 0);
        if (found == null) return;
        throw new KerasFormatException(where + " holds a string with a lone surrogate (the JSON escape \\ud800 and its kin: "
                + "valid JSON, which Keras reads) at " + found + ": refused, as jrnn's names are saved as UTF-8, which cannot "
                + "hold one. Keras 3.15.1 loads and runs such an Input name, loads such a model name (TensorFlow then fails to "
                + "predict), refuses such a name of a layer with weights on TensorFlow (UnicodeEncodeError; JAX loads it, then "
                + "fails to predict) and an unknown identifier (an activation) everywhere: rename it in the file");
    }

    /** Where the first string with a lone surrogate lies below {@code o} ({@code at}: its path), and the string; else null. */
    private static String loneSurrogate(Object o, String at, int depth) {
        if (depth > 1000) return null;   // the parser's own nesting bound comes first
        if (o instanceof String s) {
            if (s.chars().noneMatch(c -> Character.isSurrogate((char) c))
                    || java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(s)) return null;   // paired ones encode
            StringBuilder b = new StringBuilder();
            for (char c : s.toCharArray()) b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            return (at.isEmpty() ? "the top" : at) + " (\"" + b + "\")";
        }
        if (o instanceof java.util.Map<?, ?> m) {
            for (var e : m.entrySet()) {
                if (depth == 0 && at.isEmpty() && "compile_config".equals(e.getKey())) continue;
                String key = String.valueOf(e.getKey());
                String r = loneSurrogate(key, at + (at.isEmpty() ? "" : ".") + "(a key)", depth + 1);
                if (r != null) return r;
                r = loneSurrogate(e.getValue(), at + (at.isEmpty() ? "" : ".") + key, depth + 1);
                if (r != null) return r;
            }
        } else if (o instanceof java.util.List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String r = loneSurrogate(l.get(i), at + "[" + i + "]", depth + 1);
                if (r != null) return r;
            }
        }
        return null;
    }

    /** Major Keras version from keras_version ("2.2.4-tf" -> 2); 2 when absent in HDF5, 3 in a zip. */
    int kerasMajor() {
        if (kerasVersion != null) {
            int dot = kerasVersion.indexOf('.');
            try {
                return Integer.parseInt(dot < 0 ? kerasVersion : kerasVersion.substring(0, dot));
            } catch (NumberFormatException e) {
                throw new KerasFormatException("keras_version '" + kerasVersion + "' does not start with a version number");
            }
        }
        return layout == Layout.KERAS3_ZIP ? 3 : 2;
    }


    /**
     * Whether {@code path} lies on the default file system, whose channels map (a jar's zipfs and in-memory file systems
     * throw UnsupportedOperationException from FileChannel.map, and zipfs' FileChannel is a temporary copy of the member).
     */
    static boolean onDefaultFileSystem(Path path) {
        return path.getFileSystem() == FileSystems.getDefault();
    }

    private static byte[] head(Path path) throws IOException {
        try (InputStream in = FileFaults.input(path)) {
            return in.readNBytes(8);
        }
    }

    private static boolean startsWith(byte[] b, byte[] sig) {
        return b.length >= sig.length && Arrays.equals(b, 0, sig.length, sig, 0, sig.length);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) s.append(String.format("%02x", b[i] & 0xff));
        return s.length() == 0 ? "(empty file)" : s.toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            hdf.close();
        } finally {
            try {
                if (mapping != null) mapping.close();   // unmapped now, not at a GC
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Closes {@code h} after {@code failure}, a failure to close added to it rather than put in its place. */
    private static void closeQuietly(HdfFile h, Throwable failure) {
        try {
            h.close();
        } catch (RuntimeException | Error e) {
            if (e != failure) failure.addSuppressed(e);
        }
    }
}
