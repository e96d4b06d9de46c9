// Webhook signature schemes (../shared/docs/providers.md sections 1.5, 2.3 and platform.md 5).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cxco::crypto {

enum class SignatureCheck { ok, missing, malformed, mismatch, too_old };
// For logs: "missing", "mismatch", ...
const char* describe(SignatureCheck check);

// ElevenLabs-Signature: "t=<unix>,v0=<hex HMAC-SHA256(secret, "<t>.<body>")>". Rejects t older
// than now - tolerance (30 minutes by default) and also t further than tolerance in the future.
SignatureCheck verify_elevenlabs_signature(std::string_view header, std::string_view secret, std::string_view raw_body,
                                           std::int64_t now, std::int64_t tolerance_seconds = 1800);
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
