// API tokens and roles (issue 6): who is asking, and may they.
//
// The token file stores only SHA-256 hashes of tokens, never the tokens themselves:
//
//   {"tokens": [{"name": "alice", "token_sha256": "<64 hex>", "roles": ["dispatcher"]}]}
//
// A request presents `Authorization: Bearer <token>`; the server hashes it and compares
// against every stored hash in constant time, so timing tells nothing about how close a
// guess was. Make a hash with `printf %s "$TOKEN" | sha256sum`.
#ifndef EARSHOT_SERVER_AUTH_H_
#define EARSHOT_SERVER_AUTH_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "earshot/core/error.h"
#include "earshot/digest/sha256.h"

namespace earshot::server {

enum class Role : std::uint8_t { kDispatcher, kOfficer, kAnalyst, kAdmin, kAuditor };

// A set of roles as bits (1 << Role).
using RoleSet = std::uint32_t;
constexpr RoleSet RoleBit(Role role) { return RoleSet{1} << static_cast<unsigned>(role); }
constexpr RoleSet kAnyRole = 0;  // a route that needs only a known token

// "dispatcher" -> kDispatcher; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);

// Token hashes are plain SHA-256 (earshot_digest); the names stay for the server's callers.
using Sha256 = digest::Sha256Digest;
inline Sha256 Sha256Of(std::string_view bytes) { return digest::Sha256(bytes); }
using digest::ToHex;

struct Principal {
  std::string name;
  RoleSet roles = 0;

  // True when the principal holds at least one role in `required` (or `required` is kAnyRole).
  bool HasAnyRole(RoleSet required) const {
    return required == kAnyRole || (roles & required) != 0;
  }
};

class TokenStore {
 public:
  // Parses a token file's text; `source` names it in errors ("tokens.json").
  static Result<TokenStore> Parse(std::string_view text, std::string_view source);
  static Result<TokenStore> Load(const std::string& path);

  // The principal whose token this is, or nullopt. Constant time in the token's content.
  std::optional<Principal> Authenticate(std::string_view token) const;

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Principal principal;
    Sha256 token_sha256;
  };
  std::vector<Entry> entries_;
};

// The token from an Authorization header value "Bearer <token>", or nullopt.
std::optional<std::string_view> BearerToken(std::string_view authorization);

// Called after a request to a route marked for access logging passed authentication and
// role checks: the service appends it to the audit log (audio access, DESIGN.md §7).
// `route` is the pattern ("/api/v1/incidents/{id}/audio"), `subject` the path asked for.
using AccessHook = std::function<void(const std::string& user, const std::string& route,
                                      const std::string& subject)>;

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_AUTH_H_
