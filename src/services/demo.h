// Demo mode (`cxco serve --demo`, the README's run command): an empty database gets a demo
// company, a demo user and a number pool, and their keys are printed once.
#pragma once

#include <ostream>

#include "api/context.h"

namespace cxco::services {

void seed_demo(api::AppContext& app, std::ostream& out);

}  // namespace cxco::services
