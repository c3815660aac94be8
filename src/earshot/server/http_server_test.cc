// The HTTP layer over real loopback connections, with Beast's client: routing, every
// refusal's status and JSON body, limits, auth, metrics and Server-Sent Events.
#include "earshot/server/http_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "earshot/server/http_static_file.h"

namespace earshot::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;

constexpr char kAlice[] = "alice-secret-token";  // dispatcher
constexpr char kBob[] = "bob-secret-token";      // analyst

TokenStore TestTokens() {
  nlohmann::json file = {
      {"tokens",
       {{{"name", "alice"}, {"token_sha256", ToHex(Sha256Of(kAlice))}, {"roles", {"dispatcher"}}},
        {{"name", "bob"}, {"token_sha256", ToHex(Sha256Of(kBob))}, {"roles", {"analyst"}}}}}};
  auto store = TokenStore::Parse(file.dump(), "test tokens");
  EXPECT_TRUE(store.has_value());
  return *std::move(store);
}

struct Reply {
  int status = 0;
  std::string body;
  http::response<http::string_body> raw;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

tcp::socket Connect(asio::io_context& io, std::uint16_t port) {
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return socket;
}

Reply ReadReply(tcp::socket& socket) {
  beast::flat_buffer buffer;
  Reply reply;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(socket, buffer, parser);
  reply.raw = parser.release();
  reply.status = static_cast<int>(reply.raw.result_int());
  reply.body = reply.raw.body();
  return reply;
}

// Sends bytes exactly as given (for malformed requests) and reads one response.
Reply SendRaw(std::uint16_t port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket socket = Connect(io, port);
  asio::write(socket, asio::buffer(bytes));
  return ReadReply(socket);
}

Reply Send(std::uint16_t port, http::verb method, const std::string& target,
           const std::string& token, const std::string& body = "",
           std::vector<std::pair<std::string, std::string>> headers = {}) {
  asio::io_context io;
  tcp::socket socket = Connect(io, port);
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request);
  return ReadReply(socket);
}

Reply Get(std::uint16_t port, const std::string& target, const std::string& token = kAlice) {
  return Send(port, http::verb::get, target, token);
}

// The refusal body names the status and says something about what was wrong.
void ExpectRefusal(const Reply& reply, int status, const std::string& says) {
  EXPECT_EQ(reply.status, status) << reply.body;
  const nlohmann::json body = reply.Json();
  ASSERT_TRUE(body.is_object()) << reply.body;
  EXPECT_EQ(body.value("status", 0), status);
  EXPECT_THAT(body.value("error", ""), HasSubstr(says));
  EXPECT_EQ(reply.raw[http::field::content_type], "application/json");
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpLimits limits = {}, double heartbeat_s = 15.0) {
    HttpServerOptions options;
    options.limits = limits;
    options.sse_heartbeat_s = heartbeat_s;
    server_ = std::make_unique<HttpServer>(options, TestTokens());
    RouteOptions dispatcher{.roles = RoleBit(Role::kDispatcher)};
    ASSERT_TRUE(server_
                    ->Handle("GET", "/api/v1/incidents/{id}", dispatcher,
                             [](const Request& request) {
                               return JsonResponse(
                                   {{"id", request.path_params.at("id")}, {"user", request.user}});
                             })
                    .has_value());
    ASSERT_TRUE(server_
                    ->Handle("POST", "/api/v1/incidents/{id}/review", dispatcher,
                             [](const Request& request) {
                               auto body = JsonBody(request);
                               if (!body) return ErrorResponse(400, body.error().ToString());
                               return JsonResponse({{"ok", true}}, 201);
                             })
                    .has_value());
    RouteOptions audio{.roles = RoleBit(Role::kDispatcher) | RoleBit(Role::kAnalyst),
                       .log_access = true};
    ASSERT_TRUE(server_
                    ->Handle("GET", "/api/v1/incidents/{id}/audio", audio,
                             [](const Request&) {
                               Response response;
                               response.content_type = "audio/flac";
                               response.body = "fLaC";
                               return response;
                             })
                    .has_value());
    ASSERT_TRUE(
        server_
            ->Handle("GET", "/api/v1/boom", RouteOptions{},
                     [](const Request&) -> Response { throw std::runtime_error("handler bug"); })
            .has_value());
    ASSERT_TRUE(server_
                    ->Handle("GET", "/healthz", RouteOptions{.public_route = true},
                             [](const Request&) {
                               return JsonResponse({{"ok", true}});
                             })
                    .has_value());
    ASSERT_TRUE(
        server_->HandleEventStream("/api/v1/events", &broadcaster_, RouteOptions{}).has_value());
    server_->SetAccessHook(
        [this](const std::string& user, const std::string& route, const std::string& subject) {
          std::lock_guard lock(access_mutex_);
          access_log_.push_back(user + " " + route + " " + subject);
        });
    auto port = server_->Start();
    ASSERT_TRUE(port.has_value()) << port.error().ToString();
    port_ = *port;
    ASSERT_NE(port_, 0);
  }

  std::uint64_t Count(int status) { return server_->counters().Responses(status); }

  Broadcaster broadcaster_{
      Broadcaster::Options{.replay_capacity = 16, .max_queued_per_subscriber = 64}};
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::mutex access_mutex_;
  std::vector<std::string> access_log_;
};

