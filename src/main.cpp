// cxco: the CXCo server and its operator commands (platform.md section 1).
#include "app/cli.h"

int main(int argc, char** argv) { return cxco::app::run_cli(argc, argv); }
