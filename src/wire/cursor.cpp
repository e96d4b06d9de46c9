#include "wire/cursor.h"

#include <boost/json/parse.hpp>

#include "crypto/crypto.h"

namespace cxco::wire {

std::string encode_cursor(std::int64_t last_id) {
  return crypto::base64_encode("{\"id\":" + std::to_string(last_id) + "}", true, true);
}

std::optional<std::int64_t> decode_cursor(std::string_view cursor) {
  if (cursor.size() > 256) return std::nullopt;
  const auto raw = crypto::base64_decode(cursor, true);
  if (!raw) return std::nullopt;
  boost::system::error_code ec;
  const auto v = boost::json::parse(*raw, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* id = v.as_object().if_contains("id");
  if (!id || !id->is_int64() || id->as_int64() < 1) return std::nullopt;
  return id->as_int64();
}

}  // namespace cxco::wire
