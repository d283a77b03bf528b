// The properties of poolcheck, on MyArena: one line.
#include "model/adapter/properties.h"
#include "my_arena_adapter.h"

POOLCHECK_PROPERTIES(MyArenaAdapter)
