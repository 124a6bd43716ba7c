// A temporary directory per test, removed afterwards (brain store tests use real files): the
// shared tests/common one, under the name these tests use.
#pragma once

#include "temp_dir.h"

namespace zcache::brain::testing {

using TempDir = zcache::test::TempDir;

}  // namespace zcache::brain::testing
