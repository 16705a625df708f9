// Store mutants: bugs planted at the Store interface, around any store. The engine mutants
// (engine/mutation.h) live inside vstress's own engine and cannot be compiled into a Debian
// library; these wrap LevelDB, RocksDB and vstress alike, so the checker is shown to bite on every
// store it is pointed at. Each imitates a symptom real engines have shipped (the catalogue names
// them); `vstress mutants` lists the command that catches each, `vstress mutants --measure
// --store S` measures it.
//
// A mutant changes what the store answers, never the positions it reports: a read's position is
// the inner store's, so a wrong value is a wrong value at a right place, the way a real bug shows.
//
// Thread contract: the wrapper is as thread-safe as the store it wraps (the stale cache is per
// thread; ack-before-apply holds its own lock around writes).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stores/store.h"

namespace stores::mutants {

struct StoreMutantInfo {
  std::string_view name;         // command-line name, e.g. "stale-get-cache"
  std::string_view imitates;     // the reported bug or the class of them
  std::string_view description;  // what goes wrong
  // Planted in the run's file layer (faults::FaultFS::MutationNamed), under whatever store: a
  // durability bug that only a power loss shows.
  bool file_layer = false;
};

const std::vector<StoreMutantInfo>& StoreMutants();
const StoreMutantInfo* FindStoreMutant(std::string_view name);

// `inner` with the named mutants planted (none: `inner` itself).
// REQUIRES: every name is FindStoreMutant's.
std::unique_ptr<Store> Plant(std::unique_ptr<Store> inner, const std::vector<std::string>& names);

}  // namespace stores::mutants
