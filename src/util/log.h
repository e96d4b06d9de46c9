// Process-wide logger: one line per event on stderr, as text or JSON (CXCO_LOG_FORMAT).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace cxco::util {

enum class LogFormat { text, json };
enum class LogLevel { info, warn, error };

using LogField = std::pair<std::string_view, std::string_view>;

void set_log_format(LogFormat format);
void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
inline void log_info(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::info, m, f); }
inline void log_warn(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::warn, m, f); }
inline void log_error(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::error, m, f); }

}  // namespace cxco::util
