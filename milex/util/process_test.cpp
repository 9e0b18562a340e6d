#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "milex/util/process.hpp"
#include "unit/support.hpp"

using namespace milex::util;
using namespace std::chrono_literals;
namespace test = milex::test;

namespace {
ProcessOptions within(std::chrono::milliseconds timeout) {
    ProcessOptions options;
    options.timeout = timeout;
    return options;
}
} // namespace

TEST_CASE("a program's output, errors and exit status come back") {
    auto result = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
    REQUIRE(result);
    CHECK(result->out == "out\n");
    CHECK(result->err == "err\n");
    CHECK(result->exit_code == 3);
    CHECK_FALSE(result->succeeded());
    CHECK(result->describe_end() == "exited with status 3");
}

TEST_CASE("megabytes on both pipes at once do not deadlock") {
    auto result = run_process(
        {"sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a; head -c 2000000 /dev/zero | tr '\\0' b >&2"}, within(10s));
    REQUIRE(result);
    CHECK(result->out.size() == 3000000);
    CHECK(result->err.size() == 2000000);
    CHECK(result->succeeded());
}

TEST_CASE("a timeout kills the program and what it started") {
    const auto marker = test::temp_dir() / "grandchild-survived";
    ProcessOptions options;
    options.timeout = 300ms;
    auto started = std::chrono::steady_clock::now();
    auto result = run_process({"sh", "-c", "(sleep 1; touch " + marker.string() + ") & sleep 30"}, options);
    REQUIRE(result);
    CHECK(result->timed_out);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK(result->describe_end(300ms) == "did not finish within 0.3 s");
    std::this_thread::sleep_for(1500ms);
    CHECK_FALSE(std::filesystem::exists(marker));
}

TEST_CASE("a program that timed out gets SIGTERM and a grace period to clean up, then SIGKILL") {
    ProcessOptions options;
    options.timeout = 300ms;
    // It cleans up when asked.
    auto polite = run_process({"sh", "-c", "trap 'echo cleaned up; exit 7' TERM; while :; do sleep 0.05; done"}, options);
    REQUIRE(polite);
    CHECK(polite->timed_out);
    CHECK(polite->out == "cleaned up\n");
    // It ignores SIGTERM: killed after the grace period all the same.
    options.grace = 200ms;
    auto stubborn = run_process({"sh", "-c", "trap 'echo ignoring' TERM; while :; do sleep 0.05; done"}, options);
    REQUIRE(stubborn);
    CHECK(stubborn->timed_out);
    CHECK(stubborn->out.starts_with("ignoring\n"));
}

TEST_CASE("stdin is fed, and is /dev/null otherwise") {
    ProcessOptions options;
    options.stdin_data = std::string(200000, 'x');
    auto result = run_process({"wc", "-c"}, options);
    REQUIRE(result);
    CHECK(result->out == "200000\n");
    auto empty = run_process({"cat"});
    REQUIRE(empty);
    CHECK(empty->out.empty());
}

TEST_CASE("a missing program is an error naming it") {
    auto result = run_process({"milex-no-such-program"});
    REQUIRE_FALSE(result);
    CHECK(result.error() == "milex-no-such-program: No such file or directory");
}

TEST_CASE("a program that exits while its child keeps the pipe open returns at once") {
    auto started = std::chrono::steady_clock::now();
    auto result = run_process({"sh", "-c", "sleep 5 & echo done"}, within(10s));
    REQUIRE(result);
    CHECK(result->out == "done\n");
    CHECK(std::chrono::steady_clock::now() - started < 4s);
}

TEST_CASE("environment overrides reach the child") {
    ProcessOptions options;
    options.env = {{"MILEX_TEST_VALUE", "a b"}};
    auto result = run_process({"sh", "-c", "printf %s \"$MILEX_TEST_VALUE\""}, options);
    REQUIRE(result);
    CHECK(result->out == "a b");
}

TEST_CASE("find_on_path finds executables only") {
    test::write_script(test::temp_dir(), "tool-cli", "exit 0");
    test::write_file(test::temp_dir() / "not-executable", "x");
    test::ScopedEnv path("PATH", test::temp_dir().string() + ":/usr/bin:/bin");
    CHECK(find_on_path("tool-cli") == test::temp_dir() / "tool-cli");
    CHECK_FALSE(find_on_path("not-executable"));
    CHECK_FALSE(find_on_path("no-such-tool"));
}
