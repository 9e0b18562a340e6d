// The unit test runner: doctest, with each test case in a fresh temporary directory that is
// removed when the case passes and kept (and named) when it fails.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "unit/support.hpp"

namespace milex::test {

namespace {
fs::path g_base;
fs::path g_current;
} // namespace

fs::path temp_dir() { return g_current; }

struct TempDirListener : public doctest::IReporter {
    explicit TempDirListener(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData&) override {
        std::string pattern = (g_base / "case.XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        g_current = pattern;
        fs::current_path(g_current);
    }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats& stats) override {
        fs::current_path(g_base);
        if (stats.testCaseSuccess) {
            std::error_code ec;
            fs::remove_all(g_current, ec);
        } else {
            std::cerr << "kept the failed test case's directory: " << g_current << "\n";
        }
    }
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("tempdir", 1, TempDirListener);

} // namespace milex::test

int main(int argc, char** argv) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/milex-unit.XXXXXX";
    if (!::mkdtemp(pattern.data())) return 1;
    milex::test::g_base = pattern;
    doctest::Context context;
    context.applyCommandLine(argc, argv);
    int result = context.run();
    std::error_code ec;
    if (result == 0) std::filesystem::remove_all(milex::test::g_base, ec);
    return result;
}
