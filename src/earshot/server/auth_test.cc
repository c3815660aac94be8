#include "earshot/server/auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::server {
namespace {

using ::testing::HasSubstr;

TEST(AuthTest, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(ToHex(Sha256Of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuthTest, AuthenticatesByHashAndKeepsRoles) {
  const std::string file = std::string(R"({"tokens": [{"name": "alice", "token_sha256": ")")
                               .append(ToHex(Sha256Of("s3cret")))
                               .append(R"(", "roles": ["dispatcher", "auditor"]}]})");
  auto store = TokenStore::Parse(file, "tokens.json");
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  auto alice = store->Authenticate("s3cret");
  ASSERT_TRUE(alice.has_value());
  EXPECT_EQ(alice->name, "alice");
  EXPECT_TRUE(alice->HasAnyRole(RoleBit(Role::kAuditor)));
  EXPECT_FALSE(alice->HasAnyRole(RoleBit(Role::kAdmin)));
  EXPECT_TRUE(alice->HasAnyRole(kAnyRole));
  EXPECT_FALSE(store->Authenticate("s3cre").has_value());
}

TEST(AuthTest, RefusesBadTokenFilesNamingTheField) {
  auto error = [](const std::string& text) {
    auto store = TokenStore::Parse(text, "tokens.json");
    return store ? std::string("accepted") : store.error().ToString();
  };
  EXPECT_THAT(error("{"), HasSubstr("tokens.json:byte"));
  EXPECT_THAT(error("{}"), HasSubstr("field tokens"));
  EXPECT_THAT(error(R"({"tokens": [{"name": "a", "token_sha256": "12", "roles": ["admin"]}]})"),
              HasSubstr("tokens[0], field token_sha256"));
  const std::string hash = ToHex(Sha256Of("x"));
  EXPECT_THAT(error(std::string(R"({"tokens": [{"name": "a", "token_sha256": ")")
                        .append(hash)
                        .append(R"(", "roles": ["king"]}]})")),
              HasSubstr("got \"king\""));
  EXPECT_THAT(error(std::string(R"({"tokens": [{"name": "a", "token_sha256": ")")
                        .append(hash)
                        .append(R"(", "roles": ["admin"]}, {"name": "b", "token_sha256": ")")
                        .append(hash)
                        .append(R"(", "roles": ["admin"]}]})")),
              HasSubstr("tokens[1]"));
}

TEST(AuthTest, ReadsBearerTokens) {
  EXPECT_EQ(BearerToken("Bearer abc").value_or(""), "abc");
  EXPECT_EQ(BearerToken("bearer  abc ").value_or(""), "abc");
  EXPECT_FALSE(BearerToken("Basic abc").has_value());
  EXPECT_FALSE(BearerToken("Bearer ").has_value());
  EXPECT_FALSE(BearerToken("").has_value());
}

}  // namespace
}  // namespace earshot::server
