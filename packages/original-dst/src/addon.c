// originalDst(fd, family?): where a connection that iptables REDIRECTed was going.
// The kernel keeps it in the connection's conntrack entry and hands it back
// through getsockopt(SO_ORIGINAL_DST) for IPv4 and IP6T_SO_ORIGINAL_DST for
// IPv6. Built against node_api.h only, so one build serves every Node version.
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

// From linux/netfilter_ipv4.h and linux/netfilter_ipv6/ip6_tables.h, which do
// not mix well with the libc headers; the values are kernel ABI.
#define SO_ORIGINAL_DST 80
#define IP6T_SO_ORIGINAL_DST 80

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  const char *code = err == EBADF      ? "EBADF"
                     : err == ENOTSOCK ? "ENOTSOCK"
                     : err == ENOPROTOOPT ? "ENOPROTOOPT"
                     : err == ENOTCONN ? "ENOTCONN"
                     : err == EAFNOSUPPORT ? "EAFNOSUPPORT"
                     : "EUNKNOWN";
  napi_throw_error(env, code, message);
  return NULL;
}

static napi_value result(napi_env env, const char *address, int port, int family) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_string_latin1(env, address, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "address", v);
  napi_create_int32(env, port, &v);
  napi_set_named_property(env, obj, "port", v);
  napi_create_int32(env, family, &v);
  napi_set_named_property(env, obj, "family", v);
  return obj;
}

static napi_value original_dst(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double value = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  // Read as a double: napi_get_value_int32 would turn NaN into 0 (stdin) and wrap 2^32 + n into n.
  if (argc < 1 || napi_get_value_double(env, argv[0], &value) != napi_ok || !(value >= 0) || value > INT_MAX ||
      value != (double)(int)value) {
    napi_throw_type_error(env, "EINVAL", "originalDst needs a socket's file descriptor, a non-negative integer");
    return NULL;
  }
  int fd = (int)value;
#ifndef __linux__
  return throw_errno(env, ENOPROTOOPT, "SO_ORIGINAL_DST exists only on Linux");
#else
  // The caller may already know the connection's family (Node caches a
  // socket's local address), which saves a getsockname per connection.
  int32_t family = 0;
  if (argc >= 2 && napi_get_value_int32(env, argv[1], &family) != napi_ok) family = 0;
  int v4 = family == 4;
  if (family != 4 && family != 6) {
    struct sockaddr_storage local;
    socklen_t local_len = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &local_len) != 0) return throw_errno(env, errno, "getsockname");
    // A dual-stack socket carries IPv4 connections as ::ffff:a.b.c.d; their
    // conntrack entry is IPv4, so they are asked with the IPv4 option.
    v4 = local.ss_family == AF_INET ||
         (local.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&local)->sin6_addr));
    if (!v4 && local.ss_family != AF_INET6) return throw_errno(env, EAFNOSUPPORT, "not an IP socket");
  }

  struct sockaddr_storage dst;
  socklen_t len = sizeof dst;
  int rc = v4 ? getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &dst, &len)
              : getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &dst, &len);
  if (rc != 0) {
    // No conntrack entry: the connection was not seen by netfilter's NAT.
    if (errno == ENOENT) return NULL;
    return throw_errno(env, errno, "getsockopt(SO_ORIGINAL_DST)");
  }
  char text[INET6_ADDRSTRLEN];
  if (dst.ss_family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&dst;
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    return result(env, text, ntohs(sin->sin_port), 4);
  }
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&dst;
  inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
  return result(env, text, ntohs(sin6->sin6_port), 6);
#endif
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "originalDst", NAPI_AUTO_LENGTH, original_dst, NULL, &fn);
  napi_set_named_property(env, exports, "originalDst", fn);
  return exports;
}
