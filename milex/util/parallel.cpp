#include "milex/util/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/path.hpp"

namespace milex::util {

size_t jobs_from_environment(const std::string& name) {
    constexpr unsigned long long most = 1024;
    if (auto text = environment_variable(name); text && !text->empty()) {
        char* end = nullptr;
        errno = 0;
        const unsigned long long jobs = std::strtoull(text->c_str(), &end, 10);
        if ((*text)[0] < '0' || (*text)[0] > '9' || *end != '\0' || errno != 0 || jobs < 1 || jobs > most)
            throw Error(fmt::format("{}=\"{}\" is not a number of parallel jobs; unset it (one per core) or give a "
                                    "whole number from 1 to {}, such as 1 or 4",
                                    name, *text, most));
        return static_cast<size_t>(jobs);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

void for_each_index(size_t count, size_t jobs, const std::function<void(size_t)>& task) {
    jobs = std::max<size_t>(1, std::min(jobs, count));
    std::atomic<size_t> next{0};
    // The lowest index that failed so far (count: none); indices above it are not started.
    std::atomic<size_t> first_failed{count};
    std::mutex mutex;
    std::exception_ptr failure;
    auto work = [&] {
        for (size_t i = next++; i < count && i < first_failed.load(); i = next++) {
            try {
                task(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (i < first_failed.load()) {
                    first_failed = i;
                    failure = std::current_exception();
                }
            }
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(jobs - 1);
    for (size_t t = 1; t < jobs; ++t) {
        try {
            threads.emplace_back(work);
        } catch (const std::system_error&) {
            break;  // no more threads to be had: fewer at a time, the same result
        }
    }
    work();
    for (auto& thread : threads) thread.join();
    if (failure) std::rethrow_exception(failure);
}

} // namespace milex::util
