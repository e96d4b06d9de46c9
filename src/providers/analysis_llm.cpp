#include "providers/analysis_llm.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "util/json.h"

namespace cxco::providers {

namespace json = boost::json;

namespace {

json::object strict_object(json::object properties) {
  json::array required;
  for (const auto& [key, value] : properties) required.emplace_back(key);
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

json::value value_schema(const domain::DataField& f) {
  json::object schema{{"type", json::array{domain::to_string(f.type), "null"}}};
  if (!f.enum_values.empty()) {
    json::array values;
    for (const auto& v : f.enum_values) values.emplace_back(v);
    values.emplace_back(nullptr);
    schema["enum"] = std::move(values);
  }
  return schema;
}

}  // namespace

std::vector<ChatMessage> analysis_prompt(const domain::AnalysisSettings& settings,
                                         const domain::ConversationDetail& conversation) {
  std::string system =
      "You analyse a finished conversation between an AI agent and a customer. Answer in JSON only.\n"
      "For each criterion, say whether the conversation met it: \"success\", \"failure\", or \"unknown\" when the "
      "conversation does not tell; give a one-sentence rationale.\n"
      "For each data field, extract the value the customer gave, of the field's type, or null when the "
      "conversation does not say; give a one-sentence rationale.\n\nCriteria:\n";
  for (const auto& c : settings.criteria) system += "- " + c.id + " (" + c.name + "): " + c.prompt + "\n";
  system += "\nData fields:\n";
  for (const auto& f : settings.data_fields) {
    system += "- " + f.id + " (" + std::string(domain::to_string(f.type)) + "): " + f.description;
    if (!f.enum_values.empty()) {
      system += " One of:";
      for (std::size_t i = 0; i < f.enum_values.size(); ++i) system += (i ? ", " : " ") + f.enum_values[i];
      system += ".";
    }
    system += "\n";
  }
  std::string transcript;
  if (conversation.transcript_summary) transcript += "Summary: " + *conversation.transcript_summary + "\n\n";
  transcript += "Transcript:\n";
  for (const auto& t : conversation.transcript)
    if (t.message) transcript += (t.role == "agent" ? "Agent: " : "Customer: ") + *t.message + "\n";
  return {{"system", std::move(system)}, {"user", std::move(transcript)}};
}

ResponseSchema analysis_schema(const domain::AnalysisSettings& settings) {
  json::object criteria, data;
  for (const auto& c : settings.criteria)
    criteria[c.id] = strict_object({{"result", {{"type", "string"}, {"enum", {"success", "failure", "unknown"}}}},
                                    {"rationale", {{"type", "string"}}}});
  for (const auto& f : settings.data_fields)
    data[f.id] = strict_object({{"value", value_schema(f)}, {"rationale", {{"type", "string"}}}});
  return {"conversation_analysis", util::to_json(strict_object({{"criteria", strict_object(std::move(criteria))},
                                                                {"data", strict_object(std::move(data))}}))};
}

std::optional<domain::Analysis> parse_analysis_answer(const std::string& answer,
                                                      const domain::AnalysisSettings& settings, std::string& problem) {
  json::error_code ec;
  const auto parsed = json::parse(answer, ec);
  if (ec || !parsed.is_object()) {
    problem = "the answer is not a JSON object";
    return std::nullopt;
  }
  const auto* criteria = parsed.get_object().if_contains("criteria");
  const auto* data = parsed.get_object().if_contains("data");
  if (!criteria || !criteria->is_object() || !data || !data->is_object()) {
    problem = "the answer has no criteria and data objects";
    return std::nullopt;
  }
  domain::Analysis out;
  auto rationale_of = [&](const json::object& item, const std::string& id) -> std::optional<std::string> {
    const auto* r = item.if_contains("rationale");
    if (!r || !r->is_string()) {
      problem = id + " has no rationale";
      return std::nullopt;
    }
    return std::string(r->get_string());
  };
  for (const auto& c : settings.criteria) {
    const auto* item = criteria->get_object().if_contains(c.id);
    const auto* result = item && item->is_object() ? item->get_object().if_contains("result") : nullptr;
    const auto parsed_result =
        result && result->is_string() ? domain::parse_criterion_result(result->get_string()) : std::nullopt;
    if (!parsed_result) {
      problem = "criterion " + c.id + " has no result of success, failure or unknown";
      return std::nullopt;
    }
    const auto rationale = rationale_of(item->get_object(), "criterion " + c.id);
    if (!rationale) return std::nullopt;
    out.criteria[c.id] = {*parsed_result, *rationale};
  }
  for (const auto& f : settings.data_fields) {
    const auto* item = data->get_object().if_contains(f.id);
    const auto* value = item && item->is_object() ? item->get_object().if_contains("value") : nullptr;
    if (!value) {
      problem = "data field " + f.id + " has no value";
      return std::nullopt;
    }
    domain::DataOutcome d;
    bool fits = true;
    if (!value->is_null()) {
      switch (f.type) {
        case domain::FieldType::string:
          fits = value->is_string();
          if (fits) {
            d.value = std::string(value->get_string());
            if (!f.enum_values.empty())
              fits = std::find(f.enum_values.begin(), f.enum_values.end(), value->get_string()) != f.enum_values.end();
          }
          break;
        case domain::FieldType::boolean:
          fits = value->is_bool();
          if (fits) d.value = value->get_bool();
          break;
        case domain::FieldType::integer:
          fits = value->is_int64() || (value->is_double() && std::trunc(value->get_double()) == value->get_double() &&
                                       std::abs(value->get_double()) < 9e15);
          if (fits) d.value = value->is_int64() ? value->get_int64() : static_cast<std::int64_t>(value->get_double());
          break;
        case domain::FieldType::number:
          fits = value->is_number();
          if (fits) d.value = value->to_number<double>();
          break;
      }
    }
    if (!fits) {
      problem = "data field " + f.id + " has a value that is not a " + std::string(domain::to_string(f.type)) +
                (f.enum_values.empty() ? "" : " of its enum");
      return std::nullopt;
    }
    const auto rationale = rationale_of(item->get_object(), "data field " + f.id);
    if (!rationale) return std::nullopt;
    d.rationale = *rationale;
    out.data[f.id] = std::move(d);
  }
  return out;
}

}  // namespace cxco::providers
