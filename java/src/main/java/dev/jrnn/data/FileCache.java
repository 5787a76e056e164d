package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongFunction;

/**
 * tf.data's file {@code cache(filename)}: the first pass read to its end is written to the file, and every later pass (epoch,
 * repeat, another run, another data set naming the file) reads the file and never its source, as TensorFlow 2.21's. While a
 * pass writes, the samples go to a temporary file beside it and {@code <file>.lockfile} marks the writer; a pass left before
 * its end deletes both and keeps nothing (TensorFlow discards a partial cache), a second pass opened meanwhile is refused (its
 * "concurrent caching iterator"). The file is jrnn's own (TensorFlow's tensor bundles are not read), float32, little
 * headers: {@code JRNNCACHE3}, each part's raggedness and unit shape, then each sample's parts, length, index and origin
 * (the number of an origin record written once, before its first sample: a table's samples all name one file), then an
 * end record with the count, {@code END} and the end of the file, all checked as it is read ({@code JRNNCACHE2} files,
 * with each sample's origin in full, and {@code JRNNCACHE1} files, also without the parts' spec, are still read).
 * I/O is plain streams, not channels: the prefetch thread is interrupted on close, which would close a channel mid-write.
 */
final class FileCache {
    private FileCache() {}

    /**
     * Version 3 (session 31): a sample's origin is the number of a source record; version 2 (session 21) wrote it in full in
     * every sample; version 1 files have no parts' spec after the magic either.
     */
    private static final byte[] MAGIC = "JRNNCACHE3\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC2 = "JRNNCACHE2\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC1 = "JRNNCACHE1\n".getBytes(StandardCharsets.US_ASCII);
    /** The records' markers: the end record, a sample, an origin (version 3). */
    private static final byte END_RECORD = 0, SAMPLE = 1, SOURCE = 2;
    /** A sample's origin: none, the number of a source record, written in full (past {@link #MAX_SOURCES} or {@link #MAX_SOURCE_CHARS}). */
    private static final byte NO_SOURCE = 0, SOURCE_NUMBER = 1, SOURCE_INLINE = 2;
    /**
     * The origins a writer numbers at most, and their characters in all (a sample's origin may be 65535 long: 4096 such were
     * 256 MiB of text): a stream whose every sample names its own file does not fill memory with them.
     */
    static final int MAX_SOURCES = 4096, MAX_SOURCE_CHARS = 1 << 20;
    /**
     * What a cache holds at most, the reader's bounds (past them a file is damaged) and the writer's (past them a sample is
     * refused before any of its bytes is written): the tensors of each of a sample's inputs, targets and weights, a spec's
     * parts (one per tensor of the sample it is written from: three kinds' worth), a tensor's rank, and an origin's bytes in
     * modified UTF-8 ({@link DataOutputStream#writeUTF}'s most).
     */
    static final int MAX_TENSORS = 1 << 16, MAX_PARTS = 3 * MAX_TENSORS, MAX_RANK = 64, MAX_ORIGIN_BYTES = 65535;
    /** A part's raggedness in the spec: not ragged, ragged (its first axis the steps), unknown (written from a stream's sample). */
    private static final byte FIXED = 0, RAGGED = 1, UNKNOWN = 2;
    private static final byte[] END = "END\n".getBytes(StandardCharsets.US_ASCII);

