// Webhook signature schemes (../shared/docs/providers.md sections 1.5, 2.3 and platform.md 5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/crypto.h"

namespace cxco::crypto {

enum class SignatureCheck { ok, missing, malformed, mismatch, too_old };
// For logs: "missing", "mismatch", ...
const char* describe(SignatureCheck check);

// A "t=<unix>,<scheme>=<hex HMAC-SHA256(secret, "<t>.<body>")>" header checked against a body
// given in pieces (ElevenLabs signs with scheme v0, CXCo's own webhooks with v1), so a body of
// any size is verified without holding it whole. Several <scheme> values allow secret rotation.
class TimestampedSignature {
 public:
  TimestampedSignature(std::string_view header, std::string_view scheme, std::string_view secret);
  void update(std::string_view piece);
  // Accepts t within tolerance of now in either direction; call once, after the last piece.
  SignatureCheck finish(std::int64_t now, std::int64_t tolerance_seconds);

 private:
  SignatureCheck header_check_ = SignatureCheck::ok;  // missing or malformed: known from the header
  std::string t_text_;
  std::vector<std::string> signatures_;
  std::optional<HmacSha256> mac_;
};

// ElevenLabs-Signature: "t=<unix>,v0=<hex HMAC-SHA256(secret, "<t>.<body>")>". Rejects t older
// than now - tolerance (30 minutes by default) and also t further than tolerance in the future.
inline constexpr std::int64_t kElevenLabsTolerance = 1800;
SignatureCheck verify_elevenlabs_signature(std::string_view header, std::string_view secret, std::string_view raw_body,
                                           std::int64_t now, std::int64_t tolerance_seconds = kElevenLabsTolerance);
std::string sign_elevenlabs(std::string_view secret, std::int64_t t, std::string_view raw_body);

// X-Hub-Signature-256: "sha256=<hex HMAC-SHA256(app secret, body)>".
SignatureCheck verify_whatsapp_signature(std::string_view header, std::string_view app_secret,
                                         std::string_view raw_body);
std::string sign_whatsapp(std::string_view app_secret, std::string_view raw_body);

// Outbound X-CXCo-Signature: "t=<unix>,v1=<hex HMAC-SHA256(secret UTF-8, "<t>.<body>")>".
std::string sign_cxco_webhook(std::string_view secret, std::int64_t t, std::string_view raw_body);
// The receiving side of the above (test receivers, customers' reference code): accepts the header if
// any v1 matches and t is within tolerance of now in either direction.
SignatureCheck verify_cxco_webhook_signature(std::string_view header, std::string_view secret,
                                             std::string_view raw_body, std::int64_t now,
                                             std::int64_t tolerance_seconds = 300);

}  // namespace cxco::crypto
