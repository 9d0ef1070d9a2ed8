package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads every entry of the test-only layout probe ({@code native/src/probe}), built from the real C
 * headers: constants by C name, {@code sizeof:TYPE}, {@code offsetof:TYPE.member}, {@code compat:NAME}.
 */
@SuppressWarnings("restricted")
final class LayoutProbe {
    private LayoutProbe() {
    }

    static Path library() {
        String dir = System.getProperty("dsi.native.testdir");
        if (dir == null) {
            throw new IllegalStateException("-Ddsi.native.testdir is not set (Surefire sets it)");
        }
        Path lib = Path.of(dir, "libdsiprobe.so");
        if (!Files.isRegularFile(lib)) {
            throw new IllegalStateException(lib + " is missing: build the native module first");
        }
        return lib;
    }

    static Map<String, Long> entries() {
        Linker linker = Linker.nativeLinker();
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup probe = SymbolLookup.libraryLookup(library(), arena);
            MethodHandle count = linker.downcallHandle(probe.find("dsi_probe_count").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG));
            MethodHandle name = linker.downcallHandle(probe.find("dsi_probe_name").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS, JAVA_LONG));
            MethodHandle value = linker.downcallHandle(probe.find("dsi_probe_value").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
            Map<String, Long> entries = new TreeMap<>();
            long n = (long) count.invokeExact();
            for (long i = 0; i < n; i++) {
                String key = ((MemorySegment) name.invokeExact(i)).reinterpret(512).getString(0);
                long v = (long) value.invokeExact(i);
                Long previous = entries.put(key, v);
                if (previous != null && previous != v) {
                    throw new IllegalStateException("probe reports " + key + " twice: " + previous + " and " + v);
                }
            }
            return entries;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
