#include <doctest/doctest.h>

#include "milex/introspect/sweep.hpp"
#include "milex/util/error.hpp"

using namespace milex;

TEST_CASE("a sweep file's grid, and one too large to build is refused before it is built") {
    auto spec = introspect::sweep_from_text("lr: [0.1, 0.01]\nn: [1, 2, 3]\n", "sweep.yaml");
    CHECK(spec.options == std::vector<std::string>{"lr", "n"});
    REQUIRE(spec.combinations.size() == 6);
    CHECK(spec.combinations[1][1] == 2);

    // 10^6 combinations: a typing mistake, not a sweep.
    // Appended piece by piece: GCC 12 warns wrongly (-Warray-bounds, its bug 105651) about
    // std::string(1, c) + "literal" when inlining grows, as it did in this unity batch.
    std::string huge;
    for (char option = 'a'; option < 'g'; ++option) (huge += option) += ": [0,1,2,3,4,5,6,7,8,9]\n";
    REQUIRE_THROWS_WITH(introspect::sweep_from_text(huge, "big.yaml"),
                        "big.yaml: the sweep has more than 100000 combinations; split it into several sweeps");
    std::vector<std::string> flags;
    for (char option = 'a'; option < 'g'; ++option) (flags.emplace_back(1, option)) += "=0,1,2,3,4,5,6,7,8,9";
    REQUIRE_THROWS_WITH(introspect::sweep_from_flags(flags),
                        "--sweep: the sweep has more than 100000 combinations; split it into several sweeps");
}

TEST_CASE("a sweep file that is not UTF-8 is an error naming the place, not a crash") {
    // The input fuzz_sweep found (crash-7557a091876799d078af147b1d349ec5a8fac7af).
    const std::string found = "co;binations:\n  - {lr: 0.1, batch: 32}\n  - {\xecr: 0.01, bat&h: 64}\n";
    REQUIRE_THROWS_WITH(introspect::sweep_from_text(found, "sweep.yaml"),
                        "sweep.yaml:3:6: invalid YAML: byte 0xec is not UTF-8 text; save the file as UTF-8");
}
