#ifndef FAKE_SLLM_MHD_SHIM_H
#define FAKE_SLLM_MHD_SHIM_H
/* Typed wrappers of libmicrohttpd's variadic calls, which Swift cannot import (docs/swift-interop.md (c)). */
#include <stdint.h>
#include <string.h>
#include <netdb.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

/* MHD_OPTION_URI_LOG_CALLBACK's callback: sees the request line's URI before libmicrohttpd parses it. */
typedef void *(*shim_uri_callback)(void *cls, const char *uri, struct MHD_Connection *connection);

/* What the daemon is started with. */
struct shim_mhd_config {
  unsigned int flags;
  unsigned int thread_pool_size;
  unsigned int connection_limit;
  unsigned int idle_timeout_s;
  size_t connection_memory;
  MHD_AccessHandlerCallback handler;
  MHD_RequestCompletedCallback completed;
  MHD_NotifyConnectionCallback notify;
  shim_uri_callback uri;
  void *cls;
};

/* Resolves `host` (IPv4 or IPv6 literal, `[v6]`, or a name such as `localhost`; NULL or "" = every IPv4
   interface) to a bind address. A name with both families binds its IPv4 address. Returns 0, or the
   getaddrinfo error (EAI_*). */
static inline int shim_resolve(const char *host, uint16_t port, struct sockaddr_storage *out, socklen_t *len) {
  memset(out, 0, sizeof *out);
  if (host == NULL || host[0] == '\0') {
    struct sockaddr_in *a = (struct sockaddr_in *)out;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_ANY);
    *len = sizeof *a;
    return 0;
  }
  char name[256];
  size_t n = strlen(host);
  if (n >= sizeof name) return EAI_NONAME;
  if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
    memcpy(name, host + 1, n - 2);
    name[n - 2] = '\0';
  } else {
    memcpy(name, host, n + 1);
  }
  struct addrinfo hints, *res = NULL, *pick = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  int rc = getaddrinfo(name, NULL, &hints, &res);
  if (rc != 0) return rc;
  for (struct addrinfo *p = res; p != NULL; p = p->ai_next) {
    if (p->ai_family == AF_INET) { pick = p; break; }
    if (p->ai_family == AF_INET6 && pick == NULL) pick = p;
  }
  if (pick == NULL) { freeaddrinfo(res); return EAI_FAMILY; }
  memcpy(out, pick->ai_addr, pick->ai_addrlen);
  *len = pick->ai_addrlen;
  if (pick->ai_family == AF_INET) ((struct sockaddr_in *)out)->sin_port = htons(port);
  else ((struct sockaddr_in6 *)out)->sin6_port = htons(port);
  freeaddrinfo(res);
  return 0;
}

/* The text of a getaddrinfo error. */
static inline const char *shim_resolve_error(int code) { return gai_strerror(code); }

/* Starts a daemon bound to `addr` (from shim_resolve). Returns NULL when it cannot start (errno is set). */
static inline struct MHD_Daemon *shim_mhd_start(const struct shim_mhd_config *c, const struct sockaddr_storage *addr) {
  unsigned int flags = c->flags;
  uint16_t port;
  if (addr->ss_family == AF_INET6) {
    flags |= MHD_USE_IPv6;
    port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
  } else {
    port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
  }
  return MHD_start_daemon(flags, port, NULL, NULL, c->handler, c->cls,
                          MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
                          MHD_OPTION_NOTIFY_COMPLETED, c->completed, c->cls,
                          MHD_OPTION_NOTIFY_CONNECTION, c->notify, c->cls,
                          MHD_OPTION_URI_LOG_CALLBACK, c->uri, c->cls,
                          MHD_OPTION_THREAD_POOL_SIZE, c->thread_pool_size > 1 ? c->thread_pool_size : 0u,
                          MHD_OPTION_CONNECTION_LIMIT, c->connection_limit,
                          MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout_s,
                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, c->connection_memory,
                          MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
                          MHD_OPTION_END);
}

/* The port the daemon listens on (for port 0). */
static inline uint16_t shim_mhd_port(struct MHD_Daemon *d) {
  const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  return i ? i->port : 0;
}

/* The listening socket, -1 when unknown. */
static inline int shim_mhd_listen_fd(struct MHD_Daemon *d) {
  const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
  return i ? i->listen_fd : -1;
}

/* The socket of a connection, -1 when unknown. */
static inline int shim_mhd_connection_fd(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  return i ? i->connect_fd : -1;
}

static inline uint64_t shim_mhd_size_unknown(void) { return MHD_SIZE_UNKNOWN; }
#endif
