#include "earshot/server/http_server.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "earshot/server/http_rate_limiter.h"
#include "earshot/server/http_request_parse.h"
#include "earshot/server/http_router.h"

namespace earshot::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Route {
  RouteOptions options;
  Handler handler;                     // empty for an event stream
  Broadcaster* broadcaster = nullptr;  // set for an event stream
};

std::chrono::steady_clock::duration Seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(s));
}

std::string RoleList(RoleSet roles) {
  std::string names;
  for (unsigned r = 0; r < 5; ++r) {
    if ((roles & RoleBit(static_cast<Role>(r))) == 0) continue;
    if (!names.empty()) names.append(" or ");
    names.append(RoleName(static_cast<Role>(r)));
  }
  return names;
}

}  // namespace

// What the server decided for one request: a response, or a live event stream.
struct Dispatched {
  Response response;
  Broadcaster* stream = nullptr;
  std::optional<std::uint64_t> last_event_id;
};

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, TokenStore tokens)
      : options_(std::move(options)),
        tokens_(std::move(tokens)),
        rate_limiter_(options_.limits.requests_per_second_per_token) {}

  Dispatched Dispatch(Request& request);
  void CountResponse(int status) { counters_.CountResponse(status); }
  void Accept();

  // Declared first: destroyed last, after the io_context has destroyed the connections.
  HttpCounters counters_;
  HttpServerOptions options_;
  TokenStore tokens_;
  HttpRateLimiter rate_limiter_;
  HttpRouter router_;
  std::vector<Route> routes_;
  AccessHook access_hook_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  asio::io_context io_;
  std::optional<tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
};

namespace {

// Writes one 503 to a connection over the limit, then closes it.
class RefusedConnection : public std::enable_shared_from_this<RefusedConnection> {
 public:
  RefusedConnection(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {}

  void Run() {
    const Response refusal =
        ErrorResponse(503, std::string("too many open connections (limit ")
                               .append(std::to_string(server_->options_.limits.max_connections))
                               .append("); retry later"));
    response_.result(static_cast<unsigned>(refusal.status));
    response_.version(11);
    response_.set(http::field::content_type, refusal.content_type);
    response_.set(http::field::retry_after, "1");
    response_.body() = refusal.body;
    response_.keep_alive(false);
    response_.prepare_payload();
    server_->CountResponse(refusal.status);
    stream_.expires_after(std::chrono::seconds(2));
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

 private:
  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  http::response<http::string_body> response_;
};

// One client connection: reads requests under the limits, answers them in order, and
// becomes an event stream when routed to one.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server), heartbeat_(stream_.get_executor()) {
    ++server_->counters_.connections_open;
    beast::error_code error;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(error);
    if (!error) remote_address_ = remote.address().to_string();
  }

  ~Connection() {
    if (subscriber_ != nullptr) {
      stream_broadcaster_->Unsubscribe(subscriber_.get());
      --server_->counters_.subscribers_open;
    }
    --server_->counters_.connections_open;
  }

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }

