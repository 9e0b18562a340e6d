#include <doctest/doctest.h>

#include <csignal>

#include "milex/util/interrupt.hpp"

using namespace milex;

TEST_CASE("under an interrupt guard, SIGINT and SIGTERM are noted and stop work at the next safe point") {
    {
        util::InterruptGuard guard;
        CHECK(util::interrupt_signal() == 0);
        CHECK_NOTHROW(util::stop_if_interrupted());
        std::raise(SIGTERM);  // would end the test binary without the guard
        CHECK(util::interrupt_signal() == SIGTERM);
        try {
            util::stop_if_interrupted();
            FAIL("not stopped");
        } catch (const util::Interrupted& e) {
            CHECK(std::string(e.what()) == "interrupted by SIGTERM");
            CHECK(e.exit_code() == 128 + SIGTERM);
        }
    }
    util::InterruptGuard again;  // a new guard starts clean
    CHECK(util::interrupt_signal() == 0);
    std::raise(SIGINT);
    REQUIRE_THROWS_WITH(util::stop_if_interrupted(), "interrupted by SIGINT");
}
