// Cursor pagination (platform.md section 3 "Pagination"): newest first, and the next page is
// "id below the last id seen", which rows added meanwhile (higher ids) can never disturb.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace cxco::domain {

struct PageRequest {
  std::int64_t limit = 30;                // 1..100
  std::optional<std::int64_t> before_id;  // from the cursor: the last id of the previous page
};

template <class T>
struct Page {
  std::vector<T> items;
  bool has_more = false;
  // The id the next page starts below; nullopt on the last page.
  std::optional<std::int64_t> next_before_id() const {
    return has_more && !items.empty() ? std::optional<std::int64_t>(items.back().id) : std::nullopt;
  }
};

// A page from up to limit + 1 rows, newest first: the extra row only says whether another page exists.
template <class T>
Page<T> page_of(std::vector<T> rows, std::int64_t limit) {
  Page<T> page;
  page.has_more = static_cast<std::int64_t>(rows.size()) > limit;
  if (page.has_more) rows.resize(static_cast<std::size_t>(limit));
  page.items = std::move(rows);
  return page;
}

}  // namespace cxco::domain