    /** {@link Dataset#cache(Path)}: the file checked at the call (no other kind of file is overwritten or read as a cache). */
    static Dataset cache(Dataset d, Path file) {
        d.beforeBatch("cache", "it keeps samples; cache, then batch");
        DatasetSources.notNull("cache", "filename", file);
        if (d.sampleCount() == BatchOps.ENDLESS) throw new IllegalStateException("Dataset.cache: the data set is endless (" + d + "); cache before repeat()");
        if (Files.isDirectory(file)) throw new IllegalArgumentException("Dataset.cache: filename: expected a file, got the directory " + file);
        if (d.table != null && d.mapper == null) refuseUnwritable(d.table, file);   // its spec is written even with no sample
        if (Files.exists(file)) {
            int[] parts = parts(file);
            if (d.table != null && d.mapper == null) sameSpec(spec(d.table), file);
            if (d.table != null && d.mapper == null && parts != null) {
                int[] mine = {d.table.inputs().size(), d.table.targets().size(), d.table.weights().size()};
                if (!Arrays.equals(parts, mine)) {
                    throw new IllegalArgumentException("Dataset.cache: filename: the cache " + file + " holds samples of " + parts[0] + " inputs, "
                            + parts[1] + " targets and " + parts[2] + " sample weights, this data set's have " + mine[0] + ", " + mine[1] + " and "
                            + mine[2] + " (the cache is read in place of the data; tf.data fails at the read); delete it or name another file");
                }
            }
        }
        Spec mine = d.table != null && d.mapper == null ? spec(d.table) : null;
        boolean[] scalar = d.table != null ? null : d.scalar;
        return ElementOps.streamed(d, s -> passes(s, file, mine, scalar), d.sampleCount(), null);
    }

    /**
     * A table's samples past the reader's limits, refused at the call: its spec is written also by a pass with no sample
     * (take(0)), which {@link #refuseUnreadable} never sees. A ragged column's samples are a rank above its unit.
     */
    private static void refuseUnwritable(Table t, Path file) {
        List<List<Column>> parts = List.of(t.inputs(), t.targets(), t.weights());
        String why = overLimits("their", parts, (k, i) -> parts.get(k).get(i).unitShape().length + (parts.get(k).get(i).ragged() ? 1 : 0));
        if (why != null) throw new IllegalArgumentException("Dataset.cache: the data set's samples cannot be written to " + file + ": " + why);
    }

    /**
     * Why samples of these parts (inputs, targets, weights) are past the reader's limits, or null: more tensors of a kind
     * than {@link #MAX_TENSORS}, one ({@code rank} of part k's tensor i) of a rank past {@link #MAX_RANK}. {@code whose}:
     * "its" (one sample) or "their" (a table's samples).
     */
    private static String overLimits(String whose, List<? extends List<?>> parts, java.util.function.IntBinaryOperator rank) {
        for (int k = 0; k < 3; k++) {
            int n = parts.get(k).size();
            if (n > MAX_TENSORS) return whose + " " + PARTS[k] + " are " + n + " tensors, a cache holds at most " + MAX_TENSORS;
            for (int i = 0; i < n; i++) {
                int r = rank.applyAsInt(k, i);
                if (r > MAX_RANK) return PARTS[k] + "[" + i + "] is of rank " + r + ", a cache holds ranks 1 to " + MAX_RANK;
            }
        }
        return null;
    }

    /** Each part's raggedness and unit shape (as {@link Column#unitShape}: () for one value per sample). */
    record Spec(byte[] ragged, int[][] units) {}

    private static Spec spec(Table t) {
        List<Column> cols = t.columns();
        byte[] r = new byte[cols.size()];
        int[][] u = new int[cols.size()][];
        for (int c = 0; c < r.length; c++) {
            r[c] = cols.get(c).ragged() ? RAGGED : FIXED;
            u[c] = cols.get(c).unitShape();
        }
        return new Spec(r, u);
    }

    /** A stream's spec from its first sample: shapes as they come (one-value parts as ()), raggedness unknown. */
    private static Spec spec(Sample x, boolean[] scalar) {
        int ni = x.inputs().size(), nt = x.targets().size(), n = ni + nt + x.weights().size();
        byte[] r = new byte[n];
        int[][] u = new int[n][];
        for (int c = 0; c < n; c++) {
            r[c] = UNKNOWN;
            u[c] = scalar != null && c < scalar.length && scalar[c] ? new int[0] : Assembler.part(x, c, ni, nt).shape();
        }
        return new Spec(r, u);
    }

