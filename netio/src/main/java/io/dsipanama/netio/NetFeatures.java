package io.dsipanama.netio;

import java.util.ArrayList;
import java.util.List;

import io.dsipanama.ffm.ErrnoException;
import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.IoUringFeatures;
import io.dsipanama.ffm.Socket;
import io.dsipanama.ffm.Unistd;

/**
 * What netio will use on this machine: the io_uring features probed once per process by
 * {@link IoUringFeatures} (each exercised for real), plus UDP GSO (a {@code UDP_SEGMENT} setsockopt on a
 * scratch socket), intersected with what a {@link NetContext} allows. Every feature that is not used is
 * reported with the fallback taken and why ({@link #fallbacks()}): nothing is downgraded silently.
 *
 * <table>
 * <caption>Features and their fallbacks</caption>
 * <tr><th>feature</th><th>fallback</th></tr>
 * <tr><td>SINGLE_ISSUER | DEFER_TASKRUN</td><td>SINGLE_ISSUER alone, else plain setup</td></tr>
 * <tr><td>SQPOLL (asked for)</td><td>submission by io_uring_enter</td></tr>
 * <tr><td>SENDMSG_ZC</td><td>SENDMSG (copying)</td></tr>
 * <tr><td>multishot RECVMSG + provided buffer ring</td><td>single-shot RECVMSG into own buffers</td></tr>
 * <tr><td>UDP_SEGMENT (GSO)</td><td>one SENDMSG per datagram</td></tr>
 * <tr><td>FUTEX_WAIT on the ring (Linux 6.7)</td><td>the ring wakes on a timer to poll the streams it sends</td></tr>
 * </table>
 */
public final class NetFeatures {
    /** One feature not used, what is used instead, and why. */
    public record Fallback(String feature, String replacement, String reason) {
        @Override
        public String toString() {
            return feature + " -> " + replacement + " (" + reason + ")";
        }
    }

    private final boolean deferTaskrun;
    private final boolean singleIssuer;
    private final boolean sqpoll;
    private final boolean sendmsgZc;
    private final boolean multishot;
    private final boolean gso;
    private final boolean futexWait;
    private final List<Fallback> fallbacks;

    private NetFeatures(NetContext ctx, List<Feature> probed, Feature gsoFeature) {
        List<Fallback> out = new ArrayList<>();
        Feature single = find(probed, "io_uring_single_issuer");
        Feature defer = find(probed, "io_uring_defer_taskrun");
        Feature sq = find(probed, "io_uring_sqpoll");
        Feature zc = find(probed, "io_uring_sendmsg_zc");
        Feature ms = find(probed, "io_uring_recv_multishot");
        Feature br = find(probed, "io_uring_buf_ring");
        Feature fw = find(probed, "io_uring_futex_wait");

        sqpoll = ctx.sqpoll() && use(ctx, NetContext.Feature.SQPOLL, sq, "submission by io_uring_enter", out);
        boolean deferOk;
        if (sqpoll) {
            // the kernel refuses DEFER_TASKRUN together with SQPOLL
            out.add(new Fallback(NetContext.Feature.DEFER_TASKRUN.name(), "task work run by the SQPOLL thread",
                    "SQPOLL excludes DEFER_TASKRUN"));
            deferOk = false;
        } else {
            deferOk = use(ctx, NetContext.Feature.DEFER_TASKRUN, defer, "COOP_TASKRUN", out);
        }
        singleIssuer = use(ctx, NetContext.Feature.SINGLE_ISSUER, single, "plain setup (any thread may submit)", out);
        deferTaskrun = deferOk && singleIssuer;
        sendmsgZc = use(ctx, NetContext.Feature.SENDMSG_ZC, zc, "SENDMSG (copying)", out);
        boolean msOk = use(ctx, NetContext.Feature.MULTISHOT, ms, "single-shot RECVMSG", out);
        boolean brOk = use(ctx, NetContext.Feature.BUF_RING, br, "own buffers", out);
        multishot = msOk && brOk;
        gso = use(ctx, NetContext.Feature.GSO, gsoFeature, "one SENDMSG per datagram", out);
        futexWait = use(ctx, NetContext.Feature.FUTEX_WAIT, fw,
                "polling the streams it sends between timed sleeps in the ring", out);
        fallbacks = List.copyOf(out);
    }

    /** The features a context gets here; the kernel is probed once per process, the context applied each call. */
    public static NetFeatures of(NetContext ctx) {
        return new NetFeatures(ctx.conclude(), IoUringFeatures.features(), Gso.FEATURE);
    }

    private static boolean use(NetContext ctx, NetContext.Feature which, Feature probed, String replacement,
                               List<Fallback> out) {
        if (ctx.isDisabled(which)) {
            out.add(new Fallback(which.name(), replacement, "disabled by configuration"));
            return false;
        }
        if (!probed.available()) {
            out.add(new Fallback(which.name(), replacement, probed.detail()));
            return false;
        }
        return true;
    }

    private static Feature find(List<Feature> probed, String name) {
        for (Feature f : probed) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return Feature.no(name, "not probed");
    }

    private static final class Gso {
        static final Feature FEATURE = probe();

        private static Feature probe() {
            int fd = -1;
            try {
                fd = Socket.socket(Socket.AF_INET, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
                Socket.setsockoptInt(fd, Socket.SOL_UDP, Socket.UDP_SEGMENT, 1400);
                return Feature.yes("udp_gso", "setsockopt(UDP_SEGMENT) accepted");
            } catch (ErrnoException e) {
                return Feature.no("udp_gso", e.getMessage());
            } finally {
                if (fd >= 0) {
                    Unistd.close(fd);
                }
            }
        }
    }

    public boolean deferTaskrun() {
        return deferTaskrun;
    }

    public boolean singleIssuer() {
        return singleIssuer;
    }

    public boolean sqpoll() {
        return sqpoll;
    }

    public boolean sendmsgZc() {
        return sendmsgZc;
    }

    /** Multishot RECVMSG with a provided buffer ring (both are needed for the throughput receive path). */
    public boolean multishot() {
        return multishot;
    }

    public boolean gso() {
        return gso;
    }

    /** IORING_OP_FUTEX_WAIT: a ring can sleep on a stream's data futex together with its sockets. */
    public boolean futexWait() {
        return futexWait;
    }

    /** Every feature not used, with its replacement and reason. */
    public List<Fallback> fallbacks() {
        return fallbacks;
    }

    @Override
    public String toString() {
        return "NetFeatures[deferTaskrun=" + deferTaskrun + ", singleIssuer=" + singleIssuer + ", sqpoll=" + sqpoll
                + ", sendmsgZc=" + sendmsgZc + ", multishot=" + multishot + ", gso=" + gso + ", futexWait=" + futexWait + ", fallbacks="
                + fallbacks + "]";
    }
}
