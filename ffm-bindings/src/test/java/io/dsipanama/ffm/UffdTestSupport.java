package io.dsipanama.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Small helpers shared by the userfaultfd tests. */
@SuppressWarnings("restricted")
final class UffdTestSupport {
    private UffdTestSupport() {
    }

    private static final class FaultInjection {
        // native/src/probe/test_seccomp.c, in the test-only probe library
        static final MethodHandle FAIL_IOCTL = Linker.nativeLinker().downcallHandle(
                java.lang.foreign.SymbolLookup.libraryLookup(LayoutProbe.library(), Arena.global())
                        .find("dsi_test_fail_ioctl").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    /**
     * Starts a resolver whose thread sees every {@code ioctl(..., request, ...)} fail with {@code errno}: a
     * throw-away thread installs a seccomp filter on itself and starts the resolver, whose pthread inherits it.
     */
    static UffdResolver startWithFailingIoctl(int uffd, int capacity, long request, int errno) throws Exception {
        CompletableFuture<UffdResolver> started = new CompletableFuture<>();
        Thread starter = Thread.ofPlatform().name("uffd-fault-injector").start(() -> {
            try {
                long rc = (long) FaultInjection.FAIL_IOCTL.invokeExact(request, errno);
                if (rc != 0) {
                    throw new IllegalStateException("dsi_test_fail_ioctl: " + Errno.name((int) -rc));
                }
                started.complete(UffdResolver.start(uffd, capacity));
            } catch (Throwable t) {
                started.completeExceptionally(t);
            }
        });
        UffdResolver resolver = started.get(30, TimeUnit.SECONDS);
        starter.join();
        return resolver;
    }

    /** One event as {@link UffdResolver#poll} handed it over (tests may allocate). */
    record Event(int kind, long address, long end, long timeNs, int tid) {
        @Override
        public String toString() {
            return kindName(kind) + "@0x" + Long.toHexString(address) + "-0x" + Long.toHexString(end) + " tid=" + tid;
        }
    }

    static List<Event> drain(UffdResolver resolver) {
        List<Event> events = new ArrayList<>();
        resolver.poll((kind, address, end, timeNs, tid) -> events.add(new Event(kind, address, end, timeNs, tid)),
                Integer.MAX_VALUE);
        return events;
    }

    static String kindName(int kind) {
        return switch (kind) {
            case UffdResolver.DSI_UFFD_EVENT_MISSING -> "MISSING";
            case UffdResolver.DSI_UFFD_EVENT_MINOR -> "MINOR";
            case UffdResolver.DSI_UFFD_EVENT_WP -> "WP";
            case UffdResolver.DSI_UFFD_EVENT_REMOVE -> "REMOVE";
            case UffdResolver.DSI_UFFD_EVENT_OTHER -> "OTHER";
            default -> "kind " + kind;
        };
    }

    /** A descriptor closed exactly once, for try-with-resources. */
    static final class OwnedFd implements AutoCloseable {
        private int fd;

        OwnedFd(int fd) {
            this.fd = fd;
        }

        int fd() {
            return fd;
        }

        @Override
        public void close() {
            if (fd >= 0) {
                Unistd.close(fd);
                fd = -1;
            }
        }
    }
}
