// SHA-256 digests (OpenSSL EVP), raw or as 64 lowercase hex digits: the one implementation
// behind the sensor's snippet digests and pulse ids, the store's evidence digests and audit
// chain (DESIGN.md §7) and the server's token hashes. A library of its own so that core does
// not depend on OpenSSL and no module carries a copy.
//
//   digest::Sha256Digest raw = digest::Sha256("abc");          // 32 bytes
//   std::string hex = digest::Sha256Hex(bytes);                // "e3b0c442..."
//   Result<std::string> file_hex = digest::Sha256OfFile("snippets/abc.flac");
#ifndef EARSHOT_DIGEST_SHA256_H_
#define EARSHOT_DIGEST_SHA256_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "earshot/core/error.h"

namespace earshot::digest {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Digest of `bytes`, raw.
Sha256Digest Sha256(std::span<const unsigned char> bytes);
Sha256Digest Sha256(std::string_view text);

// A digest as 64 lowercase hex digits.
std::string ToHex(const Sha256Digest& digest);

// Digest of `bytes` as 64 lowercase hex digits.
std::string Sha256Hex(std::span<const unsigned char> bytes);
std::string Sha256Hex(std::string_view text);

// Digest of a file's bytes, read in chunks, as 64 lowercase hex digits; errors name the path.
Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace earshot::digest

#endif  // EARSHOT_DIGEST_SHA256_H_
