#include "engine/testing.h"

#include "db_impl.h"

namespace engine::testing {
namespace {

DBImpl* Impl(DB* db) { return static_cast<DBImpl*>(db); }

}  // namespace

std::vector<LiveVersion> LiveVersions(DB* db) { return Impl(db)->versions()->LiveVersions(); }

std::vector<uint64_t> ProtectedOutputs(DB* db) { return Impl(db)->ProtectedOutputs(); }

std::vector<std::string> ExpectedFiles(DB* db) { return Impl(db)->ExpectedFiles(); }

uint64_t RefcountUnderflows(DB* db) { return Impl(db)->versions()->refcount_underflows(); }

}  // namespace engine::testing
