#include "manifest_replay.h"

#include <fmt/format.h>

#include "log_reader.h"

namespace engine {

Status ReplayManifest(FileSystem* fs, const std::string& dir, const std::string& name,
                      VersionBuilder* builder, VersionEdit* counters,
                      const std::function<void(uint64_t offset, const VersionEdit&)>& on_edit,
                      bool torn_tail_is_corruption) {
  auto file = fs->NewSequentialFile(dir + "/" + name);
  if (!file.ok()) return file.status().WithContext("opening the MANIFEST CURRENT names");
  log::Reader reader(std::move(file).value(), name);
  std::string record;
  while (reader.ReadRecord(&record)) {
    VersionEdit edit;
    Status s = edit.DecodeFrom(record);
    if (s.ok()) s = builder->Apply(edit);
    if (!s.ok()) {
      return Status::Corruption(fmt::format("{}: record at offset {}: {}", name,
                                            reader.last_record_offset(), s.message()));
    }
    if (on_edit) on_edit(reader.last_record_offset(), edit);
    if (edit.log_number()) counters->SetLogNumber(*edit.log_number());
    if (edit.next_file_number()) counters->SetNextFileNumber(*edit.next_file_number());
    if (edit.last_sequence()) counters->SetLastSequence(*edit.last_sequence());
  }
  if (!reader.status().ok()) return reader.status();
  if (torn_tail_is_corruption && reader.tail_was_torn()) {
    return Status::Corruption(
        fmt::format("{}: partial record at offset {}", name, reader.valid_bytes()));
  }
  // leveldb #189: a MANIFEST whose first record never reached disk has no counters.
  if (!counters->next_file_number())
    return Status::Corruption(name + ": no next-file-number entry");
  if (!counters->log_number()) return Status::Corruption(name + ": no log-number entry");
  if (!counters->last_sequence()) return Status::Corruption(name + ": no last-sequence entry");
  return Status::Ok();
}

}  // namespace engine
