// Cryptographic primitives on OpenSSL: hashing, HMAC, encodings, CSPRNG, API keys.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cxco::crypto {

// Raw 32-byte digest / MAC.
std::string sha256(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view message);

// HMAC-SHA256 over a message given in pieces, for bodies too large to hold whole.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);  // throws std::runtime_error if OpenSSL fails
  void update(std::string_view piece);
  std::string digest();  // the raw 32-byte MAC of everything given; call once

 private:
  std::unique_ptr<EVP_MAC_CTX, void (*)(EVP_MAC_CTX*)> ctx_;
};

// Lowercase hex.
std::string to_hex(std::string_view bytes);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Compares in time that depends only on the lengths, never on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// CSPRNG (OpenSSL RAND_bytes); throws std::runtime_error if the generator fails.
std::string random_bytes(std::size_t n);
// n characters from [0-9A-Za-z], uniformly distributed (rejection sampling, no modulo bias).
std::string random_base62(std::size_t n);

// RFC 4648 base64. url=true selects the URL-safe alphabet (-_). Decoding accepts input with
// or without padding and rejects anything else (bad characters, impossible lengths).
std::string base64_encode(std::string_view bytes, bool url = false, bool pad = true);
std::optional<std::string> base64_decode(std::string_view text, bool url = false);

// API keys (platform.md sections 3 and 9): prefix + 40 base62 characters.
enum class KeyType { company, user, scoped };
inline constexpr std::string_view kCompanyKeyPrefix = "cxco_comp_k_";
inline constexpr std::string_view kUserKeyPrefix = "cxco_user_k_";
inline constexpr std::string_view kScopedKeyPrefix = "cxco_key_";
std::string generate_api_key(KeyType type);
// The type a key claims by its prefix, if it has one of ours and a plausible body.
std::optional<KeyType> api_key_type(std::string_view key);

}  // namespace cxco::crypto
