#include "engine/inspect.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "dbformat.h"
#include "engine/file_system.h"
#include "file_names.h"
#include "log_reader.h"
#include "manifest_replay.h"
#include "table.h"
#include "version_builder.h"
#include "version_set.h"
#include "write_batch_internal.h"

namespace engine {
namespace {

// Replays the MANIFEST into `builder`, recording each edit's text and the counters.
void ReadManifest(FileSystem* fs, const std::string& path, VersionBuilder* builder,
                  InspectReport* report) {
  VersionEdit counters;
  Status s =
      ReplayManifest(fs, path, report->current, builder, &counters,
                     [report](uint64_t offset, const VersionEdit& edit) {
                       report->edits.push_back(fmt::format("@{}\n{}", offset, edit.DebugString()));
                     });
  if (!s.ok()) report->problems.push_back(s.ToString());
  report->log_number = counters.log_number().value_or(0);
  report->next_file_number = counters.next_file_number().value_or(0);
  report->last_sequence = counters.last_sequence().value_or(0);
}

void CheckTable(FileSystem* fs, const std::string& path, InspectedTable* t, InspectReport* report) {
  const std::string name = TableBaseName(t->number);
  const std::string file_path = path + "/" + name;
  auto size = fs->GetFileSize(file_path);
  if (!size.ok()) {
    report->problems.push_back(
        fmt::format("{}: missing (listed in L{} by {})", name, t->level, report->current));
    return;
  }
  if (size.value() != t->file_bytes) {
    report->problems.push_back(
        fmt::format("{}: {} bytes on disk, MANIFEST says {}", name, size.value(), t->file_bytes));
    return;
  }
  auto file = fs->NewRandomAccessFile(file_path);
  if (!file.ok()) {
    report->problems.push_back(name + ": " + file.status().ToString());
    return;
  }
  TableOptions options;
  auto table = Table::Open(options, std::move(file).value(), t->file_bytes, name);
  Status s = table.ok() ? table.value()->VerifyChecksums() : table.status();
  if (!s.ok()) {
    report->problems.push_back(s.ToString());
    return;
  }
  auto iter = table.value()->NewIterator();
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) t->entries++;
  if (!iter->status().ok()) report->problems.push_back(iter->status().ToString());
}

void ReadWal(FileSystem* fs, const std::string& path, const std::string& name,
             InspectReport* report) {
  auto file = fs->NewSequentialFile(path + "/" + name);
  if (!file.ok()) {
    report->problems.push_back(name + ": " + file.status().ToString());
    return;
  }
  log::Reader reader(std::move(file).value(), name);
  InspectedWal wal;
  wal.name = name;
  std::string record;
  while (reader.ReadRecord(&record)) {
    WriteBatch batch;
    if (!WriteBatchInternal::SetContents(&batch, record).ok()) {
      report->problems.push_back(fmt::format("{}: record at offset {}: malformed write batch", name,
                                             reader.last_record_offset()));
      break;
    }
    wal.records++;
    wal.entries += WriteBatchInternal::Count(&batch);
  }
  if (!reader.status().ok()) report->problems.push_back(reader.status().ToString());
  wal.torn_tail = reader.tail_was_torn();
  report->wals.push_back(wal);
}

}  // namespace

Status InspectDB(const Options& options, const std::string& path, InspectReport* report) {
  std::shared_ptr<FileSystem> fs = options.file_system ? options.file_system : NewPosixFileSystem();
  std::vector<std::string> names;
  Status s = fs->GetChildren(path, &names);
  if (!s.ok()) return s.WithContext("listing the DB directory");
  std::sort(names.begin(), names.end());
  std::string current;
  s = ReadFileToString(fs.get(), CurrentFileName(path), &current);
  if (!s.ok() || current.empty() || current.back() != '\n') {
    report->problems.push_back(s.ok() ? "CURRENT: not a newline-terminated MANIFEST name"
                                      : "CURRENT: " + s.ToString());
    return Status::Ok();
  }
  current.pop_back();
  report->current = current;
  VersionBuilder builder(nullptr);
  ReadManifest(fs.get(), path, &builder, report);
  auto version = builder.Build(nullptr, 0);
  if (!version.ok()) {
    report->problems.push_back(report->current + ": " + version.status().ToString());
    return Status::Ok();
  }
  std::set<uint64_t> needed;
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : version.value()->files(level)) {
      InspectedTable t{level,
                       f->table.number,
                       f->table.file_bytes,
                       std::string(ExtractUserKey(f->table.smallest)),
                       std::string(ExtractUserKey(f->table.largest)),
                       0};
      CheckTable(fs.get(), path, &t, report);
      report->tables.push_back(t);
      needed.insert(f->table.number);
    }
  }
  ReleaseUnownedVersion(version.value());
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    if (type == FileType::kWal && number >= report->log_number) {
      ReadWal(fs.get(), path, name, report);
    } else if ((type == FileType::kTable && needed.count(number) == 0) ||
               (type == FileType::kWal) ||
               (type == FileType::kManifest && name != report->current) ||
               type == FileType::kTemp) {
      report->unreferenced_files.push_back(name);
    }
  }
  return Status::Ok();
}

}  // namespace engine
