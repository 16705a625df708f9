// Finding 7 (doc/findings.md): LevelDB 1.23 does not sync its old log when it switches to a new
// one, so a power loss after a synced write can keep that write and lose unsynced writes
// acknowledged before it — a hole, not the "last few updates" its documentation allows.
//
// doc/index.md, "Synchronous Writes": "a crash of the machine may cause the last few updates to be
// lost ... A hybrid scheme is also possible where every Nth write is synchronous, and in the event
// of a crash, the bulk load is restarted just after the last synchronous write finished by the
// previous run" — a synced write makes every write before it durable. But a sync=true write syncs
// only the current log (DBImpl::Write: logfile_->Sync()), and DBImpl::MakeRoomForWrite creates the
// next log without syncing the one it leaves; until the memtable of the old log is flushed, that
// log's unsynced tail is all there is of its writes. (Upstream: google/leveldb issue #193,
// "Missing a fsync() on the .log file before compaction", open, labelled bug.)
//
// The program uses only LevelDB's public API. An EnvWrapper keeps the background compaction from
// running (so the old log is still needed at the crash) and remembers how many bytes of each file
// were synced; the "power loss" is a copy of the DB directory with every log cut to its synced
// bytes, as a machine crash would leave it. It prints what it saw and exits 0 while the bug is
// present, 1 if LevelDB kept its promise (the library changed: look again), 2 if the set-up failed.
#include <leveldb/db.h>
#include <leveldb/env.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace {

std::mutex mu;
std::map<std::string, uint64_t> synced_bytes;  // guarded by mu
int logs_created = 0;                          // guarded by mu

class TrackedFile final : public leveldb::WritableFile {
 public:
  TrackedFile(std::string name, leveldb::WritableFile* base) : name_(std::move(name)), base_(base) {
    std::lock_guard<std::mutex> guard(mu);
    synced_bytes[name_] = 0;
    if (name_.size() > 4 && name_.compare(name_.size() - 4, 4, ".log") == 0) logs_created++;
  }
  leveldb::Status Append(const leveldb::Slice& data) override {
    written_ += data.size();
    return base_->Append(data);
  }
  leveldb::Status Close() override { return base_->Close(); }
  leveldb::Status Flush() override { return base_->Flush(); }
  leveldb::Status Sync() override {
    leveldb::Status s = base_->Sync();
    std::lock_guard<std::mutex> guard(mu);
    if (s.ok()) synced_bytes[name_] = written_;
    return s;
  }

 private:
  const std::string name_;
  std::unique_ptr<leveldb::WritableFile> base_;
  uint64_t written_ = 0;
};

// Background work is held back: the memtable of the old log is never flushed.
class HoldingEnv final : public leveldb::EnvWrapper {
 public:
  HoldingEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}
  leveldb::Status NewWritableFile(const std::string& name, leveldb::WritableFile** out) override {
    leveldb::Status s = target()->NewWritableFile(name, out);
    if (s.ok()) *out = new TrackedFile(name, *out);
    return s;
  }
  void Schedule(void (*)(void*), void*) override {}
};

int Fail(const char* what, const leveldb::Status& s) {
  std::printf("set-up failed: %s: %s\n", what, s.ToString().c_str());
  return 2;
}

// What a power loss leaves of `dir`: each log cut to its synced bytes (MANIFEST and CURRENT are
// synced by LevelDB when written; no table was written).
void CopyAsAfterPowerLoss(const std::string& dir, const std::string& image) {
  std::filesystem::remove_all(image);
  std::filesystem::create_directories(image);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "LOCK") continue;
    const std::string to = image + "/" + name;
    std::filesystem::copy_file(entry.path(), to);
    if (entry.path().extension() == ".log") {
      std::lock_guard<std::mutex> guard(mu);
      std::filesystem::resize_file(to, synced_bytes[entry.path().string()]);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  char dir_template[] = "/tmp/leveldb-log-switch-XXXXXX";
  const std::string dir = argc > 1 ? argv[1] : (mkdtemp(dir_template) ? dir_template : "");
  if (dir.empty()) return 2;
  const std::string image = dir + "-after-power-loss";
  std::filesystem::remove_all(dir);
  HoldingEnv env;
  leveldb::Options options;
  options.create_if_missing = true;
  options.env = &env;
  options.write_buffer_size = 64 * 1024;  // LevelDB's smallest
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir, &db);
  if (!s.ok()) return Fail("open", s);
  // Unsynced writes fill the first log's memtable until LevelDB switches to a second log, and a
  // few more go to the second one.
  const std::string value(1000, 'v');
  const leveldb::WriteOptions unsynced;
  const auto logs = [] {
    std::lock_guard<std::mutex> guard(mu);
    return logs_created;
  };
  const int first_logs = logs();
  int n = 0;
  for (int after_switch = 0; after_switch < 5 && n < 1000; n++) {
    s = db->Put(unsynced, "unsynced-" + std::to_string(n), value);
    if (!s.ok()) return Fail("put", s);
    if (logs() > first_logs) after_switch++;
  }
  if (logs() == first_logs) return Fail("LevelDB never switched to a new log", s);
  leveldb::WriteOptions synced;
  synced.sync = true;
  s = db->Put(synced, "synced", "s");
  if (!s.ok()) return Fail("synced put", s);
  std::printf("acknowledged: %d unsynced Puts, then one Put with sync=true (no error)\n", n);
  CopyAsAfterPowerLoss(dir, image);
  // The DB is left open, as a power loss would: its held background work never ends, and
  // closing would wait for it.

  leveldb::Options reopen;
  reopen.paranoid_checks = true;
  leveldb::DB* after = nullptr;
  s = leveldb::DB::Open(reopen, image, &after);
  if (!s.ok()) return Fail("opening the DB the power loss left", s);
  std::string got;
  const bool synced_kept = after->Get(leveldb::ReadOptions(), "synced", &got).ok();
  int lost = 0;
  int first_lost = -1;
  for (int i = 0; i < n; i++) {
    if (after->Get(leveldb::ReadOptions(), "unsynced-" + std::to_string(i), &got).IsNotFound()) {
      lost++;
      if (first_lost < 0) first_lost = i;
    }
  }
  delete after;
  std::filesystem::remove_all(image);
  std::printf("after the power loss: the synced Put is %s; %d of the %d earlier Puts are lost%s\n",
              synced_kept ? "there" : "lost", lost, n,
              first_lost >= 0 ? (" (from unsynced-" + std::to_string(first_lost) + ")").c_str()
                              : "");
  if (synced_kept && lost > 0) {
    std::printf("BUG PRESENT (leveldb %d.%d): a synced write survived a power loss that lost "
                "writes acknowledged before it (the old log was never synced)\n",
                leveldb::kMajorVersion, leveldb::kMinorVersion);
    return 0;
  }
  std::printf("bug absent: every write before the synced one survived\n");
  return 1;
}
