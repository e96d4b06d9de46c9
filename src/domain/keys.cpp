#include "domain/keys.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace cxco::domain {

namespace {

// In the order of enum class Scope.
constexpr std::array<std::string_view, kScopeCount> kScopeNames = {
    "agents:read",        "agents:write",        "calls:read", "calls:write",   "campaigns:read", "campaigns:write",
    "conversations:read", "conversations:write", "usage:read", "webhooks:read", "webhooks:write", "providers:write",
    "users:read",         "users:write",         "keys:write", "audit:read"};

}  // namespace

std::string_view to_string(KeyType type) {
  switch (type) {
    case KeyType::company: return "company";
    case KeyType::user: return "user";
    case KeyType::scoped: break;
  }
  return "scoped";
}

std::string_view to_string(Scope scope) { return kScopeNames[static_cast<std::size_t>(scope)]; }

std::optional<Scope> parse_scope(std::string_view name) {
  const auto it = std::find(kScopeNames.begin(), kScopeNames.end(), name);
  if (it == kScopeNames.end()) return std::nullopt;
  return static_cast<Scope>(it - kScopeNames.begin());
}

ScopeSet ScopeSet::from_text(std::string_view text) {
  ScopeSet set;
  while (!text.empty()) {
    const auto space = text.find(' ');
    if (const auto scope = parse_scope(text.substr(0, space))) set.add(*scope);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  return set;
}

std::string ScopeSet::text() const {
  std::string out;
  for (const auto scope : list()) (out.empty() ? out : out += ' ') += to_string(scope);
  return out;
}

std::vector<Scope> ScopeSet::list() const {
  std::vector<Scope> out;
  for (int i = 0; i < kScopeCount; ++i)
    if (has(static_cast<Scope>(i))) out.push_back(static_cast<Scope>(i));
  return out;
}

AgentScope AgentScope::only(std::vector<std::int64_t> agent_ids) {
  std::sort(agent_ids.begin(), agent_ids.end());
  agent_ids.erase(std::unique(agent_ids.begin(), agent_ids.end()), agent_ids.end());
  AgentScope scope;
  scope.ids_ = std::move(agent_ids);
  return scope;
}

AgentScope AgentScope::from_text(const std::optional<std::string>& text) {
  if (!text) return {};
  std::vector<std::int64_t> ids;
  const char* p = text->data();
  const char* end = p + text->size();
  while (p < end) {
    std::int64_t id = 0;
    const auto [next, ec] = std::from_chars(p, end, id);
    if (ec != std::errc()) break;
    ids.push_back(id);
    p = next < end ? next + 1 : end;  // past the comma
  }
  return only(std::move(ids));
}

std::optional<std::string> AgentScope::text() const {
  if (!ids_) return std::nullopt;
  std::string out;
  for (const auto id : *ids_) (out.empty() ? out : out += ',') += std::to_string(id);
  return out;
}

bool AgentScope::allows(std::int64_t agent_id) const {
  return !ids_ || std::binary_search(ids_->begin(), ids_->end(), agent_id);
}

bool AgentScope::includes(const AgentScope& other) const {
  if (!ids_) return true;
  return other.ids_ && std::includes(ids_->begin(), ids_->end(), other.ids_->begin(), other.ids_->end());
}

}  // namespace cxco::domain
