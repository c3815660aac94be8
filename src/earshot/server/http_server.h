// The HTTP/1.1 server of the API (issue 6): Boost.Beast over Asio, a small thread pool,
// a router of (method, pattern) -> handler, token auth with roles, limits, and SSE.
//
// Order of checks for each request, each refusal a JSON {"error", "status"} body:
//   malformed 400, headers too large 431, body too large 413 (then the connection closes);
//   no route 404, wrong method 405 (Allow header); no or unknown token 401
//   (WWW-Authenticate); over the per-token rate 429 (Retry-After); wrong role 403.
// Too many open connections: 503 on accept. Every response is counted by status in
// HttpCounters, served as Prometheus text at GET /api/v1/metrics (any known token).
//
// Register routes before Start(); handlers run on the pool's threads and must be
// thread-safe. A handler that throws gives a 500; it never stops the server.
#ifndef EARSHOT_SERVER_HTTP_SERVER_H_
#define EARSHOT_SERVER_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "earshot/core/error.h"
#include "earshot/server/auth.h"
#include "earshot/server/event_stream.h"
#include "earshot/server/http_counters.h"
#include "earshot/server/http_message.h"

namespace earshot::server {

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // loopback unless configured otherwise
  std::uint16_t port = 0;             // 0: an ephemeral port, reported by Start()
  int threads = 2;
  HttpLimits limits;
  double sse_heartbeat_s = 15.0;  // comment line on an idle event stream keeps proxies open
};

struct RouteOptions {
  RoleSet roles = kAnyRole;   // the principal needs one of these; kAnyRole: any known token
  bool log_access = false;    // call the access hook (audio and other audited reads)
  bool public_route = false;  // no token needed (health checks, the OpenAPI spec)
};

using Handler = std::function<Response(const Request&)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, TokenStore tokens);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Result<void> Handle(std::string_view method, std::string_view pattern, RouteOptions options,
                      Handler handler);

  // GET `pattern` streams `broadcaster`'s events as text/event-stream, replaying after the
  // Last-Event-ID header. The broadcaster must outlive the server.
  Result<void> HandleEventStream(std::string_view pattern, Broadcaster* broadcaster,
                                 RouteOptions options);

  void SetAccessHook(AccessHook hook);

  // Binds, listens and starts the threads; returns the port actually bound.
  Result<std::uint16_t> Start();
  // Closes the listener and all connections and joins the threads. Idempotent.
  void Stop();

  std::uint16_t port() const;
  HttpCounters& counters();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_HTTP_SERVER_H_
