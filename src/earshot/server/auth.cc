#include "earshot/server/auth.h"

#include <fstream>
#include <sstream>

#include <openssl/crypto.h>
#include <nlohmann/json.hpp>

namespace earshot::server {
namespace {

constexpr std::array<std::string_view, 5> kRoleNames = {"dispatcher", "officer", "analyst", "admin",
                                                        "auditor"};

std::optional<Sha256> ParseHexDigest(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Sha256 digest{};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return digest;
}

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string_view RoleName(Role role) { return kRoleNames[static_cast<std::size_t>(role)]; }

Result<TokenStore> TokenStore::Parse(std::string_view text, std::string_view source) {
  const std::string src(source);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Fail(src, std::string("byte ").append(std::to_string(e.byte)),
                "expected a JSON document");
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double (out_of_range 406) and similar: bad input, not a crash.
    return Fail(src, "",
                std::string("expected a JSON document, got unreadable input (") + e.what() + ")");
  }
  if (!doc.is_object() || !doc.contains("tokens") || !doc["tokens"].is_array()) {
    return Fail(src, "field tokens", "expected an object with an array \"tokens\"");
  }
  TokenStore store;
  const nlohmann::json& tokens = doc["tokens"];
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const nlohmann::json& entry = tokens[i];
    const std::string where = std::string("tokens[").append(std::to_string(i)).append("]");
    if (!entry.is_object()) return Fail(src, where, "expected an object");
    auto name = entry.find("name");
    if (name == entry.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      return Fail(src, where + ", field name", "expected a non-empty string");
    }
    auto hash = entry.find("token_sha256");
    if (hash == entry.end() || !hash->is_string()) {
      return Fail(src, where + ", field token_sha256", "expected 64 hex digits");
    }
    std::optional<Sha256> digest = ParseHexDigest(hash->get_ref<const std::string&>());
    if (!digest) return Fail(src, where + ", field token_sha256", "expected 64 hex digits");
    auto roles = entry.find("roles");
    if (roles == entry.end() || !roles->is_array() || roles->empty()) {
      return Fail(src, where + ", field roles",
                  "expected a non-empty array of dispatcher, officer, analyst, admin, auditor");
    }
    Entry parsed{{name->get<std::string>(), 0}, *digest};
    for (const nlohmann::json& role : *roles) {
      std::optional<Role> known =
          role.is_string() ? ParseRole(role.get_ref<const std::string&>()) : std::nullopt;
      if (!known) {
        return Fail(
            src, where + ", field roles",
            std::string("expected dispatcher, officer, analyst, admin or auditor, got ")
                .append(role.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
      }
      parsed.principal.roles |= RoleBit(*known);
    }
    for (const Entry& other : store.entries_) {
      if (other.token_sha256 == parsed.token_sha256) {
        return Fail(src, where + ", field token_sha256",
                    std::string("expected a unique token, same as ").append(other.principal.name));
      }
    }
    store.entries_.push_back(std::move(parsed));
  }
  return store;
}

Result<TokenStore> TokenStore::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path, "", "cannot open the token file");
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

std::optional<Principal> TokenStore::Authenticate(std::string_view token) const {
  const Sha256 digest = Sha256Of(token);
  const Entry* found = nullptr;
  // Compare with every entry, without stopping early, so timing does not tell which matched.
  for (const Entry& entry : entries_) {
    const bool equal = CRYPTO_memcmp(entry.token_sha256.data(), digest.data(), digest.size()) == 0;
    if (equal) found = &entry;
  }
  if (found == nullptr) return std::nullopt;
  return found->principal;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  // The scheme is case-insensitive (RFC 9110 §11.1).
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) {
      return std::nullopt;
    }
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace earshot::server
