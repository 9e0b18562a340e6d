#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/parallel.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;

TEST_CASE("every index runs once, at most `jobs` at a time") {
    for (size_t jobs : {size_t{1}, size_t{3}, size_t{64}}) {
        std::vector<std::atomic<int>> runs(40);
        std::atomic<int> running{0}, most{0};
        util::for_each_index(runs.size(), jobs, [&](size_t i) {
            const int now = ++running;
            for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200 * (i % 3)));
            ++runs[i];
            --running;
        });
        for (const auto& count : runs) CHECK(count == 1);
        CHECK(most.load() <= static_cast<int>(jobs));
    }
    util::for_each_index(0, 4, [](size_t) { FAIL("no index to run"); });
}

TEST_CASE("the error is the first in serial order, whatever the timing") {
    // Indices 7 and 23 fail; 23 fails at once and 7 late, so that a thread sees 23 fail first.
    for (size_t jobs : {size_t{1}, size_t{2}, size_t{8}}) {
        for (int round = 0; round < 5; ++round) {
            std::vector<std::atomic<int>> runs(60);
            auto task = [&](size_t i) {
                ++runs[i];
                if (i == 7) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    throw Error("task 7 failed");
                }
                if (i == 23) throw std::runtime_error("task 23 failed");
                std::this_thread::sleep_for(std::chrono::microseconds(100 * ((i * 7 + round) % 5)));
            };
            CHECK_THROWS_WITH_AS(util::for_each_index(runs.size(), jobs, task), "task 7 failed", Error);
            for (size_t i = 0; i < 7; ++i) CHECK(runs[i] == 1);  // every task before it ran
            // One at a time, nothing after the failure is started.
            size_t after = 0;
            for (size_t i = 8; i < runs.size(); ++i) after += static_cast<size_t>(runs[i].load());
            if (jobs == 1) CHECK(after == 0);
        }
    }
}

TEST_CASE("MILEX_CLI_JOBS-style counts: a whole number, else one error naming the variable") {
    {
        test::ScopedEnv unset("MILEX_TEST_JOBS", std::nullopt);
        CHECK(util::jobs_from_environment("MILEX_TEST_JOBS") >= 1);
    }
    {
        test::ScopedEnv value("MILEX_TEST_JOBS", "3");
        CHECK(util::jobs_from_environment("MILEX_TEST_JOBS") == 3);
    }
    for (const char* bad : {"0", "-1", "two", "2.5", " 2", "2 ", "+2", "1025", "99999999999999999999999"}) {
        test::ScopedEnv value("MILEX_TEST_JOBS", bad);
        CHECK_THROWS_WITH(util::jobs_from_environment("MILEX_TEST_JOBS"),
                          fmt::format("MILEX_TEST_JOBS=\"{}\" is not a number of parallel jobs; unset it (one per "
                                      "core) or give a whole number from 1 to 1024, such as 1 or 4",
                                      bad)
                              .c_str());
    }
}
