#include "workloads/op.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>

#include "workloads/value.h"

namespace workloads {
namespace {

using engine::Result;
using engine::Status;

constexpr std::string_view kResultSeparator = "//";
constexpr std::string_view kBareSymbols = "._-/:=+*@#,%";

// --- Tokens ---

struct Token {
  std::string text;
  bool quoted = false;
  bool Is(std::string_view word) const { return !quoted && text == word; }
};

bool IsBareChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kBareSymbols.find(c) != std::string_view::npos;
}

bool IsDelimiter(char c) { return c == ' ' || c == '[' || c == ']' || c == ';' || c == '"'; }

// `text` as one token: bare when that reads back the same, else quoted.
std::string Quote(std::string_view text) {
  bool bare = !text.empty() && text != kResultSeparator;
  for (char c : text) bare = bare && IsBareChar(c);
  if (bare) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte > 0x7e) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The quoted token at the front of *text (which starts with '"'), consumed.
Result<Token> ConsumeQuoted(std::string_view* text) {
  Token token{"", true};
  size_t i = 1;
  for (; i < text->size() && (*text)[i] != '"'; i++) {
    if ((*text)[i] != '\\') {
      token.text += (*text)[i];
    } else if (i + 1 < text->size() && ((*text)[i + 1] == '"' || (*text)[i + 1] == '\\')) {
      token.text += (*text)[++i];
    } else if (i + 3 < text->size() && (*text)[i + 1] == 'x' && HexDigit((*text)[i + 2]) >= 0 &&
               HexDigit((*text)[i + 3]) >= 0) {
      token.text += static_cast<char>(HexDigit((*text)[i + 2]) * 16 + HexDigit((*text)[i + 3]));
      i += 3;
    } else {
      return Status::InvalidArgument("bad escape in a quoted string (use \\\", \\\\ or \\xHH)");
    }
  }
  if (i == text->size()) return Status::InvalidArgument("unterminated quoted string");
  text->remove_prefix(i + 1);
  return token;
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  while (true) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty()) return tokens;
    const char c = text.front();
    if (c == '[' || c == ']' || c == ';') {
      tokens.push_back(Token{std::string(1, c), false});
      text.remove_prefix(1);
    } else if (c == '"') {
      Result<Token> quoted = ConsumeQuoted(&text);
      if (!quoted.ok()) return quoted.status();
      tokens.push_back(std::move(quoted.value()));
    } else {
      size_t end = 0;
      while (end < text.size() && !IsDelimiter(text[end])) end++;
      tokens.push_back(Token{std::string(text.substr(0, end)), false});
      text.remove_prefix(end);
    }
  }
}

// Reads tokens front to back; Take() past the end yields an empty bare token.
class Cursor {
 public:
  explicit Cursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}
  bool AtEnd() const { return next_ == tokens_.size(); }
  bool NextIs(std::string_view word) const { return !AtEnd() && tokens_[next_].Is(word); }
  // Each token is taken once, so it is moved out rather than copied.
  Token Take() { return AtEnd() ? Token{} : std::move(tokens_[next_++]); }

 private:
  std::vector<Token> tokens_;
  size_t next_ = 0;
};

bool ParseUnsigned(std::string_view text, uint64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// --- Ops ---

// `text` as a quoted token even where it could be bare.
std::string QuoteAlways(std::string_view text) {
  const std::string token = Quote(text);
  return token.front() == '"' ? token : "\"" + token + "\"";  // bare text needs no escapes
}

std::string ValueToken(std::string_view value) {
  std::optional<std::string> compact = CompactValueText(value);
  // Other values are always quoted, so a bare value token always means a compact value.
  return compact ? *compact : QuoteAlways(value);
}

Result<std::string> ValueFromToken(const Token& token) {
  if (token.quoted) return token.text;
  std::optional<std::string> value = ExpandValueText(token.text);
  if (!value) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a value (v<writer>.<index>[/<bytes>], or a \"quoted\" string)", token.text));
  }
  return std::move(*value);
}

Result<std::string> KeyFromToken(const Token& token) {
  if (token.text.empty() && !token.quoted) return Status::InvalidArgument("expected a key");
  if (!token.quoted && !IsBareChar(token.text.front())) {
    return Status::InvalidArgument(fmt::format("expected a key, got '{}'", token.text));
  }
  return token.text;
}

std::string WriteToString(const Op& op) {
  switch (op.kind) {
    case Op::Kind::kPut:
      return fmt::format("put {} {}", Quote(op.key), ValueToken(op.value));
    case Op::Kind::kDelete:
      return fmt::format("delete {}", Quote(op.key));
    default: {
      std::string out = "batch [";
      for (size_t i = 0; i < op.batch.size(); i++) {
        assert(op.batch[i].kind == Op::Kind::kPut || op.batch[i].kind == Op::Kind::kDelete);
        out += (i ? "; " : "") + WriteToString(op.batch[i]);
      }
      return out + "]";
    }
  }
}

