package io.dsipanama.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Where every downcall handle of the bindings comes from: libc through the linker's default lookup, the
 * shim ({@code libdsinative.so}, with liburing linked in statically) through {@link NativeLibrary}.
 *
 * <p>Only binding classes of this package call it; no other module touches {@link Linker} (STYLE.md
 * rule 1), so {@code grep -rn "restricted"} shows the whole unsafe surface.
 */
@SuppressWarnings("restricted")
final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();

    /** Captures errno into the caller's state segment: the handle takes that segment as first argument. */
    static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    /** For short calls that never block and take no heap segments (STYLE.md rule 3). */
    static final Linker.Option CRITICAL = Linker.Option.critical(false);

    private Native() {
    }

    static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(find(LIBC, "libc", name), descriptor, options);
    }

    static MethodHandle shim(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(find(NativeLibrary.lookup(), NativeLibrary.NAME, name), descriptor, options);
    }

    /**
     * Rethrows what {@code invokeExact} threw: downcalls throw nothing checked, so anything here is an
     * error or a runtime exception from argument checks (e.g. a closed segment).
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("downcall threw a checked exception", t);
    }

    private static java.lang.foreign.MemorySegment find(SymbolLookup lookup, String library, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError(library + " has no symbol " + name));
    }
}
