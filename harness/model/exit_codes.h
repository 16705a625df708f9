// The process exit codes every vstress subcommand uses (shared/DESIGN.md).
//
// Thread contract: immutable.
#pragma once

namespace harness::model {

inline constexpr int kExitPass = 0;
inline constexpr int kExitViolation = 1;  // also: `inspect` found the DB inconsistent or corrupt
inline constexpr int kExitUsage = 2;
inline constexpr int kExitLiveness = 3;
inline constexpr int kExitFailure = 4;

}  // namespace harness::model
