#include "crypto/fernet.h"

#include <openssl/evp.h>

#include <chrono>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>

#include "crypto/crypto.h"

namespace cxco::crypto {

namespace {

constexpr unsigned char kVersion = 0x80;
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kHalfKeyBytes = 16;
constexpr std::size_t kTimestampBytes = 8;
constexpr std::size_t kIvBytes = 16;
constexpr std::size_t kBlockBytes = 16;
constexpr std::size_t kMacBytes = 32;
constexpr std::size_t kHeaderBytes = 1 + kTimestampBytes + kIvBytes;
// Even empty plaintext pads to one full block.
constexpr std::size_t kMinTokenBytes = kHeaderBytes + kBlockBytes + kMacBytes;
// Python's cryptography.fernet._MAX_CLOCK_SKEW.
constexpr std::int64_t kMaxClockSkewSeconds = 60;
// Padded URL-safe base64 of 32 bytes.
constexpr std::size_t kEncodedKeyChars = 44;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const unsigned char* as_uchar(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// AES-128-CBC with PKCS#7 padding; nullopt only when decrypting and the padding is wrong.
std::optional<std::string> aes_128_cbc(bool encrypt, std::string_view key, std::string_view iv, std::string_view in) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, as_uchar(key), as_uchar(iv), encrypt ? 1 : 0) != 1) {
    throw std::runtime_error("AES-128-CBC initialisation failed");
  }
  std::string out(in.size() + kBlockBytes, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  // EVP counts in int; Fernet payloads are secrets and small JSON documents, far below that.
  if (in.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) - kBlockBytes) {
    throw std::length_error("Fernet payload too large");
  }
  if (EVP_CipherUpdate(ctx.get(), dst, &len, as_uchar(in), static_cast<int>(in.size())) != 1) {
    throw std::runtime_error("AES-128-CBC failed");
  }
  int final_len = 0;
  if (EVP_CipherFinal_ex(ctx.get(), dst + len, &final_len) != 1) {
    if (encrypt) throw std::runtime_error("AES-128-CBC encryption failed");
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(len) + static_cast<std::size_t>(final_len));
  return out;
}

// A token whose MAC verified, split into its fields.
struct VerifiedToken {
  std::int64_t timestamp;
  std::string iv;
  std::string ciphertext;
};

// Decodes a token and checks its length, version and MAC.
std::optional<VerifiedToken> open_token(std::string_view token, std::string_view signing_key) {
  const auto decoded = base64_decode(token, /*url=*/true);
  if (!decoded || decoded->size() < kMinTokenBytes) return std::nullopt;
  const std::string_view data(*decoded);
  if (static_cast<unsigned char>(data[0]) != kVersion) return std::nullopt;
  const std::string_view signed_part = data.substr(0, data.size() - kMacBytes);
  if (!constant_time_equal(hmac_sha256(signing_key, signed_part), data.substr(signed_part.size()))) {
    return std::nullopt;
  }
  std::uint64_t ts = 0;
  for (std::size_t i = 1; i <= kTimestampBytes; ++i) ts = (ts << 8) | static_cast<unsigned char>(data[i]);
  // Only a key holder can mint such a token, but a negative time would poison the TTL arithmetic.
  if (ts > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  return VerifiedToken{static_cast<std::int64_t>(ts), std::string(signed_part.substr(1 + kTimestampBytes, kIvBytes)),
                       std::string(signed_part.substr(kHeaderBytes))};
}

}  // namespace

Fernet::Fernet(std::string signing_key, std::string encryption_key)
    : signing_key_(std::move(signing_key)), encryption_key_(std::move(encryption_key)) {}

std::optional<Fernet> Fernet::from_key(std::string_view key_b64) {
  if (key_b64.size() != kEncodedKeyChars) return std::nullopt;
  auto raw = base64_decode(key_b64, /*url=*/true);
  if (!raw || raw->size() != kKeyBytes) return std::nullopt;
  return Fernet(raw->substr(0, kHalfKeyBytes), raw->substr(kHalfKeyBytes));
}

std::string Fernet::generate_key() { return base64_encode(random_bytes(kKeyBytes), /*url=*/true); }

std::string Fernet::encrypt(std::string_view plaintext) const {
  return encrypt_at_time(plaintext, unix_now(), random_bytes(kIvBytes));
}

