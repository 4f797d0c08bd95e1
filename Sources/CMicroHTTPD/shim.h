#ifndef FAKE_SLLM_MHD_SHIM_H
#define FAKE_SLLM_MHD_SHIM_H
/* Typed wrappers of libmicrohttpd's variadic calls, which Swift cannot import (swift_notes.md (c)). */
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

/* Starts a daemon bound to `host` (IPv4 dotted quad; NULL or "" = any) and `port` (0 = pick one).
   Returns NULL when the address is invalid or the daemon cannot start (errno is set by MHD). */
static inline struct MHD_Daemon *shim_mhd_start(unsigned int flags, const char *host, uint16_t port,
                                                MHD_AccessHandlerCallback handler, void *handler_cls,
                                                MHD_RequestCompletedCallback completed, void *completed_cls,
                                                unsigned int thread_pool_size, unsigned int connection_limit) {
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (host != NULL && host[0] != '\0') {
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return NULL;
  } else {
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
  }
  if (thread_pool_size > 1) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
                            MHD_OPTION_END);
  }
  return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                          MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                          MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                          MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
                          MHD_OPTION_END);
}

/* The port the daemon listens on (for port 0). */
static inline uint16_t shim_mhd_port(struct MHD_Daemon *d) {
  const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  return i ? i->port : 0;
}

/* The socket of a connection, -1 when unknown. */
static inline int shim_mhd_connection_fd(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  return i ? i->connect_fd : -1;
}

static inline uint64_t shim_mhd_size_unknown(void) { return MHD_SIZE_UNKNOWN; }
#endif
