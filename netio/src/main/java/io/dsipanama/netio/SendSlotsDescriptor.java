package io.dsipanama.netio;

import java.lang.foreign.MemoryLayout.PathElement;

import io.dsipanama.ffm.Socket;

/**
 * The native memory of a {@link UdpSender}: the destination address, then one slot per submission in
 * flight. A slot is one {@code msghdr} whose iovecs alternate wire header and payload, so one SENDMSG
 * carries up to {@link #MAX_SEGMENTS} datagrams when UDP_SEGMENT (GSO) cuts it at
 * {@code datagramBytes}; payload iovecs point straight into the caller's segment (no copy).
 *
 * <pre>
 *  0                  128
 *  +------------------+--------------------------------------------------------------------+---
 *  | sockaddr_storage | slot 0: msghdr | cmsg UDP_SEGMENT | iovec[2 x 64] | header[64 x 48] | slot 1 ...
 *  +------------------+--------------------------------------------------------------------+---
 * </pre>
 *
 * <pre>
 * | offset in slot | size | field          | written by          | read by | ordering                          |
 * | 0              | 56   | msghdr         | ring thread         | kernel  | before the SQE is submitted       |
 * | 64             | 24   | cmsg (u16 size)| ring thread, once   | kernel  | before the first submission       |
 * | 96             | 2048 | iovec pairs    | ring thread         | kernel  | before submit; kept to completion |
 * | 2144           | 3072 | wire headers   | ring thread         | kernel  | before submit; kept until the ZC notification |
 * </pre>
 */
public final class SendSlotsDescriptor {
    /** Datagrams per GSO submission (the kernel's UDP_MAX_SEGMENTS is at least 64). */
    public static final int MAX_SEGMENTS = 64;
    /** Datagrams per GSO submission with SENDMSG_ZC: pinned pages are limited to MAX_SKB_FRAGS (17). */
    public static final int MAX_ZC_SEGMENTS = 4;
    /** Room the kernel accepts in one UDP send (IPv4 length field less IP and UDP headers, rounded down). */
    public static final int MAX_GSO_BYTES = 65000;

    public static final long ADDRESS_LENGTH = Socket.SOCKADDR_STORAGE.byteSize();
    public static final long MSGHDR_OFFSET = 0;
    public static final long CMSG_OFFSET = 64;
    public static final long CMSG_SPACE = Socket.cmsgSpace(Short.BYTES);
    public static final long IOV_OFFSET = 96;
    public static final long IOV_LENGTH = 2L * MAX_SEGMENTS * Socket.IOVEC.byteSize();
    public static final long HEADERS_OFFSET = IOV_OFFSET + IOV_LENGTH;
    public static final long SLOT_LENGTH = align(HEADERS_OFFSET + (long) MAX_SEGMENTS * FrameHeaderDescriptor.LENGTH);

    static final long MSG_NAME = off("msg_name");
    static final long MSG_NAMELEN = off("msg_namelen");
    static final long MSG_IOV = off("msg_iov");
    static final long MSG_IOVLEN = off("msg_iovlen");
    static final long MSG_CONTROL = off("msg_control");
    static final long MSG_CONTROLLEN = off("msg_controllen");
    static final long MSG_FLAGS = off("msg_flags");
    static final long IOV_BASE = Socket.IOVEC.byteOffset(PathElement.groupElement("iov_base"));
    static final long IOV_LEN = Socket.IOVEC.byteOffset(PathElement.groupElement("iov_len"));
    static final long IOVEC_SIZE = Socket.IOVEC.byteSize();
    static final long CMSG_LEN_AT = Socket.CMSGHDR.byteOffset(PathElement.groupElement("cmsg_len"));
    static final long CMSG_LEVEL_AT = Socket.CMSGHDR.byteOffset(PathElement.groupElement("cmsg_level"));
    static final long CMSG_TYPE_AT = Socket.CMSGHDR.byteOffset(PathElement.groupElement("cmsg_type"));

    private SendSlotsDescriptor() {
    }

    /** Memory for {@code slots} slots and the address. */
    public static long length(int slots) {
        return ADDRESS_LENGTH + slots * SLOT_LENGTH;
    }

    public static long slotOffset(int slot) {
        return ADDRESS_LENGTH + slot * SLOT_LENGTH;
    }

    private static long off(String field) {
        return Socket.MSGHDR.byteOffset(PathElement.groupElement(field));
    }

    private static long align(long n) {
        return (n + 63) & -64L;
    }
}
