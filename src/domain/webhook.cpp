#include "domain/webhook.h"

#include <algorithm>
#include <iterator>

namespace cxco::domain {

bool is_event_type(std::string_view type) {
  return std::any_of(std::begin(kEventTypes), std::end(kEventTypes), [&](const char* t) { return type == t; });
}

}  // namespace cxco::domain
