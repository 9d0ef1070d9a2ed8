package io.dsipanama.ffm;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every constant and struct layout the bindings declare is compared with what the C headers say.
 *
 * <p>Discovery is automatic, so a new binding cannot slip past: every {@code public static final}
 * integral field with an upper-case name in a class of {@code io.dsipanama.ffm} (nested classes included)
 * is a C constant and needs a {@code PROBE_CONST}; every {@code public static final} {@link GroupLayout}
 * needs its {@code sizeof} and the {@code offsetof} of every named member (anonymous unions and structs
 * are looked through, nested named ones are joined with '.').
 */
class LayoutConformanceTest {
    private static Map<String, Long> probe;

    @BeforeAll
    static void loadProbe() {
        probe = LayoutProbe.entries();
    }

    @Test
    void everyConstantMatchesTheHeaders() throws Exception {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Class<?> c : bindingClasses()) {
            for (Field f : c.getDeclaredFields()) {
                if (!isPublicConstant(f) || !f.getName().matches("[A-Z_][A-Z0-9_]*")) {
                    continue;
                }
                long javaValue;
                if (f.getType() == int.class) {
                    javaValue = f.getInt(null);
                } else if (f.getType() == long.class) {
                    javaValue = f.getLong(null);
                } else if (f.getType() == short.class) {
                    javaValue = f.getShort(null);
                } else if (f.getType() == byte.class) {
                    javaValue = f.getByte(null);
                } else {
                    continue;
                }
                checked++;
                Long cValue = probe.get(f.getName());
                String where = c.getSimpleName() + "." + f.getName();
                if (cValue == null) {
                    problems.add(where + " has no probe entry: add PROBE_CONST(" + f.getName()
                            + ") to native/src/probe/probe_*.c");
                } else if (!sameBits(cValue, javaValue, f.getType())) {
                    problems.add(where + " = " + javaValue + " (0x" + Long.toHexString(javaValue) + ") but C says "
                            + cValue + " (0x" + Long.toHexString(cValue) + ")");
                }
            }
        }
        report(problems, checked, "constants");
    }

    @Test
    void everyLayoutMatchesTheHeaders() throws Exception {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Class<?> c : bindingClasses()) {
            for (Field f : c.getDeclaredFields()) {
                if (!isPublicConstant(f) || !GroupLayout.class.isAssignableFrom(f.getType())) {
                    continue;
                }
                GroupLayout layout = (GroupLayout) f.get(null);
                String where = c.getSimpleName() + "." + f.getName();
                String type = layout.name().orElse(null);
                if (type == null) {
                    problems.add(where + " has no name: name it after its C type with withName(\"...\")");
                    continue;
                }
                checked++;
                Long size = probe.get("sizeof:" + type);
                if (size == null) {
                    problems.add(where + ": no probe entry sizeof:" + type + " (add PROBE_SIZEOF)");
                } else if (size != layout.byteSize()) {
                    problems.add(where + ": sizeof(" + type + ") is " + size + " in C, " + layout.byteSize() + " in Java");
                }
                checked += checkMembers(where, type, "", 0, layout, problems);
            }
        }
        report(problems, checked, "sizes and offsets");
    }

    @Test
    void compatConstantsAreReported() {
        TreeSet<String> compat = new TreeSet<>();
        probe.keySet().stream().filter(k -> k.startsWith("compat:")).forEach(k -> compat.add(k.substring(7)));
        System.out.println("constants from native/include/dsi_uapi_compat.h (absent from this machine's headers): "
                + (compat.isEmpty() ? "none" : compat));
        for (String name : compat) {
            assertTrue(probe.containsKey(name), "compat constant " + name + " is also probed by value");
        }
    }

    private static int checkMembers(String where, String type, String prefix, long base, GroupLayout group,
                                    List<String> problems) {
        int checked = 0;
        long offset = 0;
        for (MemoryLayout member : group.memberLayouts()) {
            long memberOffset = base + (group instanceof java.lang.foreign.UnionLayout ? 0 : offset);
            if (!(group instanceof java.lang.foreign.UnionLayout)) {
                offset += member.byteSize();
            }
            if (member instanceof PaddingLayout) {
                continue;
            }
            if (member.name().isEmpty()) {
                if (member instanceof GroupLayout anonymous) {
                    checked += checkMembers(where, type, prefix, memberOffset, anonymous, problems);
                } else {
                    problems.add(where + ": a member at offset " + memberOffset + " has no name");
                }
                continue;
            }
            String path = prefix + member.name().get();
            String key = "offsetof:" + type + "." + path;
            Long cOffset = probe.get(key);
            checked++;
            if (cOffset == null) {
                problems.add(where + ": no probe entry " + key + " (add PROBE_OFFSETOF(" + type + ", ..., " + path + "))");
            } else if (cOffset != memberOffset) {
                problems.add(where + ": offsetof(" + type + ", " + path + ") is " + cOffset + " in C, "
                        + memberOffset + " in Java");
            }
            if (member instanceof GroupLayout nested) {
                checked += checkMembers(where, type, path + ".", memberOffset, nested, problems);
            }
        }
        return checked;
    }

    private static boolean sameBits(long c, long java, Class<?> type) {
        if (type == int.class) {
            return (int) c == (int) java;
        }
        if (type == short.class) {
            return (short) c == (short) java;
        }
        if (type == byte.class) {
            return (byte) c == (byte) java;
        }
        return c == java;
    }

    private static boolean isPublicConstant(Field f) {
        int m = f.getModifiers();
        return Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m);
    }

    private static void report(List<String> problems, int checked, String what) {
        System.out.println("layout conformance: " + checked + " " + what + " checked against the C headers");
        if (!problems.isEmpty()) {
            fail(problems.size() + " mismatch(es) between the bindings and the C headers:\n  "
                    + String.join("\n  ", problems));
        }
        assertTrue(checked > 0, "nothing was checked: is the class discovery broken?");
    }

    /** Every class compiled into io/dsipanama/ffm of the main output, nested classes included. */
    static List<Class<?>> bindingClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(Errno.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("io/dsipanama/ffm");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String simple = p.getFileName().toString().replace(".class", "");
                classes.add(Class.forName("io.dsipanama.ffm." + simple, true, Errno.class.getClassLoader()));
            }
        }
        return classes;
    }
}