 private:
  void ReadRequest() {
    parser_.emplace();
    ConfigureParser(*parser_, server_->options_.limits);
    stream_.expires_after(Seconds(server_->options_.limits.idle_timeout_s));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->OnRequest(error);
                     });
  }

  void OnRequest(beast::error_code error) {
    if (error == http::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::operation_aborted || error == asio::error::connection_reset ||
        error == asio::error::eof) {
      // The client went away or fell silent: nobody is left to read an answer.
      return Close();
    }
    if (error) {
      return SendThenClose(RefusalForParseError(error, server_->options_.limits));
    }
    const bool keep_alive = parser_->get().keep_alive();
    auto request = FromBeastRequest(parser_->get());
    if (!request) return SendThenClose(std::move(request.error()));
    request->remote_address = remote_address_;
    Dispatched dispatched = server_->Dispatch(*request);
    if (dispatched.stream != nullptr) {
      return StartEventStream(dispatched.stream, dispatched.last_event_id);
    }
    Send(std::move(dispatched.response), keep_alive);
  }

  void PrepareResponse(Response response, bool keep_alive) {
    server_->CountResponse(response.status);
    response_ = {};
    response_.result(static_cast<unsigned>(response.status));
    response_.version(11);
    response_.set(http::field::server, "earshot");
    response_.set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) response_.set(name, value);
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
  }

  void Send(Response response, bool keep_alive) {
    PrepareResponse(std::move(response), keep_alive);
    stream_.expires_after(Seconds(server_->options_.limits.idle_timeout_s));
    http::async_write(
        stream_, response_,
        [self = shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
          if (error) return self->Close();
          if (!keep_alive) return self->LingerClose();
          self->ReadRequest();
        });
  }

  // For refusals after which the request stream cannot be trusted (bad framing, limits).
  void SendThenClose(Response response) { Send(std::move(response), /*keep_alive=*/false); }

  // Half-closes and discards what the client is still sending, so that the kernel does not
  // answer its unread bytes with a reset that would destroy our refusal in flight.
  void LingerClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    Discard();
  }

  void Discard() {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code error, std::size_t n) {
                              self->discarded_bytes_ += n;
                              // Bounded: a client that keeps sending is cut off.
                              if (error || self->discarded_bytes_ > 64 * 1024 * 1024) {
                                return self->Close();
                              }
                              self->Discard();
                            });
  }

  void Close() {
    heartbeat_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  void StartEventStream(Broadcaster* broadcaster, std::optional<std::uint64_t> last_event_id) {
    server_->CountResponse(200);
    stream_broadcaster_ = broadcaster;
    std::weak_ptr<Connection> weak = weak_from_this();
    auto executor = stream_.get_executor();
    subscriber_ = broadcaster->Subscribe(last_event_id, [weak, executor] {
      if (auto self = weak.lock()) {
        asio::post(executor, [self] { self->Pump(); });
      }
    });
    ++server_->counters_.subscribers_open;
    // No Content-Length: the body is the stream, ended by closing the connection.
    pending_.append(
        "HTTP/1.1 200 OK\r\nServer: earshot\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n"
        ": connected\n\n");
    stream_.expires_never();
    WatchClient();
    ArmHeartbeat();
    Pump();
  }

  // Reads (and ignores) what the client sends, to notice when it goes away.
  void WatchClient() {
    stream_.socket().async_read_some(
        asio::buffer(discard_), [self = shared_from_this()](beast::error_code error, std::size_t) {
          if (error) return self->Close();
          self->WatchClient();
        });
  }

  void ArmHeartbeat() {
    heartbeat_.expires_after(Seconds(server_->options_.sse_heartbeat_s));
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (error) return;
      if (!self->writing_) self->pending_.append(": heartbeat\n\n");
      self->Pump();
      self->ArmHeartbeat();
    });
  }

  void Pump() {
    if (writing_ || !stream_.socket().is_open()) return;
    if (subscriber_->dropped()) return Close();
    for (const EventFrame& frame : subscriber_->TakeAll()) pending_.append(*frame);
    if (pending_.empty()) return;
    writing_ = true;
    in_flight_.swap(pending_);
    pending_.clear();
    asio::async_write(stream_.socket(), asio::buffer(in_flight_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        self->writing_ = false;
                        self->in_flight_.clear();
                        if (error) return self->Close();
                        self->Pump();
                      });
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  asio::steady_timer heartbeat_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<BeastRequestParser> parser_;
  http::response<http::string_body> response_;
  std::array<char, 4096> discard_{};
  std::size_t discarded_bytes_ = 0;
  // Event stream state, touched only on this connection's strand.
  Broadcaster* stream_broadcaster_ = nullptr;
  std::shared_ptr<EventSubscriber> subscriber_;
  std::string pending_;
  std::string in_flight_;
  bool writing_ = false;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor_->async_accept(asio::make_strand(io_),
                          [this](beast::error_code error, tcp::socket socket) {
                            if (error == asio::error::operation_aborted || !acceptor_->is_open())
                              return;
                            if (!error) {
                              ++counters_.connections_accepted;
                              if (static_cast<std::size_t>(counters_.connections_open.load()) >=
                                  options_.limits.max_connections) {
                                std::make_shared<RefusedConnection>(std::move(socket), this)->Run();
                              } else {
                                std::make_shared<Connection>(std::move(socket), this)->Run();
                              }
                            }
                            Accept();
                          });
}

