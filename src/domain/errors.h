// The one error type the API speaks (platform.md section 3); http/ turns it into a response.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cxco {

struct FieldError {
  std::vector<std::string> loc;  // e.g. {"body", "config", "temperature"}
  std::string msg;
  std::string type;  // e.g. "missing", "string_type", "value_error"
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string error_type, std::string detail, std::vector<FieldError> errors = {})
      : std::runtime_error(detail),
        status(status),
        error_type(std::move(error_type)),
        detail(std::move(detail)),
        errors(std::move(errors)) {}

  static ApiError unauthenticated(std::string d = "Missing or invalid API key") {
    return {401, "authentication_error", std::move(d)};
  }
  static ApiError forbidden(std::string d) { return {403, "permission_denied", std::move(d)}; }
  static ApiError not_found(std::string d) { return {404, "not_found", std::move(d)}; }
  static ApiError conflict(std::string d) { return {409, "conflict", std::move(d)}; }
  static ApiError invalid_state(std::string d) { return {409, "invalid_state", std::move(d)}; }
  static ApiError invalid_json(std::string d) { return {400, "invalid_json", std::move(d)}; }
  static ApiError validation(std::vector<FieldError> e) {
    return {422, "validation_error", e.size() == 1 ? e[0].msg : "Request validation failed", std::move(e)};
  }
  static ApiError provider(std::string d) { return {502, "provider_error", std::move(d)}; }
  static ApiError rate_limited(std::string d, std::int64_t retry_after_seconds) {
    return retrying_after({429, "rate_limited", std::move(d)}, retry_after_seconds);
  }
  // A company quota would be passed (platform.md section 9); Retry-After when it frees with time.
  static ApiError quota_exceeded(std::string d, std::optional<std::int64_t> retry_after_seconds) {
    return retrying_after({429, "quota_exceeded", std::move(d)}, retry_after_seconds);
  }

  int status;
  std::string error_type;
  std::string detail;
  std::vector<FieldError> errors;
  std::optional<std::int64_t> retry_after_seconds;  // sent as Retry-After

 private:
  static ApiError retrying_after(ApiError e, std::optional<std::int64_t> seconds) {
    e.retry_after_seconds = seconds;
    return e;
  }
};

}  // namespace cxco
