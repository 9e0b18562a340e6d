#include <doctest/doctest.h>

#include "milex/graph/order.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

using namespace milex;

namespace {

model::Bundle bundle(std::vector<std::pair<std::string, std::vector<std::string>>> jobs) {
    model::Bundle b;
    for (auto& [name, deps] : jobs) {
        model::Job j;
        j.name = name;
        j.script = "app";
        j.dependencies = deps;
        b.jobs.push_back(j);
    }
    return b;
}

std::vector<std::string> ordered(const model::Bundle& b) {
    std::vector<std::string> names;
    for (size_t i : graph::dependency_order(b, "b.json")) names.push_back(b.jobs[i].name);
    return names;
}

} // namespace

TEST_CASE("jobs come after their dependencies, in file order otherwise") {
    CHECK(ordered(bundle({{"A", {}}, {"B", {"A"}}, {"C", {"A"}}, {"D", {"B", "C"}}})) ==
          std::vector<std::string>{"A", "B", "C", "D"});
    // The Python milex lost edges when a job came before its dependency in the file.
    CHECK(ordered(bundle({{"D", {"B", "C"}}, {"C", {"A"}}, {"B", {"A"}}, {"A", {}}})) ==
          std::vector<std::string>{"A", "C", "B", "D"});
    CHECK(ordered(bundle({{"x", {}}, {"y", {}}})) == std::vector<std::string>{"x", "y"});
}

TEST_CASE("unknown dependencies are all reported, with the known names") {
    CHECK_THROWS_WITH(ordered(bundle({{"A", {"Z"}}, {"B", {"AA"}}})),
                      "b.json: job \"A\" depends on unknown job \"Z\"; the bundle has: A, B\n"
                      "b.json: job \"B\" depends on unknown job \"AA\" (did you mean \"A\"?); the bundle has: A, B");
}

TEST_CASE("a cycle is named") {
    CHECK_THROWS_WITH(ordered(bundle({{"A", {"C"}}, {"B", {"A"}}, {"C", {"B"}}, {"D", {}}})),
                      "b.json: dependency cycle: A -> B -> C -> A; remove one of these dependencies");
    CHECK_THROWS_WITH(ordered(bundle({{"A", {"A"}}})),
                      "b.json: dependency cycle: A -> A; remove one of these dependencies");
}

TEST_CASE("a job to append may depend only on jobs already there") {
    auto b = bundle({{"A", {}}, {"B", {"A"}}});
    model::Job job;
    job.name = "C";
    job.dependencies = {"A", "B"};
    CHECK_NOTHROW(graph::check_dependencies(b, job, "diamond"));
    job.dependencies = {"X"};
    CHECK_THROWS_WITH(graph::check_dependencies(b, job, "diamond"),
                      "unknown dependency \"X\"; bundle \"diamond\" has: A, B");
    CHECK_THROWS_WITH(graph::check_dependencies(model::Bundle{}, job, "diamond"),
                      "unknown dependency \"X\": bundle \"diamond\" has no jobs yet; schedule \"X\" first and add "
                      "this job with --append");
    job.dependencies = {"C"};
    CHECK_THROWS_WITH(graph::check_dependencies(b, job, "diamond"),
                      "job \"C\" cannot depend on itself: dependency cycle: C -> C");
}

TEST_CASE("ordering 10,000 chained jobs is linear enough to be instant") {
    model::Bundle b;
    for (int i = 0; i < 10000; ++i) {
        model::Job j;
        j.name = "job" + std::to_string(i);
        if (i) j.dependencies = {"job" + std::to_string(i - 1)};
        b.jobs.push_back(j);
    }
    auto order = graph::dependency_order(b, "b.json");
    CHECK(order.size() == 10000);
    CHECK(order.front() == 0);
    CHECK(order.back() == 9999);
}

TEST_CASE("unknown dependencies and a cycle among the others are reported together") {
    CHECK_THROWS_WITH(ordered(bundle({{"A", {"C"}}, {"B", {"A", "Z"}}, {"C", {"B"}}})),
                      "b.json: job \"B\" depends on unknown job \"Z\"; the bundle has: A, B, C\n"
                      "b.json: dependency cycle: A -> B -> C -> A; remove one of these dependencies");
}
