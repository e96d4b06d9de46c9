// The single mapping from ApiError to an HTTP response (platform.md section 3 error shape).
#pragma once

#include "domain/errors.h"
#include "http/types.h"

namespace cxco::http {

Response error_response(const ApiError& error);

}  // namespace cxco::http
