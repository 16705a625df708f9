// WriteBatch: puts and deletes applied atomically, with consecutive sequence numbers.
//
// The batch's representation is exactly its WAL record: fixed64 first sequence, fixed32 count, then
// per entry a tag byte (kTypeValue or kTypeDeletion), a length-prefixed key and, for a put, a
// length-prefixed value.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "engine/types.h"

namespace engine {

class WriteBatch {
 public:
  WriteBatch();

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  void Clear();
  uint32_t Count() const;
  // Bytes of the encoded batch (what goes into the WAL).
  size_t ApproximateSize() const { return rep_.size(); }

  // Calls the handler for each entry in order; Corruption if the encoding is damaged.
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(std::string_view key, std::string_view value) = 0;
    virtual void Delete(std::string_view key) = 0;
  };
  Status Iterate(Handler* handler) const;

 private:
  friend class WriteBatchInternal;
  std::string rep_;
};

}  // namespace engine
