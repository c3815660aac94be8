// SHA-256 digests (OpenSSL EVP) as 64 lowercase hex digits, for the store's evidence: the
// digest of every stored snippet and the links of the audit chain (DESIGN.md §7). Kept
// inside store (not core) so that core does not depend on OpenSSL.
//
//   std::string digest = store::Sha256Hex(bytes);        // "e3b0c442..."
//   Result<std::string> file_digest = store::Sha256OfFile("snippets/abc.flac");
#ifndef EARSHOT_STORE_SHA256_H_
#define EARSHOT_STORE_SHA256_H_

#include <span>
#include <string>
#include <string_view>

#include "earshot/core/error.h"

namespace earshot::store {

// Digest of `bytes` as 64 lowercase hex digits.
std::string Sha256Hex(std::span<const unsigned char> bytes);
std::string Sha256Hex(std::string_view text);

// Digest of a file's bytes, read in chunks; errors name the path.
Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace earshot::store

#endif  // EARSHOT_STORE_SHA256_H_
