// config/config: the defaults a node picks for itself.
#include <gtest/gtest.h>

#include "config/config.h"

namespace cxco {

// Two request threads (and database connections) per core, never fewer than 4, and never more
// than 32: three nodes on 64-core machines still fit PostgreSQL's default max_connections.
TEST(Config, PoolSizeDefaultsToTwoPerCoreWithinFourAndThirtyTwo) {
  EXPECT_EQ(default_db_pool_size(0), 4);  // the core count is unknown
  EXPECT_EQ(default_db_pool_size(1), 4);
  EXPECT_EQ(default_db_pool_size(2), 4);
  EXPECT_EQ(default_db_pool_size(6), 12);
  EXPECT_EQ(default_db_pool_size(16), 32);
  EXPECT_EQ(default_db_pool_size(64), 32);
  EXPECT_EQ(load_config({{"CXCO_DB_POOL_SIZE", "100"}}).db_pool_size, 100);  // a set value is taken as it is
}

}  // namespace cxco
