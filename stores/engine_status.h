// A real engine's Status (leveldb::Status, rocksdb::Status) as the harness's Status: the same code
// where both have it, the engine's text as the message, and marked injected when the text carries
// the tag a fault layer's failure had on its way into the engine (engine::Status::kInjectedTag,
// added by stores::ToLevelDbStatus / ToRocksDbStatus), so a failure FaultFS injected under a real
// engine is still told from one the engine made up.
#pragma once

#include <string>

#include "stores/store.h"

namespace stores {

// The message a fault layer hands a real engine for `s`: its own, tagged when it was injected.
inline std::string MessageForEngine(const Status& s) {
  return s.injected() ? s.message() + " " + std::string(Status::kInjectedTag) : s.message();
}

template <typename EngineStatus>
Status FromEngineStatus(const EngineStatus& s) {
  if (s.ok()) return Status::Ok();
  const std::string text = s.ToString();
  Status out = s.IsNotFound()          ? Status::NotFound(text)
               : s.IsCorruption()      ? Status::Corruption(text)
               : s.IsInvalidArgument() ? Status::InvalidArgument(text)
                                       : Status::IOError(text);
  if constexpr (requires { s.IsNoSpace(); }) {
    if (s.IsNoSpace()) out = Status::NoSpace(text);
  }
  if (text.find(engine::Status::kInjectedTag) != std::string::npos) out.MarkInjected();
  return out;
}

// A write's failure once the engine has stopped taking writes (a background error): the writer is
// then done until the DB is reopened or resumed. Keeps the message and the injected mark.
inline Status AsBackgroundError(const Status& s) {
  Status out = Status::BackgroundError(s.message());
  if (s.injected()) out.MarkInjected();
  return out;
}

}  // namespace stores