Result<Op> ParseOpTokens(Cursor* cursor, bool in_batch);

Status ParseBatch(Cursor* cursor, Op* op) {
  if (!cursor->Take().Is("[")) return Status::InvalidArgument("expected '[' after batch");
  while (!cursor->NextIs("]")) {
    Result<Op> entry = ParseOpTokens(cursor, true);
    if (!entry.ok()) return entry.status();
    op->batch.push_back(std::move(entry.value()));
    if (cursor->NextIs(";")) {
      cursor->Take();
    } else if (!cursor->NextIs("]")) {
      return Status::InvalidArgument("expected ';' or ']' in a batch");
    }
  }
  cursor->Take();
  return Status::Ok();
}

Status ParseScan(Cursor* cursor, Op* op) {
  Result<std::string> start = KeyFromToken(cursor->Take());
  if (!start.ok()) return start.status();
  op->start_key = std::move(start.value());
  const Token direction = cursor->Take();
  if (!direction.Is("fwd") && !direction.Is("rev")) {
    return Status::InvalidArgument("expected fwd or rev after the scan's start key");
  }
  op->reverse = direction.Is("rev");
  const Token steps = cursor->Take();
  if (steps.quoted || !ParseUnsigned(steps.text, &op->steps)) {
    return Status::InvalidArgument("expected a step count after the scan's direction");
  }
  return Status::Ok();
}

Result<Op::Kind> KindFromToken(const Token& token, bool in_batch) {
  for (Op::Kind kind : {Op::Kind::kPut, Op::Kind::kDelete, Op::Kind::kBatch, Op::Kind::kGet,
                        Op::Kind::kScan, Op::Kind::kSnapshotGet}) {
    if (!token.Is(OpKindName(kind))) continue;
    if (in_batch && kind != Op::Kind::kPut && kind != Op::Kind::kDelete) {
      return Status::InvalidArgument(
          fmt::format("a batch holds puts and deletes, not {}", token.text));
    }
    return kind;
  }
  return Status::InvalidArgument(
      fmt::format("unknown op '{}' (put, delete, batch, get, scan, snapshot-get)", token.text));
}

Result<Op> ParseOpTokens(Cursor* cursor, bool in_batch) {
  Result<Op::Kind> kind = KindFromToken(cursor->Take(), in_batch);
  if (!kind.ok()) return kind.status();
  Op op;
  op.kind = kind.value();
  Status s;
  if (op.kind == Op::Kind::kBatch) {
    s = ParseBatch(cursor, &op);
  } else if (op.kind == Op::Kind::kScan) {
    s = ParseScan(cursor, &op);
  } else {
    Result<std::string> key = KeyFromToken(cursor->Take());
    if (!key.ok()) return key.status();
    op.key = std::move(key.value());
  }
  if (s.ok() && op.kind == Op::Kind::kPut) {
    Result<std::string> value = ValueFromToken(cursor->Take());
    if (!value.ok()) return value.status();
    op.value = std::move(value.value());
  }
  if (!s.ok()) return s;
  if (!in_batch && IsWrite(op.kind) && cursor->NextIs("sync")) op.sync = cursor->Take().Is("sync");
  return op;
}

// --- Results ---

Status ParseResultAttribute(const Token& token, OpResult* result) {
  uint64_t number;
  if (token.Is("injected") && result->kind == OpResult::Kind::kError) {
    result->injected = true;
  } else if (!token.quoted && token.text.starts_with("seq=") &&
             ParseUnsigned(std::string_view(token.text).substr(4), &number)) {
    result->seq = number;
  } else if (!token.quoted && token.text.starts_with("keys=") &&
             ParseUnsigned(std::string_view(token.text).substr(5), &number)) {
    result->keys = number;
  } else {
    return Status::InvalidArgument(
        fmt::format("unexpected '{}' in a result (seq=N, keys=N, injected)", token.text));
  }
  return Status::Ok();
}

Result<OpResult> ParseResultTokens(Cursor* cursor) {
  OpResult result;
  const Token head = cursor->Take();
  if (head.Is("ok")) {
    result.kind = OpResult::Kind::kOk;
  } else if (head.Is("not-found")) {
    result.kind = OpResult::Kind::kNotFound;
  } else if (head.Is("error")) {
    result.kind = OpResult::Kind::kError;
    const Token message = cursor->Take();
    if (!message.quoted)
      return Status::InvalidArgument("expected a \"quoted\" message after error");
    result.error = message.text;
  } else {
    result.kind = OpResult::Kind::kValue;
    Result<std::string> value = ValueFromToken(head);
    if (!value.ok()) return value.status();
    result.value = std::move(value.value());
  }
  while (!cursor->AtEnd()) {
    Status s = ParseResultAttribute(cursor->Take(), &result);
    if (!s.ok()) return s;
  }
  return result;
}