TEST_F(HttpServerTest, RoutesWithPathParametersAndKeepsTheUser) {
  StartServer();
  Reply reply = Get(port_, "/api/v1/incidents/42?verbose=1");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Json()["id"], "42");
  EXPECT_EQ(reply.Json()["user"], "alice");
  EXPECT_EQ(Get(port_, "/healthz", "").status, 200);
}

TEST_F(HttpServerTest, ServesSeveralRequestsOnOneKeptAliveConnection) {
  StartServer();
  asio::io_context io;
  tcp::socket socket = Connect(io, port_);
  for (int i = 0; i < 3; ++i) {
    http::request<http::string_body> request(http::verb::get, "/api/v1/incidents/7", 11);
    request.set(http::field::authorization, std::string("Bearer ").append(kAlice));
    http::write(socket, request);
    EXPECT_EQ(ReadReply(socket).status, 200);
  }
}

TEST_F(HttpServerTest, RefusesUnknownRouteAndWrongMethod) {
  StartServer();
  ExpectRefusal(Get(port_, "/api/v1/nothing"), 404, "no route for /api/v1/nothing");
  Reply wrong = Send(port_, http::verb::delete_, "/api/v1/incidents/1", kAlice);
  ExpectRefusal(wrong, 405, "DELETE not allowed");
  EXPECT_EQ(wrong.raw[http::field::allow], "GET");
}

TEST_F(HttpServerTest, RefusesMissingUnknownTokensAndWrongRoles) {
  StartServer();
  Reply missing = Get(port_, "/api/v1/incidents/1", "");
  ExpectRefusal(missing, 401, "missing Authorization");
  EXPECT_THAT(std::string(missing.raw[http::field::www_authenticate]), HasSubstr("Bearer"));
  Reply unknown = Get(port_, "/api/v1/incidents/1", "not-a-token");
  ExpectRefusal(unknown, 401, "unknown API token");
  EXPECT_THAT(std::string(unknown.raw[http::field::www_authenticate]), HasSubstr("invalid_token"));
  ExpectRefusal(Get(port_, "/api/v1/incidents/1", kBob), 403, "needs dispatcher");
  EXPECT_EQ(Count(401), 2u);
  EXPECT_EQ(Count(403), 1u);
}

TEST_F(HttpServerTest, LogsAudioAccessThroughTheHook) {
  StartServer();
  EXPECT_EQ(Get(port_, "/api/v1/incidents/9/audio", kBob).status, 200);
  ExpectRefusal(Get(port_, "/api/v1/incidents/9/audio", "nobody"), 401, "unknown");
  std::lock_guard lock(access_mutex_);
  ASSERT_EQ(access_log_.size(), 1u);  // refused requests reach no audio
  EXPECT_EQ(access_log_[0], "bob /api/v1/incidents/{id}/audio /api/v1/incidents/9/audio");
}

