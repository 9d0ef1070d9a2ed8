package io.dsipanama.ffm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Loads {@code libdsinative.so}: from {@code -Ddsi.native.lib=PATH} when set, otherwise extracted from
 * {@code META-INF/native/linux-x86_64/} on the class path into a per-user cache directory named after the
 * library's SHA-256 (so two versions never overwrite each other and a running process never sees its
 * library replaced), then opened with {@link SymbolLookup#libraryLookup(Path, Arena)} in the global arena.
 */
@SuppressWarnings("restricted")
public final class NativeLibrary {
    static final String NAME = "libdsinative.so";
    static final String RESOURCE = "META-INF/native/linux-x86_64/" + NAME;

    private NativeLibrary() {
    }

    private static final class Holder {
        static final Path PATH = locate();
        static final SymbolLookup LOOKUP = SymbolLookup.libraryLookup(PATH, Arena.global());
    }

    static SymbolLookup lookup() {
        return Holder.LOOKUP;
    }

    /** The file the shim was loaded from (loading it if not yet loaded). */
    public static Path path() {
        return Holder.PATH;
    }

    private static Path locate() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!"Linux".equals(os) || !("amd64".equals(arch) || "x86_64".equals(arch))) {
            throw new UnsatisfiedLinkError("DSI-Panama needs Linux x86_64; this is " + os + " " + arch);
        }
        String override = System.getProperty("dsi.native.lib");
        if (override != null) {
            return Path.of(override);
        }
        byte[] bytes;
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new UnsatisfiedLinkError(RESOURCE + " is not on the class path: is dsi-native's jar missing?");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
        try {
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"),
                    "dsi-panama-" + System.getProperty("user.name"), digest);
            Path lib = dir.resolve(NAME);
            if (Files.isRegularFile(lib) && Files.size(lib) == bytes.length) {
                return lib;
            }
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = Files.createTempFile(dir, NAME, ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
            }
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting " + NAME, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
