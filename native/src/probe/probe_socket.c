/*
 * <sys/socket.h>, <netinet/in.h>, <netinet/ip.h>, <netinet/tcp.h>, <netinet/udp.h>: Socket.
 * <netinet/udp.h> carries UDP_SEGMENT/UDP_GRO/SOL_UDP; <linux/udp.h> has the same values but redefines
 * struct udphdr, so the two are not mixed in one translation unit.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include "probe.h"

PROBE_CONST(AF_UNSPEC); PROBE_CONST(AF_INET); PROBE_CONST(AF_INET6);
PROBE_CONST(SOCK_STREAM); PROBE_CONST(SOCK_DGRAM); PROBE_CONST(SOCK_NONBLOCK); PROBE_CONST(SOCK_CLOEXEC);
PROBE_CONST(IPPROTO_IP); PROBE_CONST(IPPROTO_TCP); PROBE_CONST(IPPROTO_UDP); PROBE_CONST(IPPROTO_IPV6);
PROBE_CONST(SOL_SOCKET); PROBE_CONST(SOL_IP); PROBE_CONST(SOL_TCP); PROBE_CONST(SOL_UDP);
PROBE_CONST(SO_REUSEADDR); PROBE_CONST(SO_ERROR); PROBE_CONST(SO_SNDBUF); PROBE_CONST(SO_RCVBUF);
PROBE_CONST(SO_PRIORITY); PROBE_CONST(SO_REUSEPORT); PROBE_CONST(SO_SNDBUFFORCE); PROBE_CONST(SO_RCVBUFFORCE);
PROBE_CONST(SO_TIMESTAMPNS); PROBE_CONST(SO_ZEROCOPY); PROBE_CONST(SO_MAX_PACING_RATE);
PROBE_CONST(IP_TOS); PROBE_CONST(IP_RECVTOS); PROBE_CONST(IPV6_V6ONLY); PROBE_CONST(IPV6_TCLASS);
PROBE_CONST(IPV6_RECVTCLASS);
PROBE_CONST(TCP_NODELAY); PROBE_CONST(UDP_SEGMENT); PROBE_CONST(UDP_GRO);
PROBE_CONST(MSG_CTRUNC); PROBE_CONST(MSG_TRUNC); PROBE_CONST(MSG_DONTWAIT); PROBE_CONST(MSG_WAITALL);
PROBE_CONST(MSG_ERRQUEUE); PROBE_CONST(MSG_NOSIGNAL); PROBE_CONST(MSG_ZEROCOPY);
PROBE_CONST(SHUT_RD); PROBE_CONST(SHUT_WR); PROBE_CONST(SHUT_RDWR);
PROBE_CONST(SOMAXCONN); PROBE_CONST(INADDR_ANY); PROBE_CONST(INADDR_LOOPBACK);

PROBE_SIZEOF(sockaddr_storage, struct sockaddr_storage);
PROBE_OFFSETOF(sockaddr_storage, struct sockaddr_storage, ss_family);

PROBE_SIZEOF(sockaddr_in, struct sockaddr_in);
PROBE_OFFSETOF(sockaddr_in, struct sockaddr_in, sin_family);
PROBE_OFFSETOF(sockaddr_in, struct sockaddr_in, sin_port);
PROBE_OFFSETOF(sockaddr_in, struct sockaddr_in, sin_addr);
PROBE_OFFSETOF(sockaddr_in, struct sockaddr_in, sin_addr.s_addr);
PROBE_OFFSETOF(sockaddr_in, struct sockaddr_in, sin_zero);

PROBE_SIZEOF(sockaddr_in6, struct sockaddr_in6);
PROBE_OFFSETOF(sockaddr_in6, struct sockaddr_in6, sin6_family);
PROBE_OFFSETOF(sockaddr_in6, struct sockaddr_in6, sin6_port);
PROBE_OFFSETOF(sockaddr_in6, struct sockaddr_in6, sin6_flowinfo);
PROBE_OFFSETOF(sockaddr_in6, struct sockaddr_in6, sin6_addr);
PROBE_OFFSETOF(sockaddr_in6, struct sockaddr_in6, sin6_scope_id);

PROBE_SIZEOF(iovec, struct iovec);
PROBE_OFFSETOF(iovec, struct iovec, iov_base);
PROBE_OFFSETOF(iovec, struct iovec, iov_len);

PROBE_SIZEOF(msghdr, struct msghdr);
PROBE_OFFSETOF(msghdr, struct msghdr, msg_name);
PROBE_OFFSETOF(msghdr, struct msghdr, msg_namelen);
PROBE_OFFSETOF(msghdr, struct msghdr, msg_iov);
PROBE_OFFSETOF(msghdr, struct msghdr, msg_iovlen);
PROBE_OFFSETOF(msghdr, struct msghdr, msg_control);
PROBE_OFFSETOF(msghdr, struct msghdr, msg_controllen);
PROBE_OFFSETOF(msghdr, struct msghdr, msg_flags);

PROBE_SIZEOF(cmsghdr, struct cmsghdr);
PROBE_OFFSETOF(cmsghdr, struct cmsghdr, cmsg_len);
PROBE_OFFSETOF(cmsghdr, struct cmsghdr, cmsg_level);
PROBE_OFFSETOF(cmsghdr, struct cmsghdr, cmsg_type);

/* The CMSG_* macros at a few sizes, for SocketTest to compare with Socket.cmsgSpace/cmsgLen/cmsgAlign. */
DSI_PROBE_ENTRY("CMSG_ALIGN_1", CMSG_ALIGN(1));
DSI_PROBE_ENTRY("CMSG_ALIGN_4", CMSG_ALIGN(4));
DSI_PROBE_ENTRY("CMSG_ALIGN_8", CMSG_ALIGN(8));
DSI_PROBE_ENTRY("CMSG_ALIGN_13", CMSG_ALIGN(13));
DSI_PROBE_ENTRY("CMSG_SPACE_0", CMSG_SPACE(0));
DSI_PROBE_ENTRY("CMSG_SPACE_2", CMSG_SPACE(2));
DSI_PROBE_ENTRY("CMSG_SPACE_4", CMSG_SPACE(4));
DSI_PROBE_ENTRY("CMSG_SPACE_16", CMSG_SPACE(16));
DSI_PROBE_ENTRY("CMSG_SPACE_17", CMSG_SPACE(17));
DSI_PROBE_ENTRY("CMSG_LEN_0", CMSG_LEN(0));
DSI_PROBE_ENTRY("CMSG_LEN_2", CMSG_LEN(2));
DSI_PROBE_ENTRY("CMSG_LEN_4", CMSG_LEN(4));
DSI_PROBE_ENTRY("CMSG_LEN_16", CMSG_LEN(16));
DSI_PROBE_ENTRY("CMSG_LEN_17", CMSG_LEN(17));
