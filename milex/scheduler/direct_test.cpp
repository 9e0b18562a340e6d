#include <doctest/doctest.h>

#include "milex/scheduler/direct.hpp"
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
