// A hint to the CPU that this thread is spinning on a memory location (x86 PAUSE, ARM YIELD):
// it saves power and frees the core's resources for its sibling hyperthread.
#pragma once

namespace zcache::util {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace zcache::util
