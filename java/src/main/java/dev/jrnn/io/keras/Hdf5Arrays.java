package dev.jrnn.io.keras;

import dev.jrnn.tensor.Tensor;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads what Keras stores in HDF5 (string attributes, float datasets) into Java values, checking each. */
final class Hdf5Arrays {
    /** Largest weight array accepted (elements): a Java float[] cannot hold more. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Hdf5Arrays() {}

    /** A string attribute (scalar string or bytes), or null when absent. */
    static String stringAttribute(Node node, String name) {
        Attribute a = node.getAttribute(name);
        if (a == null) return null;
        Object d = a.getData();
        if (d instanceof String s) return s;
        if (d instanceof String[] arr && arr.length == 1) return arr[0];
        if (d instanceof byte[] b) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        throw new KerasFormatException("attribute '" + name + "' of " + node.getPath() + " should be a string, got "
                + (d == null ? "null" : d.getClass().getSimpleName()));
    }

    /**
     * A list-of-strings attribute as Keras writes it: {@code name}, or when too long for one HDF5 attribute,
     * {@code name0}, {@code name1}, ... concatenated. Null when absent; an empty float array reads as empty.
     */
    static List<String> stringList(Node node, String name) {
        if (node.getAttribute(name) != null) return strings(node.getAttribute(name), node, name);
        List<String> r = new ArrayList<>();
        boolean any = false;
        for (int k = 0; node.getAttribute(name + k) != null; k++) {
            any = true;
            r.addAll(strings(node.getAttribute(name + k), node, name + k));
        }
        return any ? r : null;
    }

    private static List<String> strings(Attribute a, Node node, String name) {
        if (a.isEmpty()) return List.of();   // h5py writes an empty list of names as an empty (null-space) array
        Object d = a.getData();
        if (d instanceof String[] arr) return Arrays.asList(arr);
        if (d instanceof String s) return List.of(s);
        // h5py writes an empty list of names as an empty float64 array
        if (d != null && d.getClass().isArray() && java.lang.reflect.Array.getLength(d) == 0) return List.of();
        throw new KerasFormatException("attribute '" + name + "' of " + node.getPath() + " should be a list of strings, got "
                + (d == null ? "null" : d.getClass().getSimpleName()));
    }

    /** A float32 or float64 dataset as a tensor of its shape, after checking dtype and size. */
    static Tensor tensor(Dataset ds, long fileBytes) {
        String path = ds.getPath();
        Class<?> type = ds.getJavaType();
        if (type != float.class && type != double.class) {
            throw new KerasFormatException("dataset " + path + " holds " + type.getSimpleName()
                    + " values, expected float32 or float64 weights");
        }
        if (ds.isCompound() || ds.isVariableLength()) throw new KerasFormatException("dataset " + path + " is not a plain float array");
        long[] dims = ds.getDimensionsAsLong();
        long n = 1;
        for (long d : dims) {
            if (d < 0 || d > MAX_ELEMENTS || (d > 0 && n > MAX_ELEMENTS / d)) {
                throw new KerasFormatException("dataset " + path + " has dimensions " + Arrays.toString(dims) + ": too large");
            }
            n *= d;
        }
        long bytes = n * (type == float.class ? 4 : 8);
        if (ds.getFilters().isEmpty() && bytes > fileBytes) {
            throw new KerasFormatException("dataset " + path + " claims " + Arrays.toString(dims) + " (" + bytes
                    + " bytes), more than the whole file (" + fileBytes + " bytes)");
        }
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = (int) dims[i];
        if (n == 0) return Tensor.zeros(shape);
        Object flat = ds.getDataFlat();
        float[] f;
        if (flat instanceof float[] fa) {
            f = fa;
        } else if (flat instanceof double[] da) {
            f = new float[da.length];
            for (int i = 0; i < da.length; i++) f[i] = (float) da[i];
        } else {
            throw new KerasFormatException("dataset " + path + " did not read as floats");
        }
        if (f.length != n) throw new KerasFormatException("dataset " + path + " holds " + f.length + " values, its shape says " + n);
        return Tensor.wrap(f, shape);   // f is this method's own array: no copy
    }
}
