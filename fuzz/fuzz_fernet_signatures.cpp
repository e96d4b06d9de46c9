// libFuzzer target for everything that parses attacker-controlled bytes in src/crypto: Fernet tokens
// (stored credentials may be tampered with), base64, and the webhook signature headers. Beyond "no
// crash", it checks round-trip properties, because a parser that silently accepts the wrong thing is
// worse than one that crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "crypto/crypto.h"
#include "crypto/fernet.h"
#include "crypto/signatures.h"

namespace {

using namespace cxco::crypto;

constexpr std::string_view kKeyNew = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr std::string_view kKeyOld = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr std::string_view kSecret = "wsec_fuzz";

void require(bool condition) {
  if (!condition) std::abort();
}

const Fernet& fernet_new() {
  static const Fernet f = *Fernet::from_key(kKeyNew);
  return f;
}

const Fernet& fernet_old() {
  static const Fernet f = *Fernet::from_key(kKeyOld);
  return f;
}

const MultiFernet& multi() {
  static const MultiFernet mf({fernet_new(), fernet_old()});
  return mf;
}

// Random bytes almost never carry a valid MAC, so also sign them as a token body with the real
// signing key: that drives the version, timestamp, TTL, CBC and padding checks behind the MAC.
std::string signed_token(std::string_view body) {
  static const std::string signing_key = base64_decode(kKeyNew, true)->substr(0, 16);
  std::string raw(body);
  raw += hmac_sha256(signing_key, raw);
  return base64_encode(raw, true);
}

std::int64_t read_i64(std::string_view input, std::size_t offset) {
  std::int64_t v = 0;
  if (input.size() >= offset + sizeof v) std::memcpy(&v, input.data() + offset, sizeof v);
  return v;
}

void fuzz_base64(std::string_view input) {
  for (const bool url : {false, true}) {
    const auto decoded = base64_decode(input, url);
    if (!decoded) continue;
    // The decoder accepts only canonical encodings, padded or not.
    require(base64_encode(*decoded, url, true) == input || base64_encode(*decoded, url, false) == input);
  }
}

void fuzz_fernet(std::string_view input) {
  const std::int64_t ttl = read_i64(input, 0);
  const std::int64_t now = read_i64(input, 8);
  for (const std::string& token : {std::string(input), signed_token(input)}) {
    const auto plain = fernet_new().decrypt_at_time(token, std::nullopt, now);
    const auto with_ttl = fernet_new().decrypt_at_time(token, ttl, now);
    // A TTL can only reject more.
    require(!with_ttl || with_ttl == plain);
    require(!plain || fernet_new().extract_timestamp(token).has_value());
    require(multi().decrypt(token) == plain);
    if (const auto rotated = multi().rotate(token)) {
      require(fernet_new().decrypt(*rotated) == plain);
      require(fernet_new().extract_timestamp(*rotated) == fernet_new().extract_timestamp(token));
    }
  }

  // Any plaintext survives encryption under the old key and rotation to the new one.
  const std::int64_t ts = now < 0 ? -(now + 1) : now;
  const std::string old_token = fernet_old().encrypt_at_time(input, ts, std::string(16, '\x2a'));
  require(multi().decrypt(old_token) == input);
  require(!multi().is_current(old_token));
  const auto rotated = multi().rotate(old_token);
  require(rotated && fernet_new().decrypt(*rotated) == input && fernet_new().extract_timestamp(*rotated) == ts);
}

void fuzz_signatures(std::string_view input) {
  // First line is the header, the rest the body, so both vary independently.
  const auto newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  const std::int64_t now = read_i64(input, 0);
  const std::int64_t tolerance = read_i64(input, 8);

  // Arbitrary headers, bodies, clocks and tolerances: only the absence of crashes and UB is checked.
  verify_elevenlabs_signature(header, kSecret, body, now, tolerance);
  verify_elevenlabs_signature(input, kSecret, input, now);
  verify_whatsapp_signature(header, kSecret, body);
  verify_cxco_webhook_signature(header, kSecret, body, now, tolerance);

  // Whatever we sign verifies, and only for the body that was signed.
  const std::int64_t t = now < 0 ? -(now + 1) : now;
  require(verify_elevenlabs_signature(sign_elevenlabs(kSecret, t, body), kSecret, body, t) == SignatureCheck::ok);
  require(verify_cxco_webhook_signature(sign_cxco_webhook(kSecret, t, body), kSecret, body, t) == SignatureCheck::ok);
  require(verify_whatsapp_signature(sign_whatsapp(kSecret, body), kSecret, body) == SignatureCheck::ok);
  require((verify_whatsapp_signature(sign_whatsapp(kSecret, body), kSecret, header) == SignatureCheck::ok) ==
          (header == body));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz_base64(input);
  fuzz_fernet(input);
  fuzz_signatures(input);
  return 0;
}
