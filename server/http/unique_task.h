// unique_task.h — a move-only `void()` callable, so posted work may own move-only things such as
// a Responder (std::function requires copyable callables; std::move_only_function is C++23).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace zcache::http {

class UniqueTask {
 public:
  UniqueTask() noexcept = default;
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, UniqueTask> &&
                                              std::is_invocable_v<std::decay_t<F>&>>>
  UniqueTask(F&& f) : impl_(std::make_unique<Impl<std::decay_t<F>>>(std::forward<F>(f))) {}  // NOLINT: implicit by design

  UniqueTask(UniqueTask&&) noexcept = default;
  UniqueTask& operator=(UniqueTask&&) noexcept = default;

  explicit operator bool() const noexcept { return impl_ != nullptr; }
  void operator()() { impl_->call(); }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void call() = 0;
  };
  template <class F>
  struct Impl final : Base {
    template <class G>
    explicit Impl(G&& g) : f(std::forward<G>(g)) {}
    void call() override { f(); }
    F f;
  };
  std::unique_ptr<Base> impl_;
};

}  // namespace zcache::http