// `why` (always an InvalidArgument from the token parsers) prefixed with what failed to parse.
Status Bad(std::string_view what, std::string_view text, const Status& why) {
  return why.WithContext(fmt::format("{} '{}'", what, text));
}

}  // namespace

const char* OpKindName(Op::Kind kind) {
  switch (kind) {
    case Op::Kind::kPut:
      return "put";
    case Op::Kind::kDelete:
      return "delete";
    case Op::Kind::kBatch:
      return "batch";
    case Op::Kind::kGet:
      return "get";
    case Op::Kind::kScan:
      return "scan";
    case Op::Kind::kSnapshotGet:
      return "snapshot-get";
  }
  return "?";
}

bool IsWrite(Op::Kind kind) {
  return kind == Op::Kind::kPut || kind == Op::Kind::kDelete || kind == Op::Kind::kBatch;
}

std::string ToString(const Op& op) {
  switch (op.kind) {
    case Op::Kind::kPut:
    case Op::Kind::kDelete:
    case Op::Kind::kBatch:
      return WriteToString(op) + (op.sync ? " sync" : "");
    case Op::Kind::kGet:
      return fmt::format("get {}", Quote(op.key));
    case Op::Kind::kScan:
      return fmt::format("scan {} {} {}", Quote(op.start_key), op.reverse ? "rev" : "fwd",
                         op.steps);
    case Op::Kind::kSnapshotGet:
      return fmt::format("snapshot-get {}", Quote(op.key));
  }
  return "?";
}

Result<Op> ParseOp(std::string_view text) {
  Result<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) return Bad("op", text, tokens.status());
  Cursor cursor(std::move(tokens.value()));
  Result<Op> op = ParseOpTokens(&cursor, false);
  if (!op.ok()) return Bad("op", text, op.status());
  if (!cursor.AtEnd()) {
    return Bad(
        "op", text,
        Status::InvalidArgument(fmt::format("unexpected '{}' after the op", cursor.Take().text)));
  }
  return op;
}

OpResult OpResult::FromError(const engine::Status& status) {
  assert(!status.ok());
  OpResult result;
  result.kind = Kind::kError;
  result.error = status.ToString();
  result.injected = status.injected();
  return result;
}

std::string ToString(const OpResult& result) {
  std::string out;
  switch (result.kind) {
    case OpResult::Kind::kOk:
      out = "ok";
      break;
    case OpResult::Kind::kNotFound:
      out = "not-found";
      break;
    case OpResult::Kind::kValue:
      out = ValueToken(result.value);
      break;
    case OpResult::Kind::kError:
      out = "error " + QuoteAlways(result.error);
      if (result.injected) out += " injected";
      break;
  }
  if (result.keys) out += fmt::format(" keys={}", *result.keys);
  if (result.seq) out += fmt::format(" seq={}", *result.seq);
  return out;
}

Result<OpResult> ParseOpResult(std::string_view text) {
  Result<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) return Bad("result", text, tokens.status());
  Cursor cursor(std::move(tokens.value()));
  Result<OpResult> result = ParseResultTokens(&cursor);
  if (!result.ok()) return Bad("result", text, result.status());
  return result;
}

std::string ToString(const OpRecord& record) {
  return fmt::format("{} {} {}", ToString(record.op), kResultSeparator, ToString(record.result));
}

Result<OpRecord> ParseOpRecord(std::string_view line) {
  Result<std::vector<Token>> tokens = Tokenize(line);
  if (!tokens.ok()) return Bad("op", line, tokens.status());
  std::vector<Token> op_tokens = std::move(tokens.value());
  size_t separator = 0;
  while (separator < op_tokens.size() && !op_tokens[separator].Is(kResultSeparator)) separator++;
  if (separator == op_tokens.size()) {
    return Bad("op", line, Status::InvalidArgument("expected 'OP // RESULT'"));
  }
  std::vector<Token> result_tokens(op_tokens.begin() + separator + 1, op_tokens.end());
  op_tokens.resize(separator);
  Cursor op_cursor(std::move(op_tokens));
  Result<Op> op = ParseOpTokens(&op_cursor, false);
  if (op.ok() && !op_cursor.AtEnd()) op = Status::InvalidArgument("unexpected text before //");
  if (!op.ok()) return Bad("op", line, op.status());
  Cursor result_cursor(std::move(result_tokens));
  Result<OpResult> result = ParseResultTokens(&result_cursor);
  if (!result.ok()) return Bad("op", line, result.status());
  return OpRecord{std::move(op.value()), std::move(result.value())};
}

}  // namespace workloads
