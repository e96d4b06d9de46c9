// Providers and a company's credentials for them, stored only as Fernet tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/provider.h"
#include "store/db.h"

namespace cxco::store::credentials_repo {

std::vector<domain::ProviderInfo> providers(Tx& tx);
std::optional<std::int64_t> provider_id(Tx& tx, std::string_view slug);
bool provider_exists(Tx& tx, std::int64_t provider_id);

// The stored token of the company's credentials for the provider.
std::optional<std::string> find_token(Tx& tx, domain::CompanyId company, std::string_view slug);
// The same with its row id, the row locked for the transaction (to replace the token).
std::optional<domain::EncryptedSecret> lock(Tx& tx, domain::CompanyId company, std::string_view slug);
bool exists(Tx& tx, domain::CompanyId company, std::int64_t provider_id);
// Throws ConflictError when the company already has a set for the provider.
domain::StoredCredentials insert(Tx& tx, domain::CompanyId company, std::int64_t provider_id, const std::string& token,
                                 const std::string& now);
bool remove(Tx& tx, domain::CompanyId company, std::int64_t provider_id);

// Every stored credentials token, for `cxco admin rotate-encryption`.
std::vector<domain::EncryptedSecret> tokens(Tx& tx);
void replace_token(Tx& tx, std::int64_t credentials_id, const std::string& token);

}  // namespace cxco::store::credentials_repo
