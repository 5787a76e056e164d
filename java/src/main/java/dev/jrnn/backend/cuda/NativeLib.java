package dev.jrnn.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A shared library opened with the C library's {@code dlopen} (called through FFM), so that a failure
 * carries {@code dlerror()}'s reason ("file too short", "cannot open shared object file", ...), which
 * {@link SymbolLookup#libraryLookup} does not report. Libraries stay loaded for the life of the process.
 *
 * <p>{@link #downcall} resolves the first of several candidate symbol names (e.g. {@code cuMemAlloc_v2})
 * and records which one was used ({@link #resolvedNames()}).
 *
 * <pre>{@code
 * NativeLib libc = NativeLib.open("libc.so.6", false);
 * MethodHandle strlen = libc.downcall(FunctionDescriptor.of(JAVA_LONG, ADDRESS), "strlen");
 * }</pre>
 */
public final class NativeLib implements SymbolLookup {
    static final int RTLD_NOW = 2;
    static final int RTLD_GLOBAL = 0x100;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle DLOPEN;
    private static final MethodHandle DLSYM;
    private static final MethodHandle DLERROR;

    static {
        SymbolLookup libc = LINKER.defaultLookup();
        DLOPEN = libc.find("dlopen").map(a -> LINKER.downcallHandle(a,
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT))).orElse(null);
        DLSYM = libc.find("dlsym").map(a -> LINKER.downcallHandle(a,
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS))).orElse(null);
        DLERROR = libc.find("dlerror").map(a -> LINKER.downcallHandle(a,
                FunctionDescriptor.of(ValueLayout.ADDRESS))).orElse(null);
    }

    private final String name;
    private final MemorySegment handle;      // dlopen handle, or NULL when 'fallback' is used
    private final SymbolLookup fallback;     // SymbolLookup.libraryLookup where dlopen is not reachable
    private final Map<String, String> resolved = new ConcurrentHashMap<>();

    private NativeLib(String name, MemorySegment handle, SymbolLookup fallback) {
        this.name = name;
        this.handle = handle;
        this.fallback = fallback;
    }

    /**
     * Opens a library by soname ({@code libcuda.so.1}, searched by the dynamic loader) or by path
     * (contains a '/'). {@code global} makes its symbols available to libraries loaded later.
     *
     * @throws CudaException (code -1, {@code LIBRARY_NOT_FOUND}) with the loader's reason
     */
    public static NativeLib open(String nameOrPath, boolean global) {
        if (DLOPEN == null || DLERROR == null || DLSYM == null) {
            try {
                SymbolLookup l = nameOrPath.indexOf('/') >= 0
                        ? SymbolLookup.libraryLookup(java.nio.file.Path.of(nameOrPath), Arena.global())
                        : SymbolLookup.libraryLookup(nameOrPath, Arena.global());
                return new NativeLib(nameOrPath, MemorySegment.NULL, l);
            } catch (IllegalArgumentException e) {
                throw new CudaException("dlopen " + nameOrPath, CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND",
                        e.getMessage(), e);
            }
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = (MemorySegment) DLOPEN.invokeExact(a.allocateFrom(nameOrPath),
                    RTLD_NOW | (global ? RTLD_GLOBAL : 0));
            if (h.address() == 0) {
                throw new CudaException("dlopen " + nameOrPath, CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND",
                        lastError());
            }
            return new NativeLib(nameOrPath, h, null);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("dlopen " + nameOrPath, CudaException.NOT_A_CUDA_CODE, "LIBRARY_NOT_FOUND",
                    t.toString(), t);
        }
    }

    private static String lastError() throws Throwable {
        MemorySegment e = (MemorySegment) DLERROR.invokeExact();
        return e.address() == 0 ? "unknown dlopen error" : e.reinterpret(4096).getString(0);
    }

    /** The soname or path this library was opened with. */
    public String name() {
        return name;
    }

    @Override
    public Optional<MemorySegment> find(String symbol) {
        if (fallback != null) return fallback.find(symbol);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = (MemorySegment) DLSYM.invokeExact(handle, a.allocateFrom(symbol));
            return s.address() == 0 ? Optional.empty() : Optional.of(s);
        } catch (Throwable t) {
            return Optional.empty();
        }
    }

    /**
     * A downcall handle to the first of {@code names} this library exports.
     *
     * @throws CudaException (code -1, {@code SYMBOL_NOT_FOUND}) listing every name tried
     */
    public MethodHandle downcall(FunctionDescriptor fd, String... names) {
        for (String n : names) {
            Optional<MemorySegment> s = find(n);
            if (s.isPresent()) {
                resolved.put(names[0], n);
                return LINKER.downcallHandle(s.get(), fd);
            }
        }
        throw new CudaException("dlsym", CudaException.NOT_A_CUDA_CODE, "SYMBOL_NOT_FOUND",
                "none of " + Arrays.toString(names) + " is exported by " + name);
    }

    /** Like {@link #downcall} but null when none of the names is exported (optional entry points). */
    public MethodHandle downcallOrNull(FunctionDescriptor fd, String... names) {
        try {
            return downcall(fd, names);
        } catch (CudaException e) {
            return null;
        }
    }

    /** For each first-choice name passed to {@link #downcall}, the symbol actually bound. */
    public Map<String, String> resolvedNames() {
        return Map.copyOf(resolved);
    }

    @Override
    public String toString() {
        return "NativeLib[" + name + "]";
    }
}
