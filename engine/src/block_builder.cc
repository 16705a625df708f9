#include "block_builder.h"

#include <algorithm>
#include <cassert>

#include "coding.h"

namespace engine {

BlockBuilder::BlockBuilder(int restart_interval) : restart_interval_(restart_interval) {
  assert(restart_interval_ >= 1);
  restarts_.push_back(0);  // The first entry is always a restart point.
}

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.clear();
  restarts_.push_back(0);
  entries_since_restart_ = 0;
  finished_ = false;
  last_key_.clear();
}

size_t BlockBuilder::CurrentSizeEstimate() const {
  return buffer_.size() + restarts_.size() * sizeof(uint32_t) + sizeof(uint32_t);
}

std::string_view BlockBuilder::Finish() {
  assert(!finished_);
  for (const uint32_t restart : restarts_) PutFixed32(&buffer_, restart);
  PutFixed32(&buffer_, static_cast<uint32_t>(restarts_.size()));
  finished_ = true;
  return buffer_;
}

void BlockBuilder::Add(std::string_view key, std::string_view value) {
  assert(!finished_);
  size_t shared_bytes = 0;
  if (entries_since_restart_ < restart_interval_) {
    const size_t common_max = std::min(last_key_.size(), key.size());
    while (shared_bytes < common_max && last_key_[shared_bytes] == key[shared_bytes]) {
      shared_bytes++;
    }
  } else {
    // A restart point stores its key whole so that readers can start decoding here.
    restarts_.push_back(static_cast<uint32_t>(buffer_.size()));
    entries_since_restart_ = 0;
  }
  const size_t unshared_bytes = key.size() - shared_bytes;
  PutVarint32(&buffer_, static_cast<uint32_t>(shared_bytes));
  PutVarint32(&buffer_, static_cast<uint32_t>(unshared_bytes));
  PutVarint32(&buffer_, static_cast<uint32_t>(value.size()));
  buffer_.append(key.data() + shared_bytes, unshared_bytes);
  buffer_.append(value.data(), value.size());

  last_key_.resize(shared_bytes);
  last_key_.append(key.data() + shared_bytes, unshared_bytes);
  assert(last_key_ == key);
  entries_since_restart_++;
}

}  // namespace engine
