// Fernet (github.com/fernet/spec, version 0x80) and MultiFernet with the semantics of
// Python's cryptography.fernet, so tokens interoperate both ways.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cxco::crypto {

class Fernet {
 public:
  // key: 32 bytes as URL-safe base64 (44 chars, padded). nullopt if it is not such a key.
  static std::optional<Fernet> from_key(std::string_view key_b64);
  // A new random key in the same encoding.
  static std::string generate_key();

  std::string encrypt(std::string_view plaintext) const;
  // Deterministic form for test vectors: iv must be 16 bytes.
  std::string encrypt_at_time(std::string_view plaintext, std::int64_t unix_time, std::string_view iv) const;
  // nullopt on any failure (bad base64, version, HMAC, padding, TTL). ttl_seconds: when set,
  // reject if timestamp + ttl < now or timestamp > now + 60 (Python's _MAX_CLOCK_SKEW).
  std::optional<std::string> decrypt(std::string_view token,
                                     std::optional<std::int64_t> ttl_seconds = std::nullopt) const;
  std::optional<std::string> decrypt_at_time(std::string_view token, std::optional<std::int64_t> ttl_seconds,
                                             std::int64_t now) const;
  // Timestamp of a token whose HMAC verifies.
  std::optional<std::int64_t> extract_timestamp(std::string_view token) const;

 private:
  Fernet(std::string signing_key, std::string encryption_key);
  std::string signing_key_;
  std::string encryption_key_;
};

class MultiFernet {
 public:
  // Parses CXCO_ENCRYPTION_KEYS-style "k1,k2,...": the first encrypts, all decrypt.
  // Returns nullopt with *error set (naming the 1-based position of the bad key) on failure.
  static std::optional<MultiFernet> from_key_list(std::string_view comma_separated, std::string* error = nullptr);
  explicit MultiFernet(std::vector<Fernet> fernets);  // throws std::invalid_argument if empty

  std::string encrypt(std::string_view plaintext) const;
  std::optional<std::string> decrypt(std::string_view token,
                                     std::optional<std::int64_t> ttl_seconds = std::nullopt) const;
  // Decrypt with the first key that works (ignoring TTL) and re-encrypt under the first key,
  // keeping the original timestamp. nullopt if no key works.
  std::optional<std::string> rotate(std::string_view token) const;
  // True when the token already verifies under the first (encrypting) key.
  bool is_current(std::string_view token) const;

 private:
  std::vector<Fernet> fernets_;
};

}  // namespace cxco::crypto
