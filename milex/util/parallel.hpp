#pragma once
/// Independent calls made several at a time, with the result a serial loop would give.
#include <cstddef>
#include <functional>
#include <string>

namespace milex::util {

/// How many programs to run at once: the environment variable `name` when set (a whole number
/// from 1 to 1024), else the cores of this machine (std::thread::hardware_concurrency, at least
/// 1). Anything else in `name` is an Error naming the variable and the fix.
size_t jobs_from_environment(const std::string& name);

/// Calls `task(i)` once for each i in [0, count), at most `jobs` at a time (the calling thread
/// is one of them). When some task(i) throws, the tasks after the first failing i that have not
/// started are skipped, every one started is waited for, and the exception of the lowest
/// failing i is rethrown: every i before it ran, so this is the error a serial loop gives,
/// whatever the threads' timing. `task` must be safe to call from several threads.
void for_each_index(size_t count, size_t jobs, const std::function<void(size_t)>& task);

} // namespace milex::util
