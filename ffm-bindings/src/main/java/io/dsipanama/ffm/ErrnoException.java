package io.dsipanama.ffm;

/**
 * A system call or libc function failed. Names the call, its arguments, errno's symbolic name and
 * {@code strerror}: {@code mmap(len=4096, prot=0x1, flags=0x1, fd=7, offset=0): EACCES (Permission denied)}.
 *
 * <p>The one exception type of the bindings. Expected outcomes (EAGAIN, EINTR, ETIMEDOUT where a
 * method says so) are return values, never this.
 */
public final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public ErrnoException(String call, String arguments, int errno) {
        super(call + "(" + arguments + "): " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /**
     * Builds the exception from alternating names and values; only evaluated on the failure path.
     * Integer values named {@code flags}, {@code prot}, {@code mode} or {@code op} print in hex.
     */
    public static ErrnoException of(String call, int errno, Object... namesAndValues) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            String name = String.valueOf(namesAndValues[i]);
            Object value = namesAndValues[i + 1];
            sb.append(name).append('=');
            if (value instanceof Number n && (name.endsWith("flags") || name.equals("prot")
                    || name.equals("mode") || name.equals("op") || name.equals("request") || name.equals("addr"))) {
                sb.append("0x").append(Long.toHexString(n.longValue()));
            } else if (value instanceof java.lang.foreign.MemorySegment s) {
                sb.append("0x").append(Long.toHexString(s.address()));
            } else {
                sb.append(value);
            }
        }
        return new ErrnoException(call, sb.toString(), errno);
    }

    /** The call that failed, by its C name. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
