// An intrusive doubly-linked list: nodes carry their own links, so moving a node costs no
// allocation. Head is the least recently used end, tail the most recently used.
#pragma once

#include <cstdint>

namespace zcache::detail {

template <class Node>
struct ListLinks {
  Node* prev = nullptr;
  Node* next = nullptr;
};

// Links(Node&) -> ListLinks<Node>& selects which links of a node this list uses.
template <class Node, class Links>
class IntrusiveList {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  Node* head() const noexcept { return head_; }
  Node* tail() const noexcept { return tail_; }
  static Node* next(Node& n) noexcept { return Links{}(n).next; }

  void push_tail(Node& n) noexcept {
    auto& l = Links{}(n);
    l.prev = tail_;
    l.next = nullptr;
    if (tail_) Links{}(*tail_).next = &n; else head_ = &n;
    tail_ = &n;
  }

  void unlink(Node& n) noexcept {
    auto& l = Links{}(n);
    if (l.prev) Links{}(*l.prev).next = l.next; else head_ = l.next;
    if (l.next) Links{}(*l.next).prev = l.prev; else tail_ = l.prev;
    l.prev = l.next = nullptr;
  }

  void move_to_tail(Node& n) noexcept {
    if (tail_ == &n) return;
    unlink(n);
    push_tail(n);
  }

  // Puts `fresh` where `old` is; `old` leaves the list.
  void replace(Node& old, Node& fresh) noexcept {
    auto& o = Links{}(old);
    auto& f = Links{}(fresh);
    f.prev = o.prev;
    f.next = o.next;
    if (o.prev) Links{}(*o.prev).next = &fresh; else head_ = &fresh;
    if (o.next) Links{}(*o.next).prev = &fresh; else tail_ = &fresh;
    o.prev = o.next = nullptr;
  }

  // Empties this list and returns its former contents (nodes link to each other, not to the list).
  IntrusiveList take_all() noexcept {
    IntrusiveList all = *this;
    head_ = tail_ = nullptr;
    return all;
  }

  Node* pop_head() noexcept {
    Node* n = head_;
    if (n) unlink(*n);
    return n;
  }

 private:
  Node* head_ = nullptr;
  Node* tail_ = nullptr;
};

}  // namespace zcache::detail
