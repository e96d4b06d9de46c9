// The `cxco` command line (platform.md section 1): serve, migrate, the operator commands and
// the development helpers. Configuration comes from CXCO_* variables, each overridable by a
// flag of the same name.
#pragma once

namespace cxco::app {

// Returns the process exit status: 0 done, 1 failed, 2 bad usage or configuration.
int run_cli(int argc, char** argv);

}  // namespace cxco::app
