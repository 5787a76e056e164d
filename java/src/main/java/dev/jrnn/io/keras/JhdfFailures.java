package dev.jrnn.io.keras;

import io.jhdf.exceptions.HdfException;

import java.io.UncheckedIOException;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;

/**
 * Which unchecked exceptions jhdf 0.13 throws for a damaged file, and how jrnn quotes them in its own refusals: jhdf's
 * words name neither the file's object nor the damage, so the readers wrap them ({@link Hdf5Superblock#open},
 * {@link Hdf5Arrays}' attribute and dataset reads).
 */
final class JhdfFailures {
    private JhdfFailures() {}

    /**
     * Whether {@code e} is what jhdf throws on bytes it cannot parse: its own {@link HdfException}s (a checksum, an
     * unknown message or type, a filter failing), and what its parsing of raw bytes throws through the JDK: a buffer
     * read past its end or positioned outside it (BufferUnderflow / BufferOverflow, IndexOutOfBounds,
     * IllegalArgument), a size past an int or a long (ArithmeticException of Math's exact methods), a negative length
     * (NegativeArraySize), a read past the file's end (UncheckedIOException). Not a NullPointerException or an
     * IllegalStateException, which are a bug (jrnn's or jhdf's), not the file's damage.
     */
    static boolean damage(RuntimeException e) {
        return e instanceof HdfException || e instanceof BufferUnderflowException || e instanceof BufferOverflowException
                || e instanceof IndexOutOfBoundsException || e instanceof IllegalArgumentException
                || e instanceof ArithmeticException || e instanceof NegativeArraySizeException || e instanceof UncheckedIOException;
    }

    /**
     * The filter jhdf names when a dataset is stored through one it does not implement (HDF5's scale-offset, N-bit, szip,
     * a plugin such as blosc or zstd), as "name='scaleoffset' id=6"; null for any other failure. Such a file is not damaged:
     * h5py and so Keras read it.
     */
    static String missingFilter(RuntimeException e) {
        String m = e.getMessage();
        if (!(e instanceof io.jhdf.exceptions.HdfFilterException) || m == null) return null;
        int at = m.indexOf("filter is not available");
        if (at < 0) return null;
        int colon = m.indexOf(':', at);
        return colon < 0 ? "unnamed" : m.substring(colon + 1).strip();
    }

    /** {@code e} as jrnn's messages quote it: its class's simple name, then ": " and its message where it has one. */
    static String words(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
