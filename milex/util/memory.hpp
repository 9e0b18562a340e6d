#pragma once
/// How a short-lived command asks for memory.

namespace milex::util {

/// For a command that runs for a fraction of a second and builds large transient structures (a
/// 1,000-job run record is 0.8 MB of JSON and about 15 MB of parsed tree): memory freed is kept
/// for reuse rather than given back (no mmap for large blocks, no trimming), and the heap is asked
/// to be backed by transparent huge pages where the kernel allows it (madvise mode), as glibc's
/// own `glibc.malloc.hugetlb=1` tunable does. On this VM a page fault costs several
/// microseconds: `milex status` of 1,000 jobs took 2,700 of them and 73 ms of CPU, 1,000 and
/// 48 ms with this. Not for long-lived servers, whose memory should go back.
void tune_memory_for_a_short_run();

} // namespace milex::util
