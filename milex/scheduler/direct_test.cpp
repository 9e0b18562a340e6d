#include <doctest/doctest.h>

#include "milex/scheduler/direct.hpp"
#include "unit/fakes.hpp"
#include "unit/support.hpp"

using namespace milex::scheduler;

TEST_CASE("the direct runner's probe: running, waiting, done, failed, never ran, vanished") {
    auto reports = parse_direct_probe("== 10 alive\nstart 1000\n"
                                      "== 11 alive\n"
                                      "== 12 gone\nstart 1000\nend 1005 exit 0\n"
                                      "== 13 gone\nstart 1000\nend 1001 exit 3\n"
                                      "== 14 gone\nnever-ran 13\n"
                                      "== 15 gone\nstart 1000\n"
                                      "== 16 gone\n"
                                      "== 17 gone\nstart 1000\nend 1010 exit 143 signal TERM\n",
                                      1065);
    CHECK(reports["10"].job.state == State::running);
    CHECK(reports["10"].job.elapsed == "00:01:05");
    CHECK(reports["11"].job.state == State::pending);
    CHECK(reports["11"].job.reason == "Dependency");
    CHECK(reports["12"].job.state == State::completed);
    CHECK(reports["13"].job.state == State::failed);
    CHECK(reports["13"].job.exit_code == "3");
    CHECK(reports["14"].job.state == State::never_ran);
    CHECK(reports["15"].job.state == State::unknown);
    CHECK(reports["16"].job.state == State::unknown);
    CHECK(reports["17"].job.state == State::cancelled);
}

TEST_CASE("a job the direct runner stopped at its time limit timed out, whether TERM or KILL ended it") {
    auto reports = parse_direct_probe("== 20 gone\nstart 1000\ntimeout 1003\nend 1003 exit 143 signal TERM\n"
                                      "== 21 gone\nstart 1000\ntimeout 1003\nend 1013 exit 137 signal KILL\n"
                                      "== 22 alive\nstart 1000\ntimeout 1003\n",
                                      1005);
    CHECK(reports["20"].job.state == State::timeout);
    CHECK(reports["20"].job.reason == "stopped at its time limit (SIGTERM)");
    CHECK(reports["20"].job.elapsed == "00:00:03");
    CHECK(reports["21"].job.state == State::timeout);
    CHECK(reports["21"].job.reason == "stopped at its time limit (SIGKILL)");
    CHECK(reports["21"].job.exit_code == "137");
    CHECK(reports["22"].job.state == State::running);  // TERM sent, not ended yet
}

TEST_CASE("the direct runner is given the job's time limit in seconds") {
    milex::test::FakeTransport transport;
    DirectScheduler direct(transport, "/m/slurm");
    auto argv = direct.submit_command({"A", "/m/slurm/a.sh", {"7"}, "", "", 0, "1:30"});
    REQUIRE(argv.size() == 10);
    CHECK(std::vector<std::string>(argv.begin() + 4, argv.end()) ==
          std::vector<std::string>{"A", "/m/slurm/a.sh", "/m/slurm", "90", "10", "7"});
    CHECK(direct.submit_command({"A", "/m/slurm/a.sh", {}, "", "", 0, ""})[7] == "0");
}
