package io.dsipanama.netio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Arrays;

import io.dsipanama.ffm.Socket;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Sources a receiver accepts datagrams from: IPv4 or IPv6 addresses, each with a port or any port (0).
 * Empty means everyone. Matching reads the kernel's {@code sockaddr} in place and allocates nothing;
 * entries are kept as the raw bytes the kernel writes (network order), so no conversion is needed.
 */
final class AllowList {
    private static final long PORT_AT = 2;
    private static final long IN4_ADDR_AT = 4;
    private static final long IN6_ADDR_AT = 8;

    private short[] families = new short[0];
    private short[] ports = new short[0];
    private long[] addrHi = new long[0];
    private long[] addrLo = new long[0];

    void add(InetSocketAddress source) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(Socket.SOCKADDR_STORAGE);
            Socket.writeSockaddr(sa, source);
            int n = families.length;
            families = Arrays.copyOf(families, n + 1);
            ports = Arrays.copyOf(ports, n + 1);
            addrHi = Arrays.copyOf(addrHi, n + 1);
            addrLo = Arrays.copyOf(addrLo, n + 1);
            families[n] = sa.get(JAVA_SHORT_UNALIGNED, 0);
            ports[n] = sa.get(JAVA_SHORT_UNALIGNED, PORT_AT);
            if (families[n] == Socket.AF_INET) {
                addrLo[n] = Integer.toUnsignedLong(sa.get(JAVA_INT_UNALIGNED, IN4_ADDR_AT));
            } else {
                addrHi[n] = sa.get(JAVA_LONG_UNALIGNED, IN6_ADDR_AT);
                addrLo[n] = sa.get(JAVA_LONG_UNALIGNED, IN6_ADDR_AT + 8);
            }
        }
    }

    boolean isEmpty() {
        return families.length == 0;
    }

    /** Whether the sockaddr at {@code offset} of {@code name} ({@code namelen} bytes room) is allowed. */
    boolean allows(MemorySegment name, long offset) {
        if (families.length == 0) {
            return true;
        }
        short family = name.get(JAVA_SHORT_UNALIGNED, offset);
        short port = name.get(JAVA_SHORT_UNALIGNED, offset + PORT_AT);
        long hi = 0;
        long lo;
        if (family == Socket.AF_INET) {
            lo = Integer.toUnsignedLong(name.get(JAVA_INT_UNALIGNED, offset + IN4_ADDR_AT));
        } else if (family == Socket.AF_INET6) {
            hi = name.get(JAVA_LONG_UNALIGNED, offset + IN6_ADDR_AT);
            lo = name.get(JAVA_LONG_UNALIGNED, offset + IN6_ADDR_AT + 8);
        } else {
            return false;
        }
        for (int i = 0; i < families.length; i++) {
            if (families[i] == family && addrHi[i] == hi && addrLo[i] == lo && (ports[i] == 0 || ports[i] == port)) {
                return true;
            }
        }
        return false;
    }
}
