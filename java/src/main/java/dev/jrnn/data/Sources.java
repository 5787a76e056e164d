package dev.jrnn.data;

import dev.jrnn.io.FileFaults;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opens files and tensors as the columns of a data set: one place for each format's mapping. */
final class Sources {
    private Sources() {}

    static Column tensor(Tensor t, String name) throws IOException {
        if (t == null) throw new IllegalArgumentException("Dataset: " + name + " is null");
        return new Column.Dense(ArrayData.of(t, name));
    }

    static Column npy(Path file) throws IOException {
        return new Column.Dense(Npy.map(file));
    }

    static Column npz(Path file, String name) throws IOException {
        return new Column.Dense(Npz.map(file, name));
    }

    static Column safetensors(Path file, String name) throws IOException {
        return new Column.Dense(safetensorsArray(file, name));
    }

    /**
     * The tensor {@code name} of {@code file}, its layout and its mapping from one open handle (FileFaults' read holds it):
     * a save renaming a new file over the path in between cannot give the new file's bytes at the old layout's offsets,
     * and one renamed over it during the read leaves the version read whole (kept, not read again).
     */
    private static ArrayData safetensorsArray(Path file, String name) throws IOException {
        return FileFaults.readThroughChannel(file, () -> {
            List<SafeTensors.Layout> all = SafeTensors.layout(file);   // through the read's handle
            for (SafeTensors.Layout l : all) {
                if (!l.name().equals(name)) continue;
                DType t = DType.ofSafetensors(l.dtype());
                if (t == null) throw new IOException(file + ": tensor '" + name + "' has unsupported dtype " + l.dtype());
                long[] shape = new long[l.shape().length];
                for (int i = 0; i < shape.length; i++) shape[i] = l.shape()[i];
                try (FileChannel ch = FileFaults.channel(file)) {
                    return ArrayData.map(ch, file, file + ":" + name, t, ByteOrder.LITTLE_ENDIAN, shape, l.offset(), l.bytes());
                }
            }
            throw new IOException(file + ": no tensor '" + name + "' (it holds " + all.stream().map(SafeTensors.Layout::name).toList() + ")");
        });
    }

    /** Column {@code name} of a shard file, by its extension. */
    static Column member(Path file, String name) throws IOException {
        String f = file.getFileName().toString();
        if (f.endsWith(".npz")) return npz(file, name);
        if (f.endsWith(".safetensors")) return safetensors(file, name);
        throw new IOException(file + ": not a .npz or .safetensors shard");
    }

    /**
     * The files of a shard directory, sorted by name: {@code <name>-<shard>.npy} for one array per file ({@code <shard>}
     * without a '-', so {@code x-val-000.npy} is a shard of {@code x-val}, not of {@code x}; the name is taken literally,
     * not as a glob), or every {@code *.npz} / {@code *.safetensors} holding all arrays by name.
     */
    static Column shards(Path dir, String name) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a directory of shards");
        String prefix = name + "-";
        List<Path> npy = list(dir, f -> f.startsWith(prefix) && f.endsWith(".npy")
                && f.indexOf('-', prefix.length()) < 0 && f.length() > prefix.length() + 4);
        List<Column> parts = new ArrayList<>();
        if (!npy.isEmpty()) {
            for (Path p : npy) parts.add(npy(p));
        } else {
            for (Path p : list(dir, f -> f.endsWith(".npz") || f.endsWith(".safetensors"))) parts.add(member(p, name));
        }
        if (parts.isEmpty()) throw new IOException(dir + ": no shards for '" + name + "' (" + name + "-*.npy, *.npz or *.safetensors)");
        return Column.Concat.of(parts);
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<String> fileName) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> fileName.test(p.getFileName().toString()))) {
            for (Path p : ds) if (Files.isRegularFile(p)) out.add(p);
        }
        out.sort(null);
        return out;
    }

    /** Sequence offsets (N + 1 integers) read from an integer {@code .npy}. */
    static long[] offsets(Path file) throws IOException {
        ArrayData a = Npy.map(file);
        if (!a.dtype.isInteger() || a.shape.length != 1) {
            throw new IOException(file + ": offsets must be a 1-d integer array (N + 1 row splits), got " + a.dtype + " "
                    + java.util.Arrays.toString(a.shape));
        }
        if (a.shape[0] > Integer.MAX_VALUE - 8) throw new IOException(file + ": more than 2^31 - 9 offsets");
        try {
            return a.toLongs();
        } catch (UncheckedIOException e) {
            throw e.getCause();   // the file shrank since it was opened: FileFaults' "changed"
        }
    }

    /** A ragged column of {@code values} and {@code offsets}. */
    static Column ragged(ArrayData values, long[] offsets, String offsetsSource) throws IOException {
        return new Column.Ragged(values, offsets, offsetsSource);
    }

    static ArrayData values(Tensor t, String name) {
        return ArrayData.of(t, name);
    }

    static ArrayData valuesNpy(Path file) throws IOException {
        return Npy.map(file);
    }

    /** Targets of a ragged set: one row per sequence, or (when the rows match the steps) one per step. */
    static Column raggedTargets(ArrayData y, long[] offsets) throws IOException {
        long n = offsets.length - 1, steps = offsets[offsets.length - 1];
        if (y.shape.length > 0 && y.shape[0] == n) return new Column.Dense(y);
        if (y.shape.length > 0 && y.shape[0] == steps) return new Column.Ragged(y, offsets, y.source);
        throw new IOException(y.source + ": targets have " + (y.shape.length == 0 ? 0 : y.shape[0]) + " rows; expected "
                + n + " (one per sequence) or " + steps + " (one per step)");
    }

}
