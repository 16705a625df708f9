#include "reports/failure_signature.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>
#include <vector>

namespace reports {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlnum(char c) { return IsDigit(c) || IsLower(c) || (c >= 'A' && c <= 'Z'); }
bool IsHexLetter(char c) { return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r')) {
      i++;
    }
    const size_t begin = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n' && text[i] != '\t' &&
           text[i] != '\r') {
      i++;
    }
    if (i > begin) words.push_back(text.substr(begin, i - begin));
  }
  return words;
}

// A path without the brackets and punctuation around it: [begin, end) of `word`.
std::pair<size_t, size_t> PathBounds(std::string_view word) {
  constexpr std::string_view kOpen = "([\"'";
  constexpr std::string_view kClose = ":,;)]\"'.";
  size_t begin = 0, end = word.size();
  while (begin < end && kOpen.find(word[begin]) != std::string_view::npos) begin++;
  while (end > begin && kClose.find(word[end - 1]) != std::string_view::npos) end--;
  return {begin, end};
}

// Words first..last as one path: which run directory, which file, never the site. Brackets and
// punctuation around it stay, so "(/a/b)," becomes "(#),".
std::string MaskPath(std::string_view first, std::string_view last) {
  return std::string(first.substr(0, PathBounds(first).first)) + "#" +
         std::string(last.substr(PathBounds(last).second));
}

// Directories may have spaces (and commas) in their names, so a path is one word holding '/' and
// runs on over the following words up to the last one, within kPathWordsMax, that holds '/' too;
// a word ending in ':' ends it, as "IOError: PATH: reason" does. Returns the index of the path's
// last word (`first` itself when it is not a path or has no spaces).
size_t PathEnd(const std::vector<std::string_view>& words, size_t first) {
  constexpr size_t kPathWordsMax = 32;
  if (words[first].find('/') == std::string_view::npos || words[first].back() == ':') return first;
  size_t last = first;
  for (size_t j = first + 1; j < words.size() && j <= first + kPathWordsMax; j++) {
    if (words[j].find('/') != std::string_view::npos) last = j;
    if (words[j].back() == ':') break;
  }
  return last;
}

std::string MaskDigits(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); i++) {
    if (!IsDigit(text[i])) {
      out += text[i];
    } else if (out.empty() || out.back() != '#') {
      out += '#';
    }
  }
  return out;
}

// A word of only hex letters and masked digits ("#b#bbfa#adf#", a trace hash) is a number too.
std::string FoldHexWords(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!IsAlnum(text[i]) && text[i] != '#') {
      out += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && (IsAlnum(text[end]) || text[end] == '#')) end++;
    const std::string_view word(text.data() + i, end - i);
    const bool hex =
        word.find('#') != std::string_view::npos &&
        std::all_of(word.begin(), word.end(), [](char c) { return c == '#' || IsHexLetter(c); });
    out += hex ? std::string("#") : std::string(word);
    i = end;
  }
  return out;
}

// One pass of folding: "#.#" (a decimal), "#.ext" (a file name), "#, #" and "#-#" (lists and
// ranges) each become "#". Returns whether anything changed.
bool FoldOnce(std::string* text) {
  std::string& s = *text;
  for (size_t i = 0; i + 1 < s.size(); i++) {
    if (s[i] != '#') continue;
    if ((s[i + 1] == '.' || s[i + 1] == '-') && i + 2 < s.size() && s[i + 2] == '#') {
      s.erase(i + 1, 2);
      return true;
    }
    if (s.compare(i + 1, 3, ", #") == 0) {
      s.erase(i + 1, 3);
      return true;
    }
    if (s[i + 1] == '.') {
      size_t end = i + 2;
      while (end < s.size() && IsLower(s[end])) end++;
      const size_t letters = end - (i + 2);
      if (letters >= 1 && letters <= 8 && (end == s.size() || !IsAlnum(s[end]))) {
        s.erase(i + 1, end - (i + 1));
        return true;
      }
    }
  }
  return false;
}

// Cut to `bytes_max` without splitting a UTF-8 sequence.
void CutUtf8(std::string* text, size_t bytes_max) {
  if (text->size() <= bytes_max) return;
  size_t end = bytes_max;
  while (end > 0 && (static_cast<unsigned char>((*text)[end]) & 0xC0) == 0x80) end--;
  text->resize(end);
}

