// Conversations: calls from the voice provider and WhatsApp threads, with their transcripts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/conversation.h"
#include "domain/page.h"
#include "store/db.h"

namespace cxco::store::conversations_repo {

// Stores a call once per (source, provider conversation id): nullopt when it was stored
// already (a replay, or a concurrent copy that won).
std::optional<std::int64_t> insert_call(Tx& tx, domain::CompanyId company, std::int64_t agent_id,
                                        const domain::CallRecord& call, const std::string& source,
                                        const std::string& now);
std::optional<std::int64_t> find_by_external_id(Tx& tx, const std::string& source, const std::string& external_id);

std::optional<domain::ConversationSummary> find_summary(Tx& tx, domain::CompanyId company, std::int64_t id);
std::optional<domain::ConversationDetail> find_detail(Tx& tx, domain::CompanyId company, std::int64_t id);
// Newest first, up to page.limit + 1.
std::vector<domain::ConversationSummary> list(Tx& tx, domain::CompanyId company,
                                              const domain::ConversationFilter& filter,
                                              const domain::PageRequest& page);

// Up to `limit` details of `filter`'s conversations before `before_id`, newest first: the
// export's batches.
std::vector<domain::ConversationDetail> list_details(Tx& tx, domain::CompanyId company,
                                                     const domain::ConversationFilter& filter,
                                                     std::optional<std::int64_t> before_id, std::int64_t limit);
// Replaces the conversation's analysis (the detail's and the rows the filters read).
void store_analysis(Tx& tx, domain::CompanyId company, std::int64_t id, const domain::Analysis& analysis);

// A WhatsApp conversation with an empty transcript.
std::int64_t insert_chat(Tx& tx, domain::CompanyId company, std::int64_t agent_id, const std::string& customer_e164,
                         const std::string& started_at, const std::string& metadata_json, const std::string& now);
// Adds a turn to the transcript and one to message_count.
void append_turn(Tx& tx, domain::CompanyId company, std::int64_t id, const domain::TranscriptTurn& turn);
void complete_chat(Tx& tx, domain::CompanyId company, std::int64_t id, const std::string& ended_at,
                   std::int64_t duration_seconds);
// Counts a failed reply in metadata_ (reply_failures, last_reply_error) for the people
// reading the conversation.
void record_reply_failure(Tx& tx, domain::CompanyId company, std::int64_t id, const std::string& stage,
                          const std::string& error, const std::string& at, bool retrying);

}  // namespace cxco::store::conversations_repo
