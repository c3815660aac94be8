#include "earshot/digest/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace earshot::digest {
namespace {

struct DigestContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextDeleter>;

// A context that cannot be created or run means OpenSSL itself is broken (out of memory,
// SHA-256 compiled out): nothing the input could cause, so it is a bug-level abort.
DigestContext NewSha256Context() {
  DigestContext context(EVP_MD_CTX_new());
  EARSHOT_CHECK(context != nullptr);
  EARSHOT_CHECK(EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) == 1);
  return context;
}

Sha256Digest Finish(EVP_MD_CTX* context) {
  Sha256Digest digest{};
  unsigned int length = 0;
  EARSHOT_CHECK(EVP_DigestFinal_ex(context, digest.data(), &length) == 1);
  EARSHOT_CHECK(length == digest.size());
  return digest;
}

}  // namespace

Sha256Digest Sha256(std::span<const unsigned char> bytes) {
  DigestContext context = NewSha256Context();
  EARSHOT_CHECK(EVP_DigestUpdate(context.get(), bytes.data(), bytes.size()) == 1);
  return Finish(context.get());
}

Sha256Digest Sha256(std::string_view text) {
  return Sha256(std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
}

std::string ToHex(const Sha256Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * digest.size());
  for (std::uint8_t byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

std::string Sha256Hex(std::span<const unsigned char> bytes) { return ToHex(Sha256(bytes)); }

std::string Sha256Hex(std::string_view text) { return ToHex(Sha256(text)); }

Result<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path, "", std::string("cannot open to hash: ") + std::strerror(errno));
  DigestContext context = NewSha256Context();
  std::array<char, 64 * 1024> chunk{};
  while (in) {
    in.read(chunk.data(), chunk.size());
    const std::streamsize got = in.gcount();
    if (got > 0) {
      EARSHOT_CHECK(EVP_DigestUpdate(context.get(), chunk.data(), static_cast<size_t>(got)) == 1);
    }
  }
  if (in.bad()) return Fail(path, "", "read error while hashing");
  return ToHex(Finish(context.get()));
}

}  // namespace earshot::digest
