#include "earshot/server/http_request_parse.h"

#include <algorithm>
#include <limits>

#include <boost/asio/buffer.hpp>

namespace earshot::server {

namespace http = boost::beast::http;

void ConfigureParser(BeastRequestParser& parser, const HttpLimits& limits) {
  // Beast counts the request line and all header fields against header_limit.
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(limits.max_body_bytes);
}

Response RefusalForParseError(const boost::beast::error_code& error, const HttpLimits& limits) {
  if (error == http::error::header_limit) {
    return ErrorResponse(431, std::string("request line and headers exceed ")
                                  .append(std::to_string(limits.max_header_bytes))
                                  .append(" bytes"));
  }
  if (error == http::error::body_limit) {
    return ErrorResponse(413, std::string("request body exceeds ")
                                  .append(std::to_string(limits.max_body_bytes))
                                  .append(" bytes"));
  }
  return ErrorResponse(400, std::string("malformed HTTP request: ").append(error.message()));
}

std::expected<Request, Response> FromBeastRequest(
    const http::request<http::string_body>& beast_request) {
  Request request;
  request.method = std::string(beast_request.method_string());
  request.target = std::string(beast_request.target());
  if (request.target.empty() || request.target.front() != '/') {
    return std::unexpected(
        ErrorResponse(400, "malformed request target: expected a path starting with '/'"));
  }
  const std::size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (const auto& field : beast_request) {
    std::string name(field.name_string());
    auto [it, inserted] = request.headers.try_emplace(name, std::string(field.value()));
    // Repeated fields combine as a list (RFC 9110 §5.3).
    if (!inserted) it->second.append(", ").append(field.value().data(), field.value().size());
  }
  request.body = beast_request.body();
  return request;
}

std::expected<Request, Response> ParseHttpRequest(std::string_view bytes,
                                                  const HttpLimits& limits) {
  BeastRequestParser parser;
  ConfigureParser(parser, limits);
  parser.eager(true);
  boost::beast::error_code error;
  std::size_t used = 0;
  while (!parser.is_done() && used < bytes.size()) {
    const std::size_t n =
        parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), error);
    if (error == http::error::need_more) {
      if (n == 0) break;  // wants more than the bytes hold
      error = {};
    } else if (error) {
      return std::unexpected(RefusalForParseError(error, limits));
    }
    used += n;
    if (n == 0) break;
  }
  if (!parser.is_done()) {
    // End of input where a request could end: the parser decides (e.g. body until close).
    parser.put_eof(error);
    if (error || !parser.is_done()) {
      return std::unexpected(ErrorResponse(400, "malformed HTTP request: incomplete"));
    }
  }
  return FromBeastRequest(parser.get());
}

}  // namespace earshot::server
