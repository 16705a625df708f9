#include "reports/run_files.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace reports {
namespace {

// What `sh -c 'printf %s WORD'` prints for the quoted word: the round trip through a real shell.
std::string ThroughShell(const std::string& text) {
  const std::string command = "printf %s " + ShellQuote(text);
  std::FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[256];
  size_t n = 0;
  while (pipe != nullptr && (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    out.append(buffer, n);
  }
  if (pipe != nullptr) pclose(pipe);
  return out;
}

// Proves: plain paths stay as they are, and anything else — spaces, quotes, $, non-ASCII
// letters, the empty string — comes back from a real shell byte for byte.
TEST(ShellQuoteTest, EveryWordSurvivesTheShell) {
  EXPECT_EQ(ShellQuote("/tmp/runs/seed-1/config.toml"), "/tmp/runs/seed-1/config.toml");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote(""), "''");
  for (const std::string word : {"a b", "it's", "$HOME", "ümlaut dir/Ελληνικά", "a\"b`c`\\d",
                                 "semi;colon&&x", "new\nline", "*?[x]"}) {
    EXPECT_EQ(ThroughShell(word), word) << ShellQuote(word);
  }
}

}  // namespace
}  // namespace reports
