// SkipList<Key, Comparator>: a sorted set of keys whose memory lives in an Arena (LevelDB style).
//
// Invariants: keys are unique and, once inserted, never removed or changed; a node's key is written
// before the node is published, and a node is published level by level from the bottom up with a
// release store, so a reader that reaches a node through an acquire load sees a fully built node.
// Level 0 holds every key in order; each higher level holds a random subset (branching factor
// kBranching, at most kMaxHeight levels). Heights come from a per-list generator with a fixed
// seed, so the shape of a list is a deterministic function of its inserts.
//
// Key must be trivially copyable and trivially destructible (the arena never runs destructors);
// Comparator is a callable `int(const Key&, const Key&)` returning <0, 0 or >0.
//
// Thread contract: thread-safe for readers, single writer. Insert() calls must be serialized by the
// caller; Contains() and Iterator may run on any number of threads concurrently with the writer
// and each other, without locks. The Arena must outlive the list.
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <new>
#include <random>
#include <type_traits>

#include "arena.h"

namespace engine {

template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;

 public:
  static constexpr int kMaxHeight = 12;
  static constexpr unsigned kBranching = 4;
  static constexpr uint32_t kDefaultSeed = 0xdeadbeef;

  SkipList(Comparator compare, Arena* arena, uint32_t seed = kDefaultSeed);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: no key equal to `key` is in the list; no other Insert() is running.
  void Insert(const Key& key);
  bool Contains(const Key& key) const;

  // A cursor over the list. It sees every key inserted before it was positioned and may or may
  // not see keys inserted concurrently. Thread contract: thread-compatible (one per thread).
  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list) {}
    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid().
    const Key& key() const {
      assert(Valid());
      return node_->key;
    }
    // REQUIRES: Valid().
    void Next() {
      assert(Valid());
      node_ = node_->Next(0);
    }
    // REQUIRES: Valid(). Nodes have no back links, so this searches from the head.
    void Prev() {
      assert(Valid());
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }
    // Positions at the first key >= target.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_ = nullptr;
  };

 private:
  static_assert(std::is_trivially_copyable_v<Key> && std::is_trivially_destructible_v<Key>,
                "the arena never runs destructors");

  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  Node* NewNode(const Key& key, int height);
  int RandomHeight();
  bool KeyIsAfterNode(const Key& key, Node* node) const {
    return node != nullptr && compare_(node->key, key) < 0;
  }
  // First node with key >= `key`, or nullptr. Fills prev[level] (when prev is not null) with the
  // last node before it at every level below the current height.
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  // Last node with key < `key`, or head_ if there is none.
  Node* FindLessThan(const Key& key) const;
  // Last node in the list, or head_ if the list is empty.
  Node* FindLast() const;

  Comparator const compare_;
  Arena* const arena_;
  Node* const head_;
  // Only the writer changes it. Relaxed is enough: a reader that sees a stale (lower) height just
  // starts lower; one that sees a new height finds head_'s new levels null or already published.
  std::atomic<int> max_height_{1};
  std::minstd_rand random_;  // Touched only by the writer.
};

// A node is followed in the same arena allocation by `height` atomic links, one per level.
template <typename Key, class Comparator>
struct SkipList<Key, Comparator>::Node {
  using Link = std::atomic<Node*>;
  static constexpr size_t kLinksOffset =
      (sizeof(Key) + alignof(Link) - 1) / alignof(Link) * alignof(Link);

  explicit Node(const Key& k) : key(k) {}

  Key const key;

  // Acquire: whoever follows a link sees the node it points to fully initialized.
  Node* Next(int level) { return Links()[level].load(std::memory_order_acquire); }
  // Release: publishes the node `node` (and everything written before) to readers.
  void SetNext(int level, Node* node) { Links()[level].store(node, std::memory_order_release); }
  // Relaxed: only for links of a node that no reader can reach yet.
  Node* NextRelaxed(int level) { return Links()[level].load(std::memory_order_relaxed); }
  void SetNextRelaxed(int level, Node* node) {
    Links()[level].store(node, std::memory_order_relaxed);
  }

 private:
  Link* Links() {
    return std::launder(reinterpret_cast<Link*>(reinterpret_cast<char*>(this) + kLinksOffset));
  }
};

template <typename Key, class Comparator>
SkipList<Key, Comparator>::SkipList(Comparator compare, Arena* arena, uint32_t seed)
    : compare_(compare), arena_(arena), head_(NewNode(Key{}, kMaxHeight)), random_(seed) {}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::NewNode(const Key& key,
                                                                             int height) {
  using Link = typename Node::Link;
  static_assert(alignof(Node) <= Arena::kAlignment && alignof(Link) <= Arena::kAlignment);
  static_assert(Node::kLinksOffset >= sizeof(Node), "links must not overlap the key");
  char* memory = arena_->AllocateAligned(Node::kLinksOffset + sizeof(Link) * height);
  auto* links = reinterpret_cast<Link*>(memory + Node::kLinksOffset);
  for (int level = 0; level < height; level++) new (&links[level]) Link(nullptr);
  return new (memory) Node(key);
}

template <typename Key, class Comparator>
int SkipList<Key, Comparator>::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight && random_() % kBranching == 0) height++;
  assert(height > 0 && height <= kMaxHeight);
  return height;
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  [[maybe_unused]] Node* next = FindGreaterOrEqual(key, prev);
  assert(next == nullptr || compare_(key, next->key) != 0);  // Keys are unique.

  const int height = RandomHeight();
  if (height > GetMaxHeight()) {
    for (int level = GetMaxHeight(); level < height; level++) prev[level] = head_;
    max_height_.store(height, std::memory_order_relaxed);
  }
  Node* node = NewNode(key, height);
  for (int level = 0; level < height; level++) {
    // The node is unreachable until prev[level]->SetNext, whose release store publishes it.
    node->SetNextRelaxed(level, prev[level]->NextRelaxed(level));
    prev[level]->SetNext(level, node);
  }
}

template <typename Key, class Comparator>
bool SkipList<Key, Comparator>::Contains(const Key& key) const {
  Node* node = FindGreaterOrEqual(key, nullptr);
  return node != nullptr && compare_(key, node->key) == 0;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindGreaterOrEqual(
    const Key& key, Node** prev) const {
  Node* node = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = node->Next(level);
    if (KeyIsAfterNode(key, next)) {
      node = next;
      continue;
    }
    if (prev != nullptr) prev[level] = node;
    if (level == 0) return next;
    level--;
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLessThan(
    const Key& key) const {
  Node* node = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    assert(node == head_ || compare_(node->key, key) < 0);
    Node* next = node->Next(level);
    if (next != nullptr && compare_(next->key, key) < 0) {
      node = next;
      continue;
    }
    if (level == 0) return node;
    level--;
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLast() const {
  Node* node = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = node->Next(level);
    if (next != nullptr) {
      node = next;
      continue;
    }
    if (level == 0) return node;
    level--;
  }
}

}  // namespace engine
