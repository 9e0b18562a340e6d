#include "milex/util/memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace milex::util {

void tune_memory_for_a_short_run() {
    constexpr int k_keep = 32 << 20;  // glibc's largest mmap threshold: blocks below it come from the heap
    constexpr intptr_t k_heap = 64 << 20;      // address space the heap takes at once (touched lazily)
    constexpr uintptr_t k_huge = 2 << 20;      // a transparent huge page on x86-64
    mallopt(M_MMAP_THRESHOLD, k_keep);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);  // and stay there
    // Grow the heap once by k_heap (no page is touched yet), then advise that range for huge
    // pages. Where the kernel has THP off, or the advice fails, nothing changes but the fault count.
    const auto before = reinterpret_cast<uintptr_t>(sbrk(0));
    mallopt(M_TOP_PAD, static_cast<int>(k_heap));
    // Larger than what the heap has free, so it grows; volatile, or the compiler drops the pair.
    void* volatile block = std::malloc(k_huge);
    std::free(block);
    mallopt(M_TOP_PAD, 128 << 10);  // glibc's default again for later growth
    const auto after = reinterpret_cast<uintptr_t>(sbrk(0));
    const uintptr_t start = (before + k_huge - 1) & ~(k_huge - 1);
    if (after > start + k_huge) madvise(reinterpret_cast<void*>(start), after - start, MADV_HUGEPAGE);
}

} // namespace milex::util