TEST_F(HttpServerTest, RefusesMalformedRequestsAndBadJson) {
  StartServer();
  ExpectRefusal(SendRaw(port_, "GARBAGE\r\n\r\n"), 400, "malformed");
  ExpectRefusal(SendRaw(port_, "GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: zz\r\n\r\n"), 400,
                "malformed");
  ExpectRefusal(SendRaw(port_, "GET http://elsewhere/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "target");
  ExpectRefusal(Send(port_, http::verb::post, "/api/v1/incidents/3/review", kAlice, "{\"a\":"), 400,
                "expected a JSON document");
  EXPECT_EQ(Send(port_, http::verb::post, "/api/v1/incidents/3/review", kAlice, "{}").status, 201);
  EXPECT_EQ(Get(port_, "/api/v1/incidents/1").status, 200);  // still serving
}

TEST_F(HttpServerTest, RefusesOversizedBodyAndHeaders) {
  HttpLimits limits;
  limits.max_body_bytes = 1024;
  limits.max_header_bytes = 2048;
  StartServer(limits);
  ExpectRefusal(Send(port_, http::verb::post, "/api/v1/incidents/3/review", kAlice,
                     std::string(1024 * 1024, 'x')),
                413, "exceeds 1024 bytes");
  ExpectRefusal(Send(port_, http::verb::get, "/api/v1/incidents/1", kAlice, "",
                     {{"X-Padding", std::string(4096, 'p')}}),
                431, "exceed 2048 bytes");
  EXPECT_EQ(Get(port_, "/api/v1/incidents/1").status, 200);
}

TEST_F(HttpServerTest, HandlerExceptionIsA500AndTheServerGoesOn) {
  StartServer();
  ExpectRefusal(Get(port_, "/api/v1/boom"), 500, "handler bug");
  EXPECT_EQ(Get(port_, "/api/v1/incidents/1").status, 200);
}

TEST_F(HttpServerTest, RateLimitsEachTokenWith429) {
  HttpLimits limits;
  limits.requests_per_second_per_token = 5;
  StartServer(limits);
  int ok = 0;
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    Reply reply = Get(port_, "/api/v1/incidents/1");
    if (reply.status == 200) ++ok;
    if (reply.status == 429) {
      ++limited;
      ExpectRefusal(reply, 429, "rate limit");
      EXPECT_EQ(reply.raw[http::field::retry_after], "1");
    }
  }
  EXPECT_GE(ok, 5);
  EXPECT_LE(ok, 7);  // burst of 5, plus refill during the loop
  EXPECT_EQ(ok + limited, 12);
  // Another token has its own bucket.
  EXPECT_EQ(Get(port_, "/api/v1/incidents/1/audio", kBob).status, 200);
}

TEST_F(HttpServerTest, RefusesConnectionsOverTheLimitWith503) {
  HttpLimits limits;
  limits.max_connections = 2;
  StartServer(limits);
  asio::io_context io;
  tcp::socket first = Connect(io, port_);
  tcp::socket second = Connect(io, port_);
  // Both are open (and counted) once the server has accepted them.
  for (int i = 0; i < 200 && server_->counters().connections_open.load() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  tcp::socket third = Connect(io, port_);
  ExpectRefusal(ReadReply(third), 503, "too many open connections");
  first.close();
  second.close();
  for (int i = 0; i < 200 && server_->counters().connections_open.load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(Get(port_, "/api/v1/incidents/1").status, 200);
}

TEST_F(HttpServerTest, MetricsCountEveryRefusalByStatus) {
  StartServer();
  Get(port_, "/api/v1/nothing");
  Get(port_, "/api/v1/nothing");
  Get(port_, "/api/v1/incidents/1", "");
  SendRaw(port_, "GARBAGE\r\n\r\n");
  Get(port_, "/api/v1/incidents/1");
  Reply metrics = Get(port_, "/api/v1/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(std::string(metrics.raw[http::field::content_type]), HasSubstr("text/plain"));
  EXPECT_THAT(metrics.body, HasSubstr("earshot_http_responses_total{status=\"404\"} 2\n"));
  EXPECT_THAT(metrics.body, HasSubstr("earshot_http_responses_total{status=\"401\"} 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("earshot_http_responses_total{status=\"400\"} 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("earshot_http_responses_total{status=\"200\"} 1\n"));
  ExpectRefusal(Get(port_, "/api/v1/metrics", ""), 401, "missing");
}

TEST_F(HttpServerTest, ServesAFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "earshot_http_static_test.yaml";
  std::ofstream(path) << "openapi: 3.0.3\n";
  StartServer();
  server_->Stop();
  // Routes are registered before Start; use a fresh server for the file route.
  server_ = std::make_unique<HttpServer>(HttpServerOptions{}, TestTokens());
  ASSERT_TRUE(server_
                  ->Handle("GET", "/api/openapi.yaml", RouteOptions{.public_route = true},
                           ServeFile(path.string(), "application/yaml"))
                  .has_value());
  ASSERT_TRUE(server_
                  ->Handle("GET", "/missing", RouteOptions{.public_route = true},
                           ServeFile("/nonexistent/dir/spec.yaml", "application/yaml"))
                  .has_value());
  const std::uint16_t port = *server_->Start();
  Reply reply = Get(port, "/api/openapi.yaml", "");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "openapi: 3.0.3\n");
  EXPECT_EQ(reply.raw[http::field::content_type], "application/yaml");
  ExpectRefusal(Get(port, "/missing", ""), 404, "spec.yaml");
  std::filesystem::remove(path);
}

// A raw event-stream client: reads with a deadline, never blocks a test forever.
class SseClient {
 public:
  SseClient(asio::io_context& io, std::uint16_t port, const std::string& token,
            const std::string& last_event_id = "", int receive_buffer_bytes = 0)
      : socket_(io) {
    socket_.open(tcp::v4());
    if (receive_buffer_bytes > 0) {
      socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer_bytes));
    }
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    std::string request = "GET /api/v1/events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ";
    request.append(token).append("\r\n");
    if (!last_event_id.empty())
      request.append("Last-Event-ID: ").append(last_event_id).append("\r\n");
    request.append("\r\n");
    asio::write(socket_, asio::buffer(request));
  }

  // Reads until `text` holds `needle` (or the deadline); returns whether it does.
  bool ReadUntil(const std::string& needle, int count = 1, double timeout_s = 3.0) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (Occurrences(needle) < count) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd fd{socket_.native_handle(), POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) return false;
      char chunk[65536];
      const ssize_t n = ::recv(socket_.native_handle(), chunk, sizeof(chunk), 0);
      if (n <= 0) {
        closed_ = true;
        return Occurrences(needle) >= count;
      }
      text.append(chunk, static_cast<std::size_t>(n));
    }
    return true;
  }

  int Occurrences(const std::string& needle) const {
    int n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + needle.size())) {
      ++n;
    }
    return n;
  }

  std::string text;
  bool closed_ = false;

 private:
  tcp::socket socket_;
};

