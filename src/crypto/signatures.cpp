#include "crypto/signatures.h"

#include <charconv>
#include <optional>
#include <vector>

#include "crypto/crypto.h"

namespace cxco::crypto {

const char* describe(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::missing: return "missing";
    case SignatureCheck::malformed: return "malformed";
    case SignatureCheck::mismatch: return "mismatch";
    case SignatureCheck::too_old: return "outside the time window";
    case SignatureCheck::ok: break;
  }
  return "ok";
}

namespace {

constexpr std::string_view kWhatsAppPrefix = "sha256=";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Senders document lowercase hex, but hex is case-insensitive and accepting both costs nothing.
std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool hex_mac_matches(std::string_view provided_hex, std::string_view expected_hex) {
  return constant_time_equal(ascii_lower(provided_hex), expected_hex);
}

std::optional<std::int64_t> parse_unix_seconds(std::string_view s) {
  std::int64_t value = 0;
  // from_chars would take a leading '-'; a signed timestamp is not something any sender emits.
  if (s.empty() || s.front() == '-') return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string timestamped_header(std::string_view scheme, std::string_view secret, std::int64_t t,
                               std::string_view raw_body) {
  const std::string ts = std::to_string(t);
  return "t=" + ts + "," + std::string(scheme) + "=" + hmac_sha256_hex(secret, ts + "." + std::string(raw_body));
}

SignatureCheck verify_timestamped(std::string_view header, std::string_view scheme, std::string_view secret,
                                  std::string_view raw_body, std::int64_t now, std::int64_t tolerance_seconds) {
  TimestampedSignature check(header, scheme, secret);
  check.update(raw_body);
  return check.finish(now, tolerance_seconds);
}

}  // namespace

// Stripe-style "t=<unix>,<scheme>=<hex>[,<scheme>=<hex>...]" as used by ElevenLabs (v0) and our own
// outbound webhooks (v1). Items are comma-separated, may carry spaces, and unknown keys are skipped
// so senders can add fields or schemes; several signatures allow the sender to rotate secrets.
TimestampedSignature::TimestampedSignature(std::string_view header, std::string_view scheme, std::string_view secret) {
  header = trim(header);
  if (header.empty()) {
    header_check_ = SignatureCheck::missing;
    return;
  }
  std::optional<std::string_view> t_text;
  for (std::string_view rest = header;;) {
    const auto comma = rest.find(',');
    const auto item = trim(rest.substr(0, comma));
    const auto eq = item.find('=');
    if (eq != std::string_view::npos) {
      const auto key = item.substr(0, eq);
      if (key == "t") {
        // Two timestamps make it ambiguous which one was signed.
        if (t_text) {
          header_check_ = SignatureCheck::malformed;
          return;
        }
        t_text = item.substr(eq + 1);
      } else if (key == scheme) {
        signatures_.emplace_back(item.substr(eq + 1));
      }
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!t_text || !parse_unix_seconds(*t_text) || signatures_.empty()) {
    header_check_ = SignatureCheck::malformed;
    return;
  }
  // The MAC covers t exactly as sent, not as we would format it.
  t_text_ = *t_text;
  mac_.emplace(secret);
  mac_->update(t_text_ + ".");
}

void TimestampedSignature::update(std::string_view piece) {
  if (mac_) mac_->update(piece);
}

SignatureCheck TimestampedSignature::finish(std::int64_t now, std::int64_t tolerance_seconds) {
  if (header_check_ != SignatureCheck::ok) return header_check_;
  const std::string expected = to_hex(mac_->digest());
  bool matched = false;
  for (const auto& signature : signatures_) {
    // No early exit: the time taken does not reveal which candidate matched.
    matched = hex_mac_matches(signature, expected) || matched;
  }
  if (!matched) return SignatureCheck::mismatch;
  // Checked after the MAC so that too_old always means an authentic but stale (replayed) request.
  // 128-bit so that hostile t or extreme tolerances cannot overflow.
  const auto t = *parse_unix_seconds(t_text_);
  const __int128 lo = static_cast<__int128>(now) - tolerance_seconds;
  const __int128 hi = static_cast<__int128>(now) + tolerance_seconds;
  if (t < lo || t > hi) return SignatureCheck::too_old;
  return SignatureCheck::ok;
}

SignatureCheck verify_elevenlabs_signature(std::string_view header, std::string_view secret, std::string_view raw_body,
                                           std::int64_t now, std::int64_t tolerance_seconds) {
  return verify_timestamped(header, "v0", secret, raw_body, now, tolerance_seconds);
}

std::string sign_elevenlabs(std::string_view secret, std::int64_t t, std::string_view raw_body) {
  return timestamped_header("v0", secret, t, raw_body);
}

SignatureCheck verify_whatsapp_signature(std::string_view header, std::string_view app_secret,
                                         std::string_view raw_body) {
  header = trim(header);
  if (header.empty()) return SignatureCheck::missing;
  if (!header.starts_with(kWhatsAppPrefix)) return SignatureCheck::malformed;
  header.remove_prefix(kWhatsAppPrefix.size());
  return hex_mac_matches(header, hmac_sha256_hex(app_secret, raw_body)) ? SignatureCheck::ok : SignatureCheck::mismatch;
}

std::string sign_whatsapp(std::string_view app_secret, std::string_view raw_body) {
  return std::string(kWhatsAppPrefix) + hmac_sha256_hex(app_secret, raw_body);
}

std::string sign_cxco_webhook(std::string_view secret, std::int64_t t, std::string_view raw_body) {
  return timestamped_header("v1", secret, t, raw_body);
}

SignatureCheck verify_cxco_webhook_signature(std::string_view header, std::string_view secret,
                                             std::string_view raw_body, std::int64_t now,
                                             std::int64_t tolerance_seconds) {
  return verify_timestamped(header, "v1", secret, raw_body, now, tolerance_seconds);
}

}  // namespace cxco::crypto
