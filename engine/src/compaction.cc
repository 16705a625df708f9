#include "compaction.h"

#include "dbformat.h"
#include "version_set.h"

namespace engine {
namespace {

// The user-key range covered by `files`.
void RangeOf(const FileList& files, std::string* smallest, std::string* largest) {
  for (size_t i = 0; i < files.size(); i++) {
    const std::string_view lo = ExtractUserKey(files[i]->table.smallest);
    const std::string_view hi = ExtractUserKey(files[i]->table.largest);
    if (i == 0 || lo < *smallest) smallest->assign(lo);
    if (i == 0 || hi > *largest) largest->assign(hi);
  }
}

// Fills in the level+1 inputs and pins the Version.
std::unique_ptr<Compaction> Finish(VersionSet* vset, std::unique_ptr<Compaction> c) {
  Version* v = vset->current();
  std::string smallest;
  std::string largest;
  if (c->level == 0) {
    // Level-0 files overlap each other: take every one that overlaps the picked range.
    RangeOf(c->inputs[0], &smallest, &largest);
    v->GetOverlappingInputs(0, smallest, largest, &c->inputs[0]);
  }
  RangeOf(c->inputs[0], &smallest, &largest);
  v->GetOverlappingInputs(c->output_level(), smallest, largest, &c->inputs[1]);
  vset->compact_pointer(c->level) = c->inputs[0].back()->table.largest;
  c->input_version = v;
  v->Ref();
  return c;
}

}  // namespace

void Compaction::AddInputDeletions(VersionEdit* edit) const {
  for (int which = 0; which < 2; which++) {
    for (const auto& f : inputs[which]) edit->DeleteFile(level + which, f->table.number);
  }
}

std::unique_ptr<Compaction> PickCompaction(VersionSet* vset) {
  Version* v = vset->current();
  if (v->compaction_score() < 1) return nullptr;
  auto c = std::make_unique<Compaction>();
  c->level = v->compaction_level();
  const FileList& files = v->files(c->level);
  // Start with the first file after the compact pointer, wrapping around.
  const std::string& pointer = vset->compact_pointer(c->level);
  for (const auto& f : files) {
    if (pointer.empty() || CompareInternalKeys(f->table.largest, pointer) > 0) {
      c->inputs[0].push_back(f);
      break;
    }
  }
  if (c->inputs[0].empty()) c->inputs[0].push_back(files.front());
  return Finish(vset, std::move(c));
}

std::unique_ptr<Compaction> PickRangeCompaction(VersionSet* vset, int level, std::string_view begin,
                                                std::string_view end) {
  auto c = std::make_unique<Compaction>();
  c->level = level;
  vset->current()->GetOverlappingInputs(level, begin, end, &c->inputs[0]);
  if (c->inputs[0].empty()) return nullptr;
  return Finish(vset, std::move(c));
}

void ReleaseCompaction(std::unique_ptr<Compaction> compaction) {
  if (compaction && compaction->input_version) compaction->input_version->Unref();
}

}  // namespace engine