// A kind, op or history word from a file is a word: a malformed file cannot make it a paragraph.
std::string Word(std::string_view text) {
  constexpr size_t kWordBytesMax = 40;
  std::string word = MaskDigits(text.substr(0, 4 * kWordBytesMax));
  CutUtf8(&word, kWordBytesMax);
  return word;
}

bool IsReadKind(std::string_view kind) {
  return kind == "point_read" || kind == "snapshot_read" || kind == "scan";
}

std::string OpClass(std::string_view op) {
  const std::vector<std::string_view> words = SplitWords(op);
  if (words.empty()) return "";
  const std::string_view first = words.front();
  // "full scan" is the quiescence point's check of the whole DB.
  if (first == "get" || first == "snapshot-get" || first == "scan" || first == "full") {
    return "read";
  }
  if (first == "put" || first == "delete" || first == "batch") return "write";
  return Word(first);
}

// One line of key_history, "seq=4174 put v0.1796 (123 bytes)": its sequence and op kind.
struct HistoryLine {
  uint64_t sequence = 0;
  std::string kind;
};

std::optional<HistoryLine> ParseHistoryLine(std::string_view line) {
  const std::vector<std::string_view> words = SplitWords(line);
  if (words.size() < 2 || words[0].substr(0, 4) != "seq=") return std::nullopt;
  HistoryLine parsed;
  const std::string_view digits = words[0].substr(4);
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), parsed.sequence);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  parsed.kind = std::string(words[1]);
  return parsed;
}

// The kind of the newest write in `history` at or below `read_sequence` (0: the read has no
// sequence, so the newest of all), or "none". The history also lists writes after the read, and
// those vary from seed to seed; the write the read had to see is what the bug got wrong.
std::string VisibleWriteKind(std::string_view history, uint64_t read_sequence) {
  std::optional<HistoryLine> newest;
  size_t begin = 0;
  while (begin < history.size()) {
    size_t end = history.find('\n', begin);
    if (end == std::string_view::npos) end = history.size();
    const std::optional<HistoryLine> line = ParseHistoryLine(history.substr(begin, end - begin));
    begin = end + 1;
    if (!line || (read_sequence != 0 && line->sequence > read_sequence)) continue;
    if (!newest || line->sequence >= newest->sequence) newest = line;
  }
  return newest ? Word(newest->kind) : "none";
}

}  // namespace

std::string FailureSignature::Text() const {
  // "read read: ..." would say the same thing twice.
  return op.empty() || op == kind ? kind + ": " + shape : kind + " " + op + ": " + shape;
}

std::string NormaliseSiteText(std::string_view text) {
  // Folding rescans the text, so a dump of a message is cut first: only its start can survive the
  // final cut anyway.
  constexpr size_t kInputBytesMax = 16 * kSignatureShapeBytesMax;
  const std::vector<std::string_view> words = SplitWords(text.substr(0, kInputBytesMax));
  std::string masked;
  for (size_t i = 0; i < words.size(); i++) {
    if (!masked.empty()) masked += ' ';
    const size_t last = PathEnd(words, i);
    if (words[i].find('/') == std::string_view::npos) {
      masked += words[i];
    } else {
      masked += MaskPath(words[i], words[last]);
    }
    i = last;
  }
  std::string out = FoldHexWords(MaskDigits(masked));
  while (FoldOnce(&out)) {
  }
  CutUtf8(&out, kSignatureShapeBytesMax);
  return out;
}

FailureSignature SignatureOfViolation(const Violation& v) {
  FailureSignature signature;
  signature.kind = IsReadKind(v.kind) ? "read" : Word(v.kind);
  signature.op = OpClass(v.op);
  if (IsReadKind(v.kind) && !v.key.empty()) {
    signature.shape =
        "newest write at the read: " + VisibleWriteKind(v.key_history, v.read_sequence);
  } else if (v.kind == "unexpected_error" && !v.observed.empty()) {
    // The message says which client saw the error ("read failed", "iterator failed"); the error
    // itself is the engine site, and one bug reaches every kind of client.
    signature.shape = NormaliseSiteText(v.observed);
  } else {
    signature.shape = NormaliseSiteText(v.message);
  }
  if (signature.kind.empty()) signature.kind = "violation";
  if (signature.shape.empty()) signature.shape = "no message";
  return signature;
}

