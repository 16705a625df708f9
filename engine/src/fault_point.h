// Fault points: where libfiu may make the engine fail.
//
// With FIU_ENABLE undefined each point compiles to "no failure". With it defined, FAULT_POINT(name)
// asks libfiu whether `name` should fail; the fault controller (faults::) enables points with an
// external callback and passes the errno to inject as the failure number (EIO, ENOSPC). Points sit
// on background and per-write paths only, never on the per-read path, because fiu_fail takes a
// global lock. The list of points is kFaultPoints; `vstress faults` prints it.
//
// Thread contract: thread-safe.
#pragma once

#include <string_view>

#include "engine/fault_points.h"
#include "engine/status.h"

#ifdef FIU_ENABLE
#include <fiu.h>
#endif

namespace engine {

// Returns ok, or the injected failure (flagged as injected) for point `name`.
inline Status CheckFaultPoint([[maybe_unused]] const char* name) {
#ifdef FIU_ENABLE
  const int failnum = fiu_fail(name);
  if (failnum != 0) {
    const int chosen = TakeInjectedErrno();
    return InjectedFaultStatus(name, chosen != 0 ? chosen : failnum);
  }
#endif
  return Status::Ok();
}

}  // namespace engine
