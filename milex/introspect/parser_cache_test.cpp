#include <doctest/doctest.h>

#include "milex/introspect/parser_cache.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace std::chrono_literals;
namespace test = milex::test;
using nlohmann::ordered_json;

namespace {
/// An argparse-like app-cli whose --help is counted in help-calls and whose options come from
/// the file `options` (so a test can change the parser behind the same script).
struct App {
    test::ScopedEnv path{"PATH", test::temp_dir().string() + ":/usr/bin:/bin"};
    App() {
        test::write_file(test::temp_dir() / "options", "  --lr LR     step size\n");
        test::write_script(test::temp_dir(), "app-cli",
                           "dir=$(dirname \"$0\"); [ \"$1\" = --help ] || exit 2; echo x >>\"$dir/help-calls\"\n"
                           "printf 'usage: app-cli [-h] [--lr LR]\\n\\noptions:\\n'; cat \"$dir/options\"");
    }
    size_t help_calls() const {
        const std::string calls = test::read_file(test::temp_dir() / "help-calls");
        return static_cast<size_t>(std::count(calls.begin(), calls.end(), '\n'));
    }
};
} // namespace

TEST_CASE("the parser map is learnt once, then read from the cache") {
    App app;
    const auto cache = test::temp_dir() / "cache";
    auto first = introspect::learn_parser("app", cache, 10s);
    REQUIRE(first.map);
    CHECK_FALSE(first.from_cache);
    CHECK(first.map->find("--lr")->help == "step size");
    const ordered_json answer = {{"lr", 0.1}};
    introspect::remember_parser("app", first, answer, cache);
    auto second = introspect::learn_parser("app", cache, 10s);
    CHECK(second.from_cache);
    CHECK(second.knows(answer));
    REQUIRE(second.map);
    CHECK(second.map->to_json() == first.map->to_json());
    CHECK(app.help_calls() == 1);
}

TEST_CASE("an answer with a key the cached map never saw makes it learnt again") {
    App app;
    const auto cache = test::temp_dir() / "cache";
    introspect::remember_parser("app", introspect::learn_parser("app", cache, 10s), {{"lr", 0.1}}, cache);
    // The parser changed behind the same wrapper script (an editable install).
    test::write_file(test::temp_dir() / "options", "  --lr LR     step size\n  --n N       samples\n");
    auto cached = introspect::learn_parser("app", cache, 10s);
    const ordered_json answer = {{"lr", 0.1}, {"n", 3}};
    CHECK_FALSE(cached.knows(answer));
    CHECK(cached.map->find("--n") == nullptr);
    auto fresh = introspect::learn_parser("app", cache, 10s, introspect::Relearn::always);
    REQUIRE(fresh.map);
    CHECK(fresh.map->find("--n") != nullptr);
    introspect::remember_parser("app", fresh, answer, cache);
    CHECK(introspect::learn_parser("app", cache, 10s).knows(answer));
    CHECK(app.help_calls() == 2);
}

TEST_CASE("a -cli whose help is not argparse's gives no map, and that is cached too") {
    test::ScopedEnv path{"PATH", test::temp_dir().string() + ":/usr/bin:/bin"};
    test::write_script(test::temp_dir(), "sh-cli", "echo '{\"help\": true}'");
    const auto cache = test::temp_dir() / "cache";
    auto learnt = introspect::learn_parser("sh", cache, 10s);
    CHECK_FALSE(learnt.map);
    introspect::remember_parser("sh", learnt, {{"help", true}}, cache);
    auto again = introspect::learn_parser("sh", cache, 10s);
    CHECK(again.from_cache);
    CHECK_FALSE(again.map);
}
