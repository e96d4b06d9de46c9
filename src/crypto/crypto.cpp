#include "crypto/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace cxco::crypto {

namespace {

constexpr std::string_view kBase62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kBase64Standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kApiKeyRandomChars = 40;
// platform.md section 3: keys carry at least this many random characters.
constexpr std::size_t kApiKeyMinRandomChars = 32;

// An empty string_view may have a null data(); OpenSSL treats a null key or message as
// "no argument" rather than "zero bytes", so always hand it a real address.
const unsigned char* bytes_of(std::string_view s) {
  static constexpr unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

bool is_base62(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Sextet value of c in the chosen alphabet, or -1.
int base64_value(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (url ? '-' : '+')) return 62;
  if (c == (url ? '_' : '/')) return 63;
  return -1;
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (EVP_Digest(bytes_of(data), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha256(),
                 nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  out.resize(len);
  return out;
}

HmacSha256::HmacSha256(std::string_view key) : ctx_(nullptr, EVP_MAC_CTX_free) {
  // Fetched once: the lookup in OpenSSL's providers costs more than a short MAC.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (mac) ctx_.reset(EVP_MAC_CTX_new(mac));
  if (!ctx_ || EVP_MAC_init(ctx_.get(), bytes_of(key), key.size(), params) != 1)
    throw std::runtime_error("HMAC-SHA256 failed");
}

void HmacSha256::update(std::string_view piece) {
  if (EVP_MAC_update(ctx_.get(), bytes_of(piece), piece.size()) != 1) throw std::runtime_error("HMAC-SHA256 failed");
}

std::string HmacSha256::digest() {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  std::size_t len = 0;
  if (EVP_MAC_final(ctx_.get(), reinterpret_cast<unsigned char*>(out.data()), &len, out.size()) != 1)
    throw std::runtime_error("HMAC-SHA256 failed");
  out.resize(len);
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  HmacSha256 mac(key);
  mac.update(message);
  return mac.digest();
}

std::string to_hex(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  return to_hex(hmac_sha256(key, message));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Lengths are public (digests and MACs have fixed sizes), so returning early on them leaks nothing.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(bytes_of(a), bytes_of(b), a.size()) == 0;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  // RAND_bytes takes an int count.
  for (std::size_t done = 0; done < n;) {
    const int chunk = static_cast<int>(std::min<std::size_t>(n - done, INT_MAX));
    if (RAND_bytes(p + done, chunk) != 1) throw std::runtime_error("RAND_bytes failed");
    done += static_cast<std::size_t>(chunk);
  }
  return out;
}

std::string random_base62(std::size_t n) {
  // 248 = 4 * 62: bytes below it map evenly onto the alphabet; the rest are redrawn.
  constexpr unsigned kAcceptBelow = 248;
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    // Roughly 3% of bytes are rejected, so a small surplus usually finishes in one draw.
    for (unsigned char b : random_bytes(n - out.size() + 8)) {
      if (b < kAcceptBelow && out.size() < n) out += kBase62Alphabet[b % kBase62Alphabet.size()];
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes, bool url, bool pad) {
  const std::string_view alphabet = url ? kBase64Url : kBase64Standard;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
  if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  out += alphabet[(v >> 18) & 63];
  out += alphabet[(v >> 12) & 63];
  if (rest == 2) out += alphabet[(v >> 6) & 63];
  if (pad) out.append(3 - rest, '=');
  return out;
}

std::optional<std::string> base64_decode(std::string_view text, bool url) {
  if (text.size() % 4 == 0 && !text.empty()) {
    // Padded form: at most two '=' and only at the very end.
    std::size_t pads = 0;
    while (pads < 2 && text[text.size() - 1 - pads] == '=') ++pads;
    text.remove_suffix(pads);
  }
  // One leftover character carries only 6 bits, less than a byte: no encoder produces it.
  if (text.size() % 4 == 1) return std::nullopt;

  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = base64_value(c, url);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero, so that every byte string has exactly one accepted encoding
  // (modulo padding) and tampered tails are not silently ignored.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

namespace {

constexpr std::pair<KeyType, std::string_view> kKeyPrefixes[] = {
    {KeyType::company, kCompanyKeyPrefix}, {KeyType::user, kUserKeyPrefix}, {KeyType::scoped, kScopedKeyPrefix}};

}  // namespace

std::string generate_api_key(KeyType type) {
  for (const auto& [t, prefix] : kKeyPrefixes)
    if (t == type) return std::string(prefix) + random_base62(kApiKeyRandomChars);
  throw std::logic_error("unknown key type");
}

std::optional<KeyType> api_key_type(std::string_view key) {
  for (const auto& [type, prefix] : kKeyPrefixes) {
    if (!key.starts_with(prefix)) continue;
    key.remove_prefix(prefix.size());
    if (key.size() < kApiKeyMinRandomChars || !std::all_of(key.begin(), key.end(), is_base62)) return std::nullopt;
    return type;
  }
  return std::nullopt;
}

}  // namespace cxco::crypto