FailureSignature SignatureOfFailure(std::string_view result, std::string_view reason,
                                    std::string_view exit) {
  FailureSignature signature;
  signature.kind = result.empty() ? "error" : Word(result);
  signature.shape = NormaliseSiteText(reason);
  if (signature.shape.empty()) signature.shape = "no reason given";
  if (!exit.empty()) {
    std::string exit_text(exit.substr(0, 80));
    CutUtf8(&exit_text, 40);
    signature.shape += " (" + exit_text + ")";
  }
  return signature;
}

FailureSignature SignatureOfPostmortem(std::string_view result, std::string_view top_frames,
                                       std::string_view signal_name, std::string_view reason) {
  if (top_frames.empty()) return SignatureOfFailure(result, reason);
  FailureSignature signature;
  signature.kind = Word(result);
  signature.shape =
      (signal_name.empty() ? std::string("stuck in ") : std::string(signal_name) + " in ") +
      std::string(top_frames.substr(0, kSignatureShapeBytesMax));
  return signature;
}

std::string TopFramesOfStacks(std::string_view stacks, size_t frames) {
  // gdb's frames read "#3  0x00... in ns::Function (args) at file:line" or "#0  ns::Function
  // (...)".
  const auto function_of = [](std::string_view frame) {
    size_t start = frame.find(" in ");
    start = start == std::string_view::npos ? frame.find(' ') : start + 4;
    if (start == std::string_view::npos) return std::string_view();
    while (start < frame.size() && frame[start] == ' ') start++;
    const size_t end = frame.find(" (", start);
    return frame.substr(start,
                        end == std::string_view::npos ? std::string_view::npos : end - start);
  };
  const auto ours = [](std::string_view function) {
    return function.starts_with("engine::") || function.starts_with("harness::") ||
           function.starts_with("faults::");
  };
  // Threads that wait as they should: the watchdog (taking these stacks), an idle background
  // thread, clients parked for a pause, the monitor between samples.
  const auto idle = [](std::string_view innermost) {
    for (std::string_view word : {"Watchdog", "CollectStacks", "GdbStacks", "BackgroundThreadMain",
                                  "PauseGate", "Monitor", "ChildProcess"}) {
      if (innermost.find(word) != std::string_view::npos) return true;
    }
    return false;
  };
  // The first thread with a fault action on its stack (the fault is why it is stuck or dead),
  // else the first that is not idle (gdb lists threads newest first).
  std::vector<std::string_view> thread;  // our frames of the thread being read, innermost first
  std::vector<std::string_view> first_busy;
  std::vector<std::string_view> first_faulted;
  const auto end_thread = [&]() {
    if (!thread.empty() && !idle(thread.front())) {
      const bool faulted = std::any_of(thread.begin(), thread.end(), [](std::string_view f) {
        return f.starts_with("faults::");
      });
      if (faulted && first_faulted.empty()) first_faulted = thread;
      if (first_busy.empty()) first_busy = thread;
    }
    thread.clear();
  };
  size_t start = 0;
  while (start < stacks.size() && first_faulted.empty()) {
    size_t end = stacks.find('\n', start);
    if (end == std::string_view::npos) end = stacks.size();
    const std::string_view line = stacks.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("Thread ")) {
      end_thread();
    } else if (line.find("<signal handler called>") != std::string_view::npos) {
      thread.clear();  // the frames so far are the crash handler's, not the dying code's
    } else if (line.starts_with("#")) {
      const std::string_view function = function_of(line);
      if (ours(function)) thread.push_back(function);
    }
  }
  end_thread();
  const std::vector<std::string_view>& chosen = first_faulted.empty() ? first_busy : first_faulted;
  std::string found;
  for (size_t i = 0; i < chosen.size() && i < frames; i++) {
    found += (i == 0 ? "" : " < ") + std::string(chosen[i]);
  }
  return found;
}

}  // namespace reports
