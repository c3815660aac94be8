#include "earshot/server/http_message.h"

#include <algorithm>
#include <cctype>

namespace earshot::server {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) <
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

Response JsonResponse(const nlohmann::json& body, int status) {
  Response response;
  response.status = status;
  // Replace invalid UTF-8 rather than throw: a handler's bad string is not a crash.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response ErrorResponse(int status, std::string_view message) {
  return JsonResponse({{"error", std::string(message)}, {"status", status}}, status);
}

Result<nlohmann::json> JsonBody(const Request& request) {
  try {
    return nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte says where the client's JSON went wrong; the message alone does not.
    return Fail("request body", std::string("byte ").append(std::to_string(e.byte)),
                "expected a JSON document");
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double (out_of_range 406) and similar: the client's error,
    // refused like a syntax error rather than escaping into the server.
    return Fail("request body", "",
                std::string("expected a JSON document, got unreadable input (") + e.what() + ")");
  }
}

std::string_view StatusReason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

}  // namespace earshot::server