std::string Fernet::encrypt_at_time(std::string_view plaintext, std::int64_t unix_time, std::string_view iv) const {
  if (iv.size() != kIvBytes) throw std::invalid_argument("Fernet IV must be 16 bytes");
  // The token stores an unsigned time; Python refuses negative times the same way.
  if (unix_time < 0) throw std::invalid_argument("Fernet timestamp must not be negative");
  std::string token;
  token.reserve(kHeaderBytes + plaintext.size() + kBlockBytes + kMacBytes);
  token += static_cast<char>(kVersion);
  const auto ts = static_cast<std::uint64_t>(unix_time);
  for (int shift = 56; shift >= 0; shift -= 8) token += static_cast<char>((ts >> shift) & 0xff);
  token += iv;
  token += *aes_128_cbc(true, encryption_key_, iv, plaintext);
  token += hmac_sha256(signing_key_, token);
  return base64_encode(token, /*url=*/true);
}

std::optional<std::string> Fernet::decrypt(std::string_view token, std::optional<std::int64_t> ttl_seconds) const {
  return decrypt_at_time(token, ttl_seconds, unix_now());
}

std::optional<std::string> Fernet::decrypt_at_time(std::string_view token, std::optional<std::int64_t> ttl_seconds,
                                                   std::int64_t now) const {
  const auto opened = open_token(token, signing_key_);
  if (!opened) return std::nullopt;
  if (ttl_seconds) {
    // 128-bit so that extreme timestamps, TTLs or clocks cannot overflow.
    const __int128 ts = opened->timestamp;
    if (ts + *ttl_seconds < now || static_cast<__int128>(now) + kMaxClockSkewSeconds < ts) return std::nullopt;
  }
  if (opened->ciphertext.size() % kBlockBytes != 0) return std::nullopt;
  // The MAC is already verified, so a padding failure here cannot serve as a padding oracle.
  return aes_128_cbc(false, encryption_key_, opened->iv, opened->ciphertext);
}

std::optional<std::int64_t> Fernet::extract_timestamp(std::string_view token) const {
  const auto opened = open_token(token, signing_key_);
  if (!opened) return std::nullopt;
  return opened->timestamp;
}

MultiFernet::MultiFernet(std::vector<Fernet> fernets) : fernets_(std::move(fernets)) {
  if (fernets_.empty()) throw std::invalid_argument("MultiFernet needs at least one key");
}

std::optional<MultiFernet> MultiFernet::from_key_list(std::string_view comma_separated, std::string* error) {
  const auto fail = [error](std::string message) -> std::optional<MultiFernet> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  const auto trim = [](std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return std::string_view{};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
  };
  if (trim(comma_separated).empty()) return fail("no Fernet keys given");

  std::vector<Fernet> fernets;
  for (std::size_t position = 1;; ++position) {
    const auto comma = comma_separated.find(',');
    const auto item = trim(comma_separated.substr(0, comma));
    auto fernet = Fernet::from_key(item);
    // The message names the position only: the value is a secret and must not reach logs.
    if (!fernet) {
      return fail("Fernet key " + std::to_string(position) +
                  " is not 32 bytes of URL-safe base64 (44 characters, as Fernet.generate_key() prints)");
    }
    fernets.push_back(std::move(*fernet));
    if (comma == std::string_view::npos) break;
    comma_separated.remove_prefix(comma + 1);
  }
  return MultiFernet(std::move(fernets));
}

std::string MultiFernet::encrypt(std::string_view plaintext) const { return fernets_.front().encrypt(plaintext); }

std::optional<std::string> MultiFernet::decrypt(std::string_view token, std::optional<std::int64_t> ttl_seconds) const {
  for (const auto& f : fernets_) {
    if (auto plaintext = f.decrypt(token, ttl_seconds)) return plaintext;
  }
  return std::nullopt;
}

std::optional<std::string> MultiFernet::rotate(std::string_view token) const {
  for (const auto& f : fernets_) {
    const auto timestamp = f.extract_timestamp(token);
    if (!timestamp) continue;
    const auto plaintext = f.decrypt(token);
    if (!plaintext) continue;
    return fernets_.front().encrypt_at_time(*plaintext, *timestamp, random_bytes(kIvBytes));
  }
  return std::nullopt;
}

bool MultiFernet::is_current(std::string_view token) const {
  return fernets_.front().extract_timestamp(token).has_value();
}

}  // namespace cxco::crypto
