// A libFuzzer target for MyArena: one line (built with clang only).
#include "model/adapter/fuzz_target.h"
#include "my_arena_adapter.h"

POOLCHECK_FUZZ_TARGET(MyArenaAdapter)
