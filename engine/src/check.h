// CHECK macros: programmer errors crash loudly (shared/STYLE.md rule 7).
//
// VSTRESS_CHECK is always on, for cheap invariants. VSTRESS_DCHECK is on in builds with the
// `invariants` option (VSTRESS_INVARIANTS, on in every test build), for expensive ones. Both print
// the condition and where it failed, then abort. Plain assert() remains for debug-only checks on
// hot paths.
//
// Thread contract: thread-safe.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace engine::detail {

[[noreturn]] inline void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, condition);
  std::abort();
}

}  // namespace engine::detail

#define VSTRESS_CHECK(condition) \
  ((condition) ? (void)0 : ::engine::detail::CheckFailed(#condition, __FILE__, __LINE__))

#ifdef VSTRESS_INVARIANTS
#define VSTRESS_DCHECK(condition) VSTRESS_CHECK(condition)
inline constexpr bool kInvariantsEnabled = true;
#else
#define VSTRESS_DCHECK(condition) ((void)0)
inline constexpr bool kInvariantsEnabled = false;
#endif
