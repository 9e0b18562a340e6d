#include <doctest/doctest.h>

#include <sys/file.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "milex/scheduler/bundle_loop.hpp"
#include "milex/util/text.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace milex::scheduler;

namespace {

/// A scheduler whose submit command appends its job's name and dependencies to `log` and prints
/// the next id (101, 102, …); a job named "bad" is refused.
LoopDialect logging_dialect(const std::string& log) {
    return {[log](const SubmitRequest& request) {
                return std::vector<std::string>{
                    "sh", "-c",
                    "printf '%s %s\\n' \"$1\" \"$2\" >>\"$0\"; [ \"$1\" != bad ] || { echo 'no room' >&2; exit 3; }; "
                    "echo \"$((100 + $(wc -l <\"$0\")))\"",
                    log, request.job_name, util::join(request.after_ok, ":")};
            },
            [](const SubmitRequest& request, const util::ProcessResult& result) {
                if (!result.succeeded())
                    throw Error("refused job \"" + request.job_name + "\": " + util::last_line(result.err));
                return Submission{std::string(util::trim(result.out)), ""};
            },
            "i=$o"};
}

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("a bundle in one go: each job waits for the ids just made, each id reported in order") {
    const std::string dir = std::filesystem::current_path().string();
    transport::LocalTransport here;
    std::vector<BundleJob> jobs = {{{"a", "a.sh", {}, "t:a", "", 0, ""}, {}},
                                   {{"b", "b.sh", {"7"}, "t:b", "", 0, ""}, {0}},
                                   {{"c", "c.sh", {}, "t:c", "", 0, ""}, {0, 1}}};
    std::vector<std::string> got;
    CHECK(submit_in_one_go(here, jobs, dir + "/run1.lock", logging_dialect(dir + "/log"),
                           [&](size_t k, const Submission& s) { got.push_back(std::to_string(k) + "=" + s.job_id); }));
    CHECK(got == std::vector<std::string>{"0=101", "1=102", "2=103"});
    CHECK(read_all(dir + "/log") == "a \nb 7:101\nc 101:102\n");
}

TEST_CASE("a bundle in one go stops at the first refusal: the jobs before it reported, none after it submitted") {
    const std::string dir = std::filesystem::current_path().string();
    transport::LocalTransport here;
    std::vector<BundleJob> jobs = {{{"a", "a.sh", {}, "t:a", "", 0, ""}, {}},
                                   {{"bad", "b.sh", {}, "t:b", "", 0, ""}, {0}},
                                   {{"c", "c.sh", {}, "t:c", "", 0, ""}, {1}}};
    std::vector<size_t> got;
    try {
        submit_in_one_go(here, jobs, dir + "/run1.lock", logging_dialect(dir + "/log"),
                         [&](size_t k, const Submission&) { got.push_back(k); });
        FAIL("no refusal");
    } catch (const JobRefused& e) {
        CHECK(e.index() == 1);
        CHECK(std::string(e.what()) == "refused job \"bad\": no room");
    }
    CHECK(got == std::vector<size_t>{0});
    CHECK(read_all(dir + "/log") == "a \nbad 101\n");
}

TEST_CASE("a bundle in one go submits nothing while another holds its lock") {
    const std::string dir = std::filesystem::current_path().string();
    const int fd = ::open((dir + "/run1.lock").c_str(), O_CREAT | O_RDWR, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    transport::LocalTransport here;
    std::vector<BundleJob> jobs = {{{"a", "a.sh", {}, "t:a", "", 0, ""}, {}}};
    CHECK_THROWS_WITH(submit_in_one_go(here, jobs, dir + "/run1.lock", logging_dialect(dir + "/log"),
                                       [](size_t, const Submission&) {}),
                      ("another submission of this run is still under way on this host (it holds " + dir +
                       "/run1.lock); wait for it to end, then run again")
                          .c_str());
    ::close(fd);
    CHECK(!std::filesystem::exists(dir + "/log"));
}
