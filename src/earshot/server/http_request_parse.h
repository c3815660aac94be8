// From bytes on the wire to a Request, under HttpLimits; shared by the server's
// connections and the fuzz target so both exercise the same code.
//
// A refusal is a ready-to-send error Response: 431 when the request line and headers
// exceed max_header_bytes, 413 when the body exceeds max_body_bytes, 400 otherwise.
#ifndef EARSHOT_SERVER_HTTP_REQUEST_PARSE_H_
#define EARSHOT_SERVER_HTTP_REQUEST_PARSE_H_

#include <expected>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

#include "earshot/server/http_message.h"

namespace earshot::server {

using BeastRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Applies the header and body limits to a fresh parser.
void ConfigureParser(BeastRequestParser& parser, const HttpLimits& limits);

// The refusal for a parser error (431, 413 or 400), naming what was wrong.
Response RefusalForParseError(const boost::beast::error_code& error, const HttpLimits& limits);

// A parsed Beast request as our Request; 400 when the target is not origin-form ("/...").
std::expected<Request, Response> FromBeastRequest(
    const boost::beast::http::request<boost::beast::http::string_body>& beast_request);

// One complete request from `bytes`; a 400 refusal when the bytes end before it does.
std::expected<Request, Response> ParseHttpRequest(std::string_view bytes, const HttpLimits& limits);

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_HTTP_REQUEST_PARSE_H_
