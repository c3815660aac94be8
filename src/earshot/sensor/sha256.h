// SHA-256 digests (OpenSSL EVP) as lowercase hex: every stored snippet carries the digest
// of its file's bytes (DESIGN.md §7), so that evidence can later be shown untouched.
//
//   auto digest = Sha256OfFile("spool/abc.flac");   // Result<std::string>, 64 hex digits
#ifndef EARSHOT_SENSOR_SHA256_H_
#define EARSHOT_SENSOR_SHA256_H_

#include <span>
#include <string>
#include <string_view>

#include "earshot/core/error.h"

namespace earshot::sensor {

// Digest of `bytes` as 64 lowercase hex digits.
std::string Sha256Hex(std::span<const unsigned char> bytes);
std::string Sha256Hex(std::string_view text);

// Digest of a file's bytes, read in chunks; errors name the path.
Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_SHA256_H_
