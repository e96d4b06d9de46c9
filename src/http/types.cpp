#include "http/types.h"

namespace cxco::http {

namespace {
std::optional<std::string_view> find(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}
}  // namespace

std::optional<std::string_view> Request::header(std::string_view lower_name) const { return find(headers, lower_name); }
std::optional<std::string_view> Request::query_param(std::string_view name) const { return find(query, name); }
std::string_view Request::path_param(std::string_view name) const { return find(path_params, name).value_or(""); }

}  // namespace cxco::http
