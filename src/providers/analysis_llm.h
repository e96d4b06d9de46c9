// Conversation analysis by an OpenAI-compatible LLM (platform.md section 8,
// POST /api/conversations/{id}/analyze): the prompt, the JSON schema the answer must follow,
// and the answer checked against the agent's settings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/analysis.h"
#include "domain/conversation.h"
#include "providers/llm.h"

namespace cxco::providers {

// The system instructions and the transcript (with its summary) as the user's message.
std::vector<ChatMessage> analysis_prompt(const domain::AnalysisSettings& settings,
                                         const domain::ConversationDetail& conversation);
// {"criteria": {id: {result, rationale}}, "data": {id: {value, rationale}}} with every id
// required and nothing else allowed (strict structured output).
ResponseSchema analysis_schema(const domain::AnalysisSettings& settings);
// The model's answer read against the settings: every criterion with a result of the three,
// every field with a value of its type (or null) and, for an enum, one of its values. nullopt,
// with `problem` said, when it does not.
std::optional<domain::Analysis> parse_analysis_answer(const std::string& answer,
                                                      const domain::AnalysisSettings& settings, std::string& problem);

}  // namespace cxco::providers
