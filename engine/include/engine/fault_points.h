// The engine's fault points: the libfiu names at which a fault controller may make it fail.
//
// Each point interrupts one step of background or per-write work (never the per-read path). A
// controller enables a point with fiu_enable_external and a failure number that is the errno to
// inject (EIO, ENOSPC); the engine turns it into a Status flagged as injected.
//
// Thread contract: immutable.
#pragma once

#include <string_view>
#include <vector>

#include "engine/status.h"

namespace engine {

struct FaultPointInfo {
  std::string_view name;        // libfiu name, e.g. "engine/manifest/sync"
  std::string_view interrupts;  // one line: what fails when it fires
};

// Every point compiled into the engine, in a stable order.
const std::vector<FaultPointInfo>& FaultPointCatalogue();

// The Status an injected failure at `point` produces: NoSpace for ENOSPC, IOError otherwise.
Status InjectedFaultStatus(std::string_view point, int error_number);

// A fault controller's libfiu callback runs in the thread that hit the point; it names the errno
// the failure carries here, instead of writing libfiu's shared failnum (a data race between
// threads). CheckFaultPoint takes it back (0 when none was set: libfiu's failnum is used).
void SetInjectedErrno(int error_number);
int TakeInjectedErrno();

}  // namespace engine
