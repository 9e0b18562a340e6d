#include <doctest/doctest.h>

#include "milex/introspect/cli_protocol.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace std::chrono_literals;
namespace test = milex::test;

namespace {
/// PATH holding only the test's directory and the system's tools.
struct OnPath {
    test::ScopedEnv path{"PATH", test::temp_dir().string() + ":/usr/bin:/bin"};
};
} // namespace

TEST_CASE("the -cli's JSON object comes back, arguments passed exactly and without a shell") {
    OnPath on_path;
    test::write_script(test::temp_dir(), "app-cli",
                       "printf '{\"n\": %s, \"first\": \"%s\"}' \"$#\" \"$(printf %s \"$1\" | sed 's/\"/\\\\\"/g')\"");
    auto args = introspect::describe_arguments("app", {"two words $(id) \"q\"", "--x"}, 10s);
    CHECK(args == nlohmann::ordered_json::parse(R"({"n": 2, "first": "two words $(id) \"q\""})"));
}

TEST_CASE("a missing -cli says how to register one") {
    OnPath on_path;
    CHECK_THROWS_WITH(introspect::describe_arguments("nosuchapp", {}, 10s),
                      "nosuchapp-cli is not on PATH; install the application \"nosuchapp\" so that both nosuchapp and "
                      "nosuchapp-cli are found (a Python package declares them in [project.scripts])");
}

TEST_CASE("a failing -cli is reported with its last stderr line, the rest as details") {
    OnPath on_path;
    test::write_script(test::temp_dir(), "app-cli",
                       "echo 'usage: app [-h] [--lr LR]' >&2; echo 'app: error: unrecognized arguments: --lrr' >&2; "
                       "exit 2");
    try {
        introspect::describe_arguments("app", {"--lrr"}, 10s);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "app-cli exited with status 2: app: error: unrecognized arguments: --lrr");
        CHECK(e.details() == "usage: app [-h] [--lr LR]\napp: error: unrecognized arguments: --lrr\n");
    }
}

TEST_CASE("output that is not one JSON object is refused") {
    OnPath on_path;
    test::write_script(test::temp_dir(), "text-cli", "echo 'Namespace(lr=0.1)'");
    CHECK_THROWS_WITH(introspect::describe_arguments("text", {}, 10s),
                      "text-cli printed \"Namespace(lr=0.1)\", not JSON; it must print its parsed arguments as one "
                      "JSON object, e.g. print(json.dumps(vars(args)))");
    test::write_script(test::temp_dir(), "silent-cli", "exit 0");
    CHECK_THROWS_WITH(introspect::describe_arguments("silent", {}, 10s),
                      "silent-cli printed nothing; it must print its parsed arguments as one JSON object, e.g. "
                      "print(json.dumps(vars(args)))");
    test::write_script(test::temp_dir(), "list-cli", "echo '[1, 2]'");
    CHECK_THROWS_WITH(introspect::describe_arguments("list", {}, 10s),
                      "list-cli printed [1,2] instead of a JSON object of arguments");
    test::write_script(test::temp_dir(), "nan-cli", "echo '{\"x\": NaN}'");
    CHECK_THROWS_WITH(introspect::describe_arguments("nan", {}, 10s),
                      "nan-cli printed \"{\"x\": NaN}\", not JSON; it must print its parsed arguments as one JSON "
                      "object, e.g. print(json.dumps(vars(args)))");
}

TEST_CASE("a -cli that hangs is stopped at the timeout") {
    OnPath on_path;
    test::write_script(test::temp_dir(), "slow-cli", "sleep 30");
    auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(introspect::describe_arguments("slow", {}, 500ms),
                      "slow-cli did not finish within 0.5 s; it should only parse its arguments (raise "
                      "MILEX_CLI_TIMEOUT if it must be slow)");
    CHECK(std::chrono::steady_clock::now() - started < 10s);
}

TEST_CASE("a megabyte of arguments comes back whole") {
    OnPath on_path;
    test::write_script(test::temp_dir(), "big-cli",
                       "printf '{\"blob\": \"'; head -c 1048576 /dev/zero | tr '\\0' x; printf '\"}'");
    auto args = introspect::describe_arguments("big", {}, 10s);
    CHECK(args["blob"].get<std::string>().size() == 1048576);
}

TEST_CASE("the -cli timeout is read from MILEX_CLI_TIMEOUT") {
    {
        test::ScopedEnv timeout("MILEX_CLI_TIMEOUT", "2.5");
        CHECK(introspect::cli_timeout() == 2500ms);
    }
    test::ScopedEnv bad("MILEX_CLI_TIMEOUT", "soon");
    CHECK_THROWS_WITH(introspect::cli_timeout(), "MILEX_CLI_TIMEOUT=\"soon\" is not a number of seconds; unset it or give one such as 2 or 0.5");
}