    /**
     * Within the reader's bounds: a table's spec was checked at the call ({@link #refuseUnwritable}), a stream's is its
     * first sample's, which passed {@link #refuseUnreadable} (a part per tensor, each unit's rank at most its tensor's).
     */
    private static void writeSpec(DataOutputStream out, Spec sp) throws IOException {
        out.writeInt(sp.ragged().length);
        for (int c = 0; c < sp.ragged().length; c++) {
            out.writeByte(sp.ragged()[c]);
            out.writeInt(sp.units()[c].length);
            for (int k : sp.units()[c]) out.writeInt(k);
        }
    }

    private static Spec readSpec(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_PARTS) throw new IOException("a spec of " + n + " parts");
        byte[] r = new byte[n];
        int[][] u = new int[n][];
        for (int c = 0; c < n; c++) {
            r[c] = in.readByte();
            int rank = in.readInt();
            if (rank < 0 || rank > MAX_RANK) throw new IOException("a spec of rank " + rank);
            u[c] = new int[rank];
            for (int a = 0; a < rank; a++) u[c][a] = in.readInt();
        }
        return new Spec(r, u);
    }

    /**
     * Refuses a cache whose parts' shapes or raggedness are not this table's (tf.data: "Incompatible shapes at component 0:
     * expected [5] but got [2]" at the read). A version 1 file, or a part written from a stream, is checked by its counts only.
     */
    private static void sameSpec(Spec mine, Path file) {
        Spec theirs;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(file.toFile())))) {
            if (version(in.readNBytes(MAGIC.length)) < 2) return;
            theirs = readSpec(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("Dataset.cache: filename: " + file + " could not be read: " + e + "; delete it", e);
        }
        if (theirs.ragged().length != mine.ragged().length) return;   // the counts' own message follows
        for (int c = 0; c < mine.ragged().length; c++) {
            if (theirs.ragged()[c] == UNKNOWN) continue;
            if (theirs.ragged()[c] != mine.ragged()[c] || !Arrays.equals(theirs.units()[c], mine.units()[c])) {
                throw new IllegalArgumentException("Dataset.cache: filename: the cache " + file + " holds part " + c + " as " + describe(theirs, c)
                        + ", this data set's is " + describe(mine, c) + " (the cache is read in place of the data; tf.data fails at the read:"
                        + " 'Incompatible shapes at component " + c + "'); delete it or name another file");
            }
        }
    }

    private static String describe(Spec sp, int c) {
        return (sp.ragged()[c] == RAGGED ? "sequences of steps " : "samples of shape ") + Tensor.shapeString(sp.units()[c]);
    }

    /** The parts of the cache's first sample (null: it holds none); refuses a file that is not a whole jrnn cache. */
    private static int[] parts(Path file) {
        complete(file);
        Opened o = null;
        try {
            o = open(file);
            DataInputStream in = o.in();
            byte marker;
            while ((marker = in.readByte()) == SOURCE && o.version() >= 3) in.readUTF();
            if (marker != SAMPLE) return null;
            return new int[] {in.readInt(), in.readInt(), in.readInt()};
        } catch (IOException e) {
            throw new IllegalArgumentException("Dataset.cache: filename: " + file + " could not be read: " + e, e);
        } finally {
            if (o != null) closeQuietly(o.in());
        }
    }

    private static void closeQuietly(DataInputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // read only
        }
    }

    /** Refuses a file that is not a jrnn cache, or one cut short (written whole and renamed, so only damage cuts it). */
    private static void complete(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] head = new byte[MAGIC.length], tail = new byte[END.length];
            if (f.length() < MAGIC.length + 9 + END.length) {
                throw new IllegalArgumentException("Dataset.cache: filename: expected a jrnn cache file (or none) at " + file + ", got a file of "
                        + f.length() + " bytes that is not one; name another file or delete it");
            }
            f.readFully(head);
            f.seek(f.length() - END.length - 9);
            byte endMarker = f.readByte();
            f.readLong();
            f.readFully(tail);
            if (version(head) == 0) {
                throw new IllegalArgumentException("Dataset.cache: filename: expected a jrnn cache file (or none) at " + file
                        + ", got a file without its header; name another file or delete it");
            }
            if (!Arrays.equals(tail, END) || endMarker != 0) {
                throw new IllegalArgumentException("Dataset.cache: filename: " + file + " is a jrnn cache cut short (no end record); delete it"
                        + " and the next full pass writes it again");
            }
        } catch (IOException e) {
            throw failed(file + " could not be read", e);
        }
    }

    /** A cache file opened past its header, where its next byte is, and its format's version. */
    private record Opened(DataInputStream in, Positioned at, int version) {}

    /** A file's bytes through a buffer, and the offset of the next one to be read: where a damaged record starts. */
    private static final class Positioned extends BufferedInputStream {
        private final Counting file;

        /** The file's size when opened: what a record may still claim is there. */
        private final long size;

        Positioned(Path p) throws IOException { this(new Counting(new FileInputStream(p.toFile())), p); }

        private Positioned(Counting file, Path p) throws IOException {
            super(file, 1 << 16);
            this.file = file;
            try {
                this.size = Files.size(p);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
        }

        /** The offset in the file of the next byte read: the bytes read from it less those still in the buffer. */
        long offset() { return file.read - (count - pos); }

        /** The bytes of the file after the next one read's offset (as opened). */
        long left() { return size - offset(); }
    }

    /** Counts the bytes read through it (below the buffer: once per buffer fill, not per value). */
    private static final class Counting extends java.io.FilterInputStream {
        long read;

        Counting(java.io.InputStream in) { super(in); }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) read++;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) read += n;
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long k = super.skip(n);
            read += k;
            return k;
        }
    }

    /** The format version {@code head} (the file's first bytes) names: 1 to 3, 0 for none. */
    private static int version(byte[] head) {
        return Arrays.equals(head, MAGIC) ? 3 : Arrays.equals(head, MAGIC2) ? 2 : Arrays.equals(head, MAGIC1) ? 1 : 0;
    }

    private static Opened open(Path file) throws IOException {
        Positioned at = new Positioned(file);
        DataInputStream in = new DataInputStream(at);
        try {
            int version = version(in.readNBytes(MAGIC.length));
            if (version >= 2) readSpec(in);   // version 1: no spec
            return new Opened(in, at, version);
        } catch (IOException | RuntimeException e) {   // a damaged spec: the file is not left open
            closeQuietly(in);
            throw e;
        }
    }

    /** Each pass: the cache's samples where the file is whole, else the source's, written as they pass. */
    static LongFunction<StreamOps.Stream> passes(LongFunction<StreamOps.Stream> src, Path file, Spec spec, boolean[] scalar) {
        return e -> {
            if (Files.exists(file)) {
                complete(file);
                return read(file);
            }
            Path lock = file.resolveSibling(file.getFileName() + ".lockfile");
            try {
                Files.writeString(Files.createFile(lock), "jrnn Dataset.cache writer, process " + ProcessHandle.current().pid() + "\n");
            } catch (FileAlreadyExistsException x) {
                throw new IllegalStateException("Dataset.cache: " + lock + " exists: another pass is writing the cache " + file
                        + " (tf.data: 'There appears to be a concurrent caching iterator running'); if no other run uses it, delete the lockfile");
            } catch (IOException x) {
                throw failed("could not create " + lock, x);
            }
            StreamOps.Stream s;
            try {
                s = src.apply(e);
            } catch (RuntimeException x) {
                delete(lock);   // the source failed to open: no writer
                throw x;
            }
            return write(s, file, lock, spec, scalar);
        };
    }

    private static StreamOps.Stream write(StreamOps.Stream s, Path file, Path lock, Spec spec, boolean[] scalar) {
        Path tmp;
        DataOutputStream out;
        FileOutputStream raw;
        try {
            tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp");
            raw = new FileOutputStream(tmp.toFile());
            out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
            out.write(MAGIC);
        } catch (IOException x) {
            s.close();
            delete(lock);
            throw failed("could not write beside " + file, x);
        }
        return StreamOps.over(new Iterator<>() {
            long count;
            boolean done;
            /** The origins written so far, by their records' numbers: a table's one string is written once. */
            final Origins sources = new Origins();
            public boolean hasNext() {
                if (done) return false;
                if (s.hasNext()) return true;
                done = true;   // a whole pass: the cache is kept
                try {
                    if (count == 0) writeSpec(out, spec != null ? spec : new Spec(new byte[0], new int[0][]));
                    out.writeByte(END_RECORD);
                    out.writeLong(count);
                    out.write(END);
                    out.flush();
                    raw.getFD().sync();   // on disk before the rename makes it the cache
                    out.close();
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException x) {
                    throw failed("could not write " + file, x);
                } finally {
                    delete(tmp);
                    delete(lock);
                }
                return false;
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                Sample x = s.next();
                refuseUnreadable(x, count, file, sources);   // before any of its bytes: the pass fails and keeps nothing
                try {
                    if (count == 0) writeSpec(out, spec != null ? spec : spec(x, scalar));
                    writeSample(out, x, sources);
                } catch (IOException io) {
                    throw failed("could not write " + tmp, io);
                }
                count++;
                return x;
            }
        }, () -> {
            try {
                s.close();
            } finally {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // the partial cache is deleted below
                }
                delete(tmp);   // a pass left before its end keeps nothing (after a whole one: already moved)
                delete(lock);
            }
        });
    }

    /**
     * The origins a writer has numbered, each written once in a record before its first sample: at most {@link #MAX_SOURCES}
     * of them and {@link #MAX_SOURCE_CHARS} characters in all; an origin past either is written in full with each sample.
     */
    static final class Origins {
        private final java.util.Map<String, Integer> numbers = new java.util.HashMap<>();
        private long chars;

        /** The number of {@code source}'s record, or null: not numbered yet. */
        Integer number(String source) { return numbers.get(source); }   // a table's samples share one String: its hash is kept

        /** Numbers {@code source} (not numbered yet) and returns its number, or null where it would pass a cap. */
        Integer add(String source) {
            if (numbers.size() >= MAX_SOURCES || chars + source.length() > MAX_SOURCE_CHARS) return null;
            chars += source.length();
            int k = numbers.size();
            numbers.put(source, k);
            return k;
        }

        /** The characters of the origins numbered. */
        long chars() { return chars; }
    }

    /**
     * Refuses sample {@code n} of a pass where the reader would refuse it as damage: more tensors of a kind than
     * {@link #MAX_TENSORS}, a tensor of a rank past {@link #MAX_RANK}, an origin past {@link #MAX_ORIGIN_BYTES} (writeUTF's
     * limit, which failed mid-record as an I/O error).
     */
    private static void refuseUnreadable(Sample x, long n, Path file, Origins sources) {
        List<List<Tensor>> parts = List.of(x.inputs(), x.targets(), x.weights());
        String why = overLimits("its", parts, (k, i) -> parts.get(k).get(i).rank());
        if (why != null) throw unwritable(x, n, file, why);
        String source = x.source();   // one numbered was counted when it was
        long bytes = source == null || source.length() <= MAX_ORIGIN_BYTES / 3 || sources.number(source) != null ? 0 : utfBytes(source);   // 3 bytes a character at most
        if (bytes > MAX_ORIGIN_BYTES) {
            throw unwritable(x, n, file, "its origin (" + source.length() + " characters) is " + bytes + " bytes in modified UTF-8, a cache holds origins of at most "
                    + MAX_ORIGIN_BYTES + " (DataOutput.writeUTF's limit); shorten it");
        }
    }

    /** A bad sample found in a pass, as elsewhere a {@link DataException} at the sample, its origin cut to 40 characters. */
    private static DataException unwritable(Sample x, long n, Path file, String why) {
        String source = x.source();
        String where = x.where();
        if (source != null && source.length() > 40) {
            int cut = Character.isHighSurrogate(source.charAt(39)) ? 39 : 40;   // not between a surrogate pair's halves
            where = source.substring(0, cut) + "..." + where.substring(source.length());
        }
        return new DataException(where, "Dataset.cache: sample " + n + " of the pass cannot be written to " + file + ": " + why, null);
    }

    /** The bytes {@link DataOutputStream#writeUTF} writes for {@code s}, less its length's two: 1 for U+0001 to U+007F, 2 up to U+07FF and for U+0000, else 3. */
    static long utfBytes(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
        }
        return n;
    }

    /** {@code x}, after its origin's record if {@code sources} (the origins numbered so far) has not got it yet. */
    private static void writeSample(DataOutputStream out, Sample x, Origins sources) throws IOException {
        String source = x.source();
        Integer number = source == null ? null : sources.number(source);
        if (source != null && number == null && (number = sources.add(source)) != null) {
            out.writeByte(SOURCE);
            out.writeUTF(source);
        }
        out.writeByte(SAMPLE);
        out.writeInt(x.inputs().size());
        out.writeInt(x.targets().size());
        out.writeInt(x.weights().size());
        out.writeInt(x.length());
        out.writeLong(x.index());
        out.writeByte(source == null ? NO_SOURCE : number != null ? SOURCE_NUMBER : SOURCE_INLINE);
        if (number != null) out.writeInt(number);
        else if (source != null) out.writeUTF(source);
        for (List<Tensor> l : List.of(x.inputs(), x.targets(), x.weights())) {
            for (Tensor t : l) {
                int[] shape = t.shape();
                out.writeInt(shape.length);
                for (int k : shape) out.writeInt(k);
                for (float v : t.data()) out.writeFloat(v);
            }
        }
    }

    private static StreamOps.Stream read(Path file) {
        Opened o;
        try {
            o = open(file);
        } catch (IOException x) {
            throw failed("could not read " + file, x);
        }
        DataInputStream in = o.in();
        return StreamOps.over(new Iterator<>() {
            Sample next;
            boolean ended;
            long count;
            /** Version 3: the origins' records read so far, by number. */
            final List<String> sources = new ArrayList<>();
            public boolean hasNext() {
                if (next != null || ended) return next != null;
                try {
                    long at = o.at().offset();
                    byte marker = in.readByte();
                    while (marker == SOURCE && o.version() >= 3) {
                        // no writer, this one or an older, records more: a damaged file does not fill memory with them
                        if (sources.size() == MAX_SOURCES) throw damaged(file, at, "an origin record past the " + MAX_SOURCES + " a writer records");
                        sources.add(in.readUTF());
                        at = o.at().offset();
                        marker = in.readByte();
                    }
                    if (marker == END_RECORD) {
                        ended = true;
                        ended(o, count, file);
                    } else if (marker == SAMPLE) {
                        next = readSample(o, sources, file);
                        count++;
                    } else {
                        throw damaged(file, at, "a sample marker " + marker + " after " + count + " samples (expected 1" + (o.version() >= 3 ? ", 2" : "") + ", or 0 at the end)");
                    }
                } catch (IOException x) {
                    throw new DataException(file.toString(), "Dataset.cache: the cache could not be read (stopped at byte " + o.at().offset() + "): " + x
                            + "; delete it to write it again", x);
                }
                return next != null;
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                Sample s = next;
                next = null;
                return s;
            }
        }, () -> {
            try {
                in.close();
            } catch (IOException ignored) {
                // read only
            }
        });
    }

    /** The end record: the count written matches the samples read, then END and the end of the file (else the file is damaged). */
    private static void ended(Opened o, long read, Path file) throws IOException {
        DataInputStream in = o.in();
        long at = o.at().offset();
        long written = in.readLong();
        if (written != read) throw damaged(file, at, "an end record counting " + written + " samples after " + read + " were read");
        byte[] end = new byte[END.length];
        at = o.at().offset();
        in.readFully(end);
        if (!Arrays.equals(end, END)) throw damaged(file, at, "no END after the end record");
        at = o.at().offset();
        if (in.read() != -1) throw damaged(file, at, "bytes after the end record");
    }

    /**
     * The cache's I/O failure {@code x} ({@code what}: "could not write {@code <file>}"): an UncheckedIOException whose
     * IOException's own message is {@code Dataset.cache: <what>: <x>}, {@code x} its cause. Fit, evaluate and predict throw
     * the IOException an UncheckedIOException holds, so the file is named there too (the bare "No space left on device" did
     * not name it).
     */
    private static UncheckedIOException failed(String what, IOException x) {
        String message = "Dataset.cache: " + what + ": " + x;
        return new UncheckedIOException(message, new IOException(message, x));
    }

    /** A damaged cache's failure: the file, the offset of the byte found wrong, what was found and expected. */
    private static DataException damaged(Path file, long offset, String what) {
        return new DataException(file.toString(), "Dataset.cache: the cache is damaged at byte " + offset + ": " + what + "; delete it to write it again", null);
    }

    private static final String[] PARTS = {"inputs", "targets", "weights"};

    /**
     * A sample's record after its marker. A count, rank or dimension no writer could have written, or a tensor of more
     * values than the file holds after it, is the file's damage at that field's byte (not an allocation of what it claims).
     */
    private static Sample readSample(Opened o, List<String> sources, Path file) throws IOException {
        DataInputStream in = o.in();
        int[] n = new int[3];
        for (int k = 0; k < 3; k++) {
            long at = o.at().offset();
            n[k] = in.readInt();
            if (n[k] < 0 || n[k] > MAX_TENSORS) throw damaged(file, at, "a sample of " + n[k] + " " + PARTS[k] + " (expected 0 to " + MAX_TENSORS + ")");
        }
        int length = in.readInt();
        long index = in.readLong();
        String source = o.version() >= 3 ? source(o, sources, file) : in.readBoolean() ? in.readUTF() : null;
        List<List<Tensor>> parts = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            List<Tensor> l = new ArrayList<>(n[k]);
            for (int i = 0; i < n[k]; i++) {
                long start = o.at().offset();
                int rank = in.readInt();
                if (rank < 1 || rank > MAX_RANK) throw damaged(file, start, "a tensor of rank " + rank + " (expected 1 to " + MAX_RANK + ")");
                int[] shape = new int[rank];
                long values = 1;   // saturating: 64 dimensions may overflow a long
                for (int a = 0; a < rank; a++) {
                    long at = o.at().offset();
                    shape[a] = in.readInt();
                    if (shape[a] < 1) throw damaged(file, at, "a tensor's dimension " + shape[a] + " (expected 1 or more)");
                    values = values > Long.MAX_VALUE / shape[a] ? Long.MAX_VALUE : values * shape[a];
                }
                long left = o.at().left() / Float.BYTES;
                if (values > left) {
                    throw damaged(file, start, "a tensor of shape " + Arrays.toString(shape) + " (" + (values == Long.MAX_VALUE ? "more than 2^63" : values)
                            + " values) where " + left + " values' bytes are left in the file");
                }
                float[] v = new float[Tensor.checkedSize("Dataset.cache", shape)];
                for (int j = 0; j < v.length; j++) v[j] = in.readFloat();
                l.add(Tensor.wrap(v, shape));
            }
            parts.add(l);
        }
        return new Sample(parts.get(0), parts.get(1), parts.get(2), length, index, source);
    }

    /** A version 3 sample's origin: none, a record's by number, or in full; an unknown kind or number is the file's damage. */
    private static String source(Opened o, List<String> sources, Path file) throws IOException {
        DataInputStream in = o.in();
        long at = o.at().offset();
        byte kind = in.readByte();
        if (kind == NO_SOURCE) return null;
        if (kind == SOURCE_INLINE) return in.readUTF();
        if (kind != SOURCE_NUMBER) throw damaged(file, at, "a sample's origin of kind " + kind + " (expected 0: none, 1: a recorded origin's number, 2: in full)");
        at = o.at().offset();
        int k = in.readInt();
        if (k < 0 || k >= sources.size()) throw damaged(file, at, "a sample naming origin " + k + " of the " + sources.size() + " recorded before it");
        return sources.get(k);
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless; a leftover lockfile's message says what to do
        }
    }

}
