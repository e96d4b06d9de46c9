// The API reference files compiled into the binary by cmake/embed_docs.cmake: the OpenAPI
// document, the docs page and the vendored Redoc bundle (third_party/redoc).
#pragma once

#include <string_view>
#include <vector>

namespace cxco::api::docs {

struct Asset {
  std::string_view name;  // the file's name, e.g. "openapi.json"
  std::string_view content;
};

const std::vector<Asset>& assets();

}  // namespace cxco::api::docs
