#include <gtest/gtest.h>

#include "contract/contract_log.h"
#include "util/log.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  cxco::test::contract_log_begin();
  const int result = RUN_ALL_TESTS();
  cxco::test::contract_log_end();
  return result;
}
