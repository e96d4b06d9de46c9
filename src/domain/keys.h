// API keys and what they may do (platform.md sections 3 and 9): company and user keys, and the
// named keys a company hands out with scopes, an optional agent restriction and an expiry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/company.h"

namespace cxco::domain {

enum class KeyType { company, user, scoped };
std::string_view to_string(KeyType type);

// What a scoped key may be given; each opens the endpoints the route table names for it.
enum class Scope : std::uint8_t {
  agents_read,
  agents_write,
  calls_read,
  calls_write,
  campaigns_read,
  campaigns_write,
  conversations_read,
  conversations_write,
  usage_read,
  webhooks_read,
  webhooks_write,
  providers_write,
  users_read,
  users_write,
  keys_write,
  audit_read,
};
inline constexpr int kScopeCount = 16;
std::string_view to_string(Scope scope);  // "agents:read"
std::optional<Scope> parse_scope(std::string_view name);

class ScopeSet {
 public:
  static ScopeSet all() { return ScopeSet((1u << kScopeCount) - 1); }
  // The stored form: names separated by spaces. Names it does not know are left out.
  static ScopeSet from_text(std::string_view text);
  std::string text() const;

  ScopeSet() = default;
  bool has(Scope s) const { return (bits_ & bit(s)) != 0; }
  void add(Scope s) { bits_ |= bit(s); }
  bool empty() const { return bits_ == 0; }
  bool includes(ScopeSet other) const { return (other.bits_ & ~bits_) == 0; }
  std::vector<Scope> list() const;  // in declaration order
  friend bool operator==(ScopeSet, ScopeSet) = default;

 private:
  explicit ScopeSet(std::uint32_t bits) : bits_(bits) {}
  static std::uint32_t bit(Scope s) { return 1u << static_cast<unsigned>(s); }
  std::uint32_t bits_ = 0;
};

// The agents of its company a caller sees: every one, or only those a scoped key names. The
// others, and everything under them, do not exist for it (404).
class AgentScope {
 public:
  AgentScope() = default;  // every agent
  // Only these (sorted and made unique here).
  static AgentScope only(std::vector<std::int64_t> agent_ids);
  // The stored form: ids separated by commas; nullopt (no restriction) for every agent.
  static AgentScope from_text(const std::optional<std::string>& text);
  std::optional<std::string> text() const;

  bool restricted() const { return ids_.has_value(); }
  bool allows(std::int64_t agent_id) const;
  bool includes(const AgentScope& other) const;
  // The agents seen; only when restricted.
  const std::vector<std::int64_t>& ids() const { return *ids_; }
  friend bool operator==(const AgentScope&, const AgentScope&) = default;

 private:
  std::optional<std::vector<std::int64_t>> ids_;
};

// What a key may hand on to a key it creates: no scope and no agent beyond its own.
struct KeyGrant {
  ScopeSet scopes = ScopeSet::all();
  AgentScope agents;
};

// Who an API key acts for, found by the key's hash.
struct KeyOwner {
  std::int64_t key_id = 0;
  KeyType type = KeyType::company;
  CompanyId company_id;
  std::optional<std::int64_t> user_id;
  std::optional<std::string> role;  // user keys: the user's role now
  ScopeSet scopes;                  // scoped keys
  AgentScope agents;                // scoped keys with agent_ids
  friend bool operator==(const KeyOwner&, const KeyOwner&) = default;
};

// A named key as GET /api/keys/ shows it: never the key itself.
struct NamedKey {
  std::int64_t id = 0;
  std::string name;
  std::string prefix;  // the key's first characters, to tell keys apart
  ScopeSet scopes;
  AgentScope agents;
  std::optional<std::string> expires_at;
  std::string created_at;
  std::optional<std::string> last_used_at;
};

struct NewKey {
  std::string name;
  ScopeSet scopes;
  AgentScope agents;
  std::optional<std::int64_t> expires_unix;
};

// A named key with the key itself, shown this once.
struct CreatedKey {
  NamedKey key;
  std::string secret;
};

}  // namespace cxco::domain
