// The server's own request and response values, independent of Beast.
//
// Handlers see a `Request` (already parsed, authenticated and routed) and return a
// `Response`; the server turns it into HTTP/1.1. Every refusal is a JSON body
// {"error": "...", "status": N} so that a client can show what was wrong.
#ifndef EARSHOT_SERVER_HTTP_MESSAGE_H_
#define EARSHOT_SERVER_HTTP_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"

namespace earshot::server {

// Limits on what one client may ask of the server (issue 6).
struct HttpLimits {
  std::size_t max_body_bytes = 1024 * 1024;     // larger body: 413
  std::size_t max_header_bytes = 16 * 1024;     // larger request line + headers: 431
  std::size_t max_connections = 256;            // more open connections: 503
  double requests_per_second_per_token = 50.0;  // token bucket per principal: 429
  double idle_timeout_s = 30.0;                 // a connection silent this long is closed
};

// Header names are compared without regard to case (RFC 9110 §5.1).
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // target without the query
  std::string query;   // after '?', without it; may be empty
  HeaderMap headers;
  std::string body;
  std::map<std::string, std::string> path_params;  // {id} in the route pattern -> value
  std::string user;                                // authenticated principal's name
  std::string remote_address;

  // The header's value, or "" when absent.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// 200 (or `status`) with the JSON as body.
Response JsonResponse(const nlohmann::json& body, int status = 200);

// A refusal: {"error": message, "status": status}.
Response ErrorResponse(int status, std::string_view message);

// The request body parsed as JSON; an Error naming the byte where parsing stopped.
Result<nlohmann::json> JsonBody(const Request& request);

// The standard reason phrase ("Not Found"), or "Unknown".
std::string_view StatusReason(int status);

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_HTTP_MESSAGE_H_
