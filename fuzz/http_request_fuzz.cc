// libFuzzer target: arbitrary bytes through the server's HTTP request parser, with the
// server's limits (small, so the 413 and 431 paths are reached too). Any crash, hang or
// sanitizer report is a bug; refusals are the expected outcome for most inputs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "earshot/server/http_request_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  earshot::server::HttpLimits limits;
  limits.max_body_bytes = 4096;
  limits.max_header_bytes = 2048;
  auto request = earshot::server::ParseHttpRequest(
      std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (request) {
    // Touch what handlers would read.
    (void)request->Header("Authorization");
    (void)earshot::server::JsonBody(*request);
  }
  return 0;
}
