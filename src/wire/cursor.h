// Pagination cursors: URL-safe base64 of {"id": <last id seen>}. Lists run newest first, so
// the next page is "id < cursor id", which new rows (higher ids) can never disturb.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cxco::wire {

std::string encode_cursor(std::int64_t last_id);
std::optional<std::int64_t> decode_cursor(std::string_view cursor);

}  // namespace cxco::wire