void WaitForSubscribers(const Broadcaster& broadcaster, std::size_t n) {
  for (int i = 0; i < 400 && broadcaster.subscriber_count() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(broadcaster.subscriber_count(), n);
}

TEST_F(HttpServerTest, EventStreamDeliversInOrderAndReplaysAfterLastEventId) {
  StartServer();
  asio::io_context io;
  SseClient client(io, port_, kAlice);
  ASSERT_TRUE(client.ReadUntil(": connected\n\n"));
  EXPECT_THAT(client.text, HasSubstr("Content-Type: text/event-stream"));
  WaitForSubscribers(broadcaster_, 1);
  for (int i = 1; i <= 3; ++i) broadcaster_.Publish("incident.new", {{"n", i}});
  ASSERT_TRUE(client.ReadUntil("\n\n", 4));
  const std::size_t first = client.text.find("id: 1\nevent: incident.new\ndata: {\"n\":1}\n\n");
  const std::size_t second = client.text.find("id: 2\nevent: incident.new\ndata: {\"n\":2}\n\n");
  const std::size_t third = client.text.find("id: 3\nevent: incident.new\ndata: {\"n\":3}\n\n");
  ASSERT_NE(first, std::string::npos) << client.text;
  ASSERT_NE(third, std::string::npos) << client.text;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);

  SseClient again(io, port_, kAlice, "1");
  ASSERT_TRUE(again.ReadUntil("id: 3\n"));
  EXPECT_EQ(again.text.find("id: 1\n"), std::string::npos);
  EXPECT_LT(again.text.find("id: 2\n"), again.text.find("id: 3\n"));

  ExpectRefusal(
      Send(port_, http::verb::get, "/api/v1/events", kAlice, "", {{"Last-Event-ID", "yesterday"}}),
      400, "Last-Event-ID");
  ExpectRefusal(Get(port_, "/api/v1/events", ""), 401, "missing");
}

TEST_F(HttpServerTest, EventStreamSendsHeartbeats) {
  StartServer(HttpLimits{}, /*heartbeat_s=*/0.05);
  asio::io_context io;
  SseClient client(io, port_, kAlice);
  EXPECT_TRUE(client.ReadUntil(": heartbeat\n\n", 2));
}

TEST_F(HttpServerTest, SlowSubscriberIsDroppedWithoutStallingOthers) {
  StartServer();
  asio::io_context io;
  SseClient slow(io, port_, kAlice, "", /*receive_buffer_bytes=*/4096);
  SseClient fast(io, port_, kBob);
  ASSERT_TRUE(fast.ReadUntil(": connected\n\n"));
  WaitForSubscribers(broadcaster_, 2);
  constexpr int kEvents = 600;
  const std::string payload(32 * 1024, 'x');  // 600 x 32 KiB: far past the socket buffers
  std::thread publisher([&] {
    for (int i = 0; i < kEvents; ++i) {
      broadcaster_.Publish("incident.updated", {{"pad", payload}});
      // 32 MB/s: far more than the slow client takes (it never reads), well within what
      // the fast one reads even on a loaded machine, so only the slow one is dropped.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  const bool fast_got_all = fast.ReadUntil("event: incident.updated", kEvents, 20.0);
  publisher.join();
  EXPECT_TRUE(fast_got_all) << fast.Occurrences("event: incident.updated");
  EXPECT_EQ(broadcaster_.dropped_count(), 1u);
  EXPECT_EQ(server_->counters().SubscribersDropped("queue_full"), 1u);
  EXPECT_EQ(Get(port_, "/api/v1/incidents/1").status, 200);
}

}  // namespace
}  // namespace earshot::server
