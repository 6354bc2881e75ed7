#ifndef NIGHTMINER_CMICROHTTPD_SHIM_H
#define NIGHTMINER_CMICROHTTPD_SHIM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

/* The access handler and completion callback, as Swift passes them. */
typedef enum MHD_Result (*nm_access_handler)(void *cls, struct MHD_Connection *connection, const char *url,
                                             const char *method, const char *version, const char *upload_data,
                                             size_t *upload_data_size, void **request_state);
typedef void (*nm_completed_handler)(void *cls, struct MHD_Connection *connection, void **request_state,
                                     enum MHD_RequestTerminationCode code);

/* MHD_start_daemon is variadic and not imported into Swift: this fixes the options nightminer uses.
   Internal polling thread with epoll, inter-thread channel (for MHD_quiesce_daemon), suspend and resume (event
   streams wait suspended for news), explicit bind address
   (MHD listens on every interface without one), connection limits (in all and per client address), idle
   timeout (slow clients are dropped), completion callback. */
static inline struct MHD_Daemon *nm_start_daemon(const struct sockaddr *address, unsigned int connection_limit,
                                                 unsigned int per_address_limit,
                                                 unsigned int timeout_seconds, size_t memory_limit,
                                                 nm_access_handler handler, void *handler_cls,
                                                 nm_completed_handler completed, void *completed_cls) {
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    if (address->sa_family == AF_INET6) flags |= MHD_USE_IPv6;
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_END);
}

/* The client's address as text (IPv4 or IPv6), or "" when unknown. MHD_get_connection_info is variadic. */
static inline void nm_client_address(struct MHD_Connection *connection, char *text, size_t size) {
    text[0] = 0;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return;
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, text, (socklen_t)size);
    } else if (address->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, text, (socklen_t)size);
    }
}

/* The port the daemon is bound to (useful after binding port 0). */
static inline uint16_t nm_daemon_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

#endif
