// libFuzzer target: arbitrary bytes as a token file, and as an Authorization header.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "earshot/server/auth.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto store = earshot::server::TokenStore::Parse(text, "fuzz");
  if (auto token = earshot::server::BearerToken(text); token && store) {
    (void)store->Authenticate(*token);
  }
  return 0;
}