Dispatched HttpServer::Impl::Dispatch(Request& request) {
  Dispatched out;
  const HttpRouter::Match match = router_.Find(request.method, request.path);
  if (match.outcome == HttpRouter::Outcome::kNoPath) {
    out.response = ErrorResponse(404, std::string("no route for ").append(request.path));
    return out;
  }
  if (match.outcome == HttpRouter::Outcome::kWrongMethod) {
    std::string allow;
    for (const std::string& method : match.allowed_methods) {
      if (!allow.empty()) allow.append(", ");
      allow.append(method);
    }
    out.response = ErrorResponse(405, std::string("method ")
                                          .append(request.method)
                                          .append(" not allowed on ")
                                          .append(request.path)
                                          .append("; allowed: ")
                                          .append(allow));
    out.response.headers.emplace_back("Allow", allow);
    return out;
  }
  const Route& route = routes_[match.route_index];
  request.path_params = match.path_params;
  if (!route.options.public_route) {
    const std::string_view authorization = request.Header("Authorization");
    const std::optional<std::string_view> token = BearerToken(authorization);
    const std::optional<Principal> principal = token ? tokens_.Authenticate(*token) : std::nullopt;
    if (!principal) {
      out.response = ErrorResponse(
          401, token ? "unknown API token" : "missing Authorization: Bearer <token> header");
      out.response.headers.emplace_back(
          "WWW-Authenticate",
          token ? "Bearer realm=\"earshot\", error=\"invalid_token\"" : "Bearer realm=\"earshot\"");
      return out;
    }
    request.user = principal->name;
    if (!rate_limiter_.Allow(principal->name)) {
      out.response = ErrorResponse(429, std::string("rate limit of ")
                                            .append(std::to_string(static_cast<long long>(
                                                options_.limits.requests_per_second_per_token)))
                                            .append(" requests per second exceeded for ")
                                            .append(principal->name));
      out.response.headers.emplace_back("Retry-After", "1");
      return out;
    }
    if (!principal->HasAnyRole(route.options.roles)) {
      out.response = ErrorResponse(403, std::string(principal->name)
                                            .append(" lacks the role for ")
                                            .append(match.pattern)
                                            .append(": needs ")
                                            .append(RoleList(route.options.roles)));
      return out;
    }
  }
  if (route.options.log_access && access_hook_) {
    access_hook_(request.user, match.pattern, request.path);
  }
  if (route.broadcaster != nullptr) {
    out.stream = route.broadcaster;
    const std::string_view last = request.Header("Last-Event-ID");
    if (!last.empty()) {
      std::uint64_t id = 0;
      const auto [end, ec] = std::from_chars(last.data(), last.data() + last.size(), id);
      if (ec != std::errc() || end != last.data() + last.size()) {
        out.stream = nullptr;
        out.response = ErrorResponse(400, "Last-Event-ID: expected a decimal event id");
        return out;
      }
      out.last_event_id = id;
    }
    return out;
  }
  try {
    out.response = route.handler(request);
  } catch (const std::exception& e) {
    out.response = ErrorResponse(500, std::string("internal error: ").append(e.what()));
  } catch (...) {
    out.response = ErrorResponse(500, "internal error");
  }
  return out;
}

HttpServer::HttpServer(HttpServerOptions options, TokenStore tokens)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(tokens))) {
  HttpCounters* counters = &impl_->counters_;
  auto added = Handle("GET", "/api/v1/metrics", RouteOptions{}, [counters](const Request&) {
    Response response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = counters->PrometheusText();
    return response;
  });
  EARSHOT_CHECK(added.has_value());
}

HttpServer::~HttpServer() { Stop(); }

Result<void> HttpServer::Handle(std::string_view method, std::string_view pattern,
                                RouteOptions options, Handler handler) {
  EARSHOT_CHECK(!impl_->started_);
  auto index = impl_->router_.Add(method, pattern);
  if (!index) return std::unexpected(index.error());
  impl_->routes_.push_back(Route{options, std::move(handler), nullptr});
  return {};
}

Result<void> HttpServer::HandleEventStream(std::string_view pattern, Broadcaster* broadcaster,
                                           RouteOptions options) {
  EARSHOT_CHECK(!impl_->started_ && broadcaster != nullptr);
  auto index = impl_->router_.Add("GET", pattern);
  if (!index) return std::unexpected(index.error());
  impl_->routes_.push_back(Route{options, nullptr, broadcaster});
  broadcaster->set_counters(&impl_->counters_);
  return {};
}

void HttpServer::SetAccessHook(AccessHook hook) {
  EARSHOT_CHECK(!impl_->started_);
  impl_->access_hook_ = std::move(hook);
}

Result<std::uint16_t> HttpServer::Start() {
  EARSHOT_CHECK(!impl_->started_);
  const std::string where =
      std::string(impl_->options_.address).append(":").append(std::to_string(impl_->options_.port));
  beast::error_code error;
  const auto address = asio::ip::make_address(impl_->options_.address, error);
  if (error) return Fail("http server", where, "expected an IP address to listen on");
  tcp::endpoint endpoint(address, impl_->options_.port);
  tcp::acceptor& acceptor = impl_->acceptor_.emplace(impl_->io_);
  if (acceptor.open(endpoint.protocol(), error) ||
      acceptor.set_option(asio::socket_base::reuse_address(true), error) ||
      acceptor.bind(endpoint, error) ||
      acceptor.listen(asio::socket_base::max_listen_connections, error)) {
    return Fail("http server", where, std::string("cannot listen: ").append(error.message()));
  }
  impl_->port_ = acceptor.local_endpoint().port();
  impl_->started_ = true;
  impl_->Accept();
  const int threads = std::max(1, impl_->options_.threads);
  for (int i = 0; i < threads; ++i) {
    impl_->threads_.emplace_back([this] { impl_->io_.run(); });
  }
  return impl_->port_;
}

void HttpServer::Stop() {
  if (!impl_->started_) return;
  asio::post(impl_->io_, [this] {
    beast::error_code ignored;
    impl_->acceptor_->close(ignored);
  });
  impl_->io_.stop();
  for (std::thread& thread : impl_->threads_) thread.join();
  impl_->threads_.clear();
  impl_->started_ = false;
}

std::uint16_t HttpServer::port() const { return impl_->port_; }

HttpCounters& HttpServer::counters() { return impl_->counters_; }

}  // namespace earshot::server
