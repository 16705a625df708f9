// LeakOnPurpose: the harness sometimes must not free what it owns — a DB whose close would abort
// inside the engine (quiescence.h, CloseChecked), the DB and clients that threads stuck inside it
// still use — and lets go of it for the rest of the process. Marking it keeps LeakSanitizer (the
// ASan build) from reporting it as a leak: the object is treated as a live root.
//
// Thread contract: thread-safe.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace harness::process {

template <typename T>
T* LeakOnPurpose(T* object) {
#if defined(__SANITIZE_ADDRESS__)
  if (object != nullptr) __lsan_ignore_object(object);
#endif
  return object;
}

}  // namespace harness::process
