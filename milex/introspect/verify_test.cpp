#include <doctest/doctest.h>

#include "milex/introspect/verify.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace std::chrono_literals;
using nlohmann::ordered_json;
namespace test = milex::test;

namespace {

/// A -cli that understands only --learning-rate and prints it (or refuses like argparse).
struct DashedApp {
    test::ScopedEnv path{"PATH", test::temp_dir().string() + ":/usr/bin:/bin"};
    DashedApp() {
        test::write_script(test::temp_dir(), "train-cli", R"(lr=0.01
for a in "$@"; do
  case "$a" in
    --learning-rate=*) lr=${a#*=} ;;
    *) echo "usage: train [--learning-rate LR]" >&2; echo "train-cli: error: unrecognized arguments: $a" >&2; exit 2 ;;
  esac
done
echo "{\"learning_rate\": $lr}")");
    }
};

model::Job verify_job(ordered_json args, ordered_json options) {
    model::Job j;
    j.name = "A";
    j.script = "train";
    j.script_args = std::move(args);
    j.script_options = std::move(options);
    return j;
}

} // namespace

TEST_CASE("the upstream rendering of a dashed option is caught with the key, the words and the reason") {
    DashedApp app;
    CHECK_THROWS_WITH(introspect::verify_round_trip(verify_job({{"learning_rate", 0.1}}, nullptr), 10s),
                      "learning_rate: rendered as --learning_rate=0.1, train-cli failed: train-cli: error: "
                      "unrecognized arguments: --learning_rate=0.1");
}

TEST_CASE("the spelling as typed passes the round trip") {
    DashedApp app;
    CHECK_NOTHROW(introspect::verify_round_trip(verify_job({{"learning_rate", 0.1}}, {{"learning_rate", "--learning-rate"}}), 10s));
}

TEST_CASE("a key read differently is named with both values") {
    DashedApp app;
    test::write_script(test::temp_dir(), "shout-cli", "echo \"{\\\"name\\\": \\\"$(echo ${1#--name=} | tr a-z A-Z)\\\"}\"");
    model::Job shout = verify_job({{"name", "ada"}}, {{"name", "--name"}});
    shout.script = "shout";
    CHECK_THROWS_WITH(introspect::verify_round_trip(shout, 10s, "job \"A\": "),
                      "job \"A\": name: rendered as --name=ada, shout-cli read it as \"ADA\" instead of \"ada\"");
}

TEST_CASE("an edited key that was never typed says how to give it a spelling") {
    DashedApp app;
    CHECK_THROWS_WITH(introspect::verify_round_trip(verify_job({{"learning_rate", 0.5}}, {{"learning_rate", nullptr}}), 10s),
                      "learning_rate: the bundle says 0.5, but it was not typed at schedule time, so milex leaves it "
                      "to the application, which makes it 0.01; give it a spelling in \"script_options\", e.g. "
                      "\"learning_rate\": \"--learning_rate\"");
}

TEST_CASE("only jobs changed since they were verified are checked, each distinct one once") {
    DashedApp app;
    model::Bundle bundle;
    model::Job verified = verify_job({{"learning_rate", 0.1}}, {{"learning_rate", "--learning-rate"}});
    verified.verified = introspect::job_fingerprint(verified);
    model::Job edited = verified;
    edited.name = "B";
    edited.script_args["learning_rate"] = 0.2;
    model::Job twin = edited;
    twin.name = "C";
    bundle.jobs = {verified, edited, twin};
    CHECK(introspect::verify_changed_jobs(bundle, 10s) == 1);
    bundle.jobs[1].script_options = nullptr;
    CHECK_THROWS_WITH(introspect::verify_changed_jobs(bundle, 10s),
                      "job \"B\": learning_rate: rendered as --learning_rate=0.2, train-cli failed: train-cli: error: "
                      "unrecognized arguments: --learning_rate=0.2");
}
