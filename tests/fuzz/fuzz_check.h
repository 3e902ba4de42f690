// What every fuzz target checks its invariants with.
#pragma once

#include <cstdio>
#include <cstdlib>

// assert() is compiled out in RelWithDebInfo; an invariant must hold in every build.
#define WISSEN_FUZZ_CHECK(condition)                                                         \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)
