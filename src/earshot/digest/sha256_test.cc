#include "earshot/digest/sha256.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <span>
#include <string>

namespace earshot::digest {
namespace {

// FIPS 180-2 appendix B.1 and B.2, and the empty message.
constexpr std::string_view kAbc = "abc";
constexpr std::string_view kAbcHex =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view kEmptyHex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view k448Bits = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view k448BitsHex =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

TEST(Sha256Test, HexMatchesTheStandardVectors) {
  EXPECT_EQ(Sha256Hex(std::string_view("")), kEmptyHex);
  EXPECT_EQ(Sha256Hex(kAbc), kAbcHex);
  EXPECT_EQ(Sha256Hex(k448Bits), k448BitsHex);
}

TEST(Sha256Test, RawDigestAndSpanAgreeWithHex) {
  EXPECT_EQ(ToHex(Sha256(kAbc)), kAbcHex);
  const std::string text(k448Bits);
  EXPECT_EQ(Sha256Hex(std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size())),
            k448BitsHex);
}

TEST(Sha256Test, FileDigestMatchesTheBytes) {
  // One file per process: CTest runs the suite's tests at once.
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("earshot_sha256_test_" + std::to_string(getpid()));
  { std::ofstream(path, std::ios::binary) << k448Bits; }
  Result<std::string> digest = Sha256OfFile(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(*digest, k448BitsHex);
}

TEST(Sha256Test, MissingFileIsAnErrorNamingThePath) {
  Result<std::string> digest = Sha256OfFile("/nonexistent/earshot/snippet.flac");
  ASSERT_FALSE(digest.has_value());
  EXPECT_EQ(digest.error().source, "/nonexistent/earshot/snippet.flac");
}

}  // namespace
}  // namespace earshot::digest
