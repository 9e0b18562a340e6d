#include <doctest/doctest.h>

#include "milex/model/bundle.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace milex::model;

namespace {
std::vector<std::string> bundle_problems(const std::string& text) {
    try {
        parse_bundle(text, "b.json");
    } catch (const Error& e) {
        return e.lines();
    }
    return {};
}
} // namespace

TEST_CASE("a bundle written by the Python milex is read: dashed pre-commands, nulls, trailing name") {
    auto bundle = parse_bundle(R"({
    "second": {
        "script": "milex-example",
        "script_args": {"message": "two"},
        "dependencies": ["first"],
        "pre-commands": ["echo pre"],
        "slurm": {"array": null, "tasks": null, "cpus_per_task": 2, "gres": null, "mem": null, "time": "00:05:00"},
        "name": "second"
    },
    "first": {
        "script": "milex-example",
        "script_args": {},
        "dependencies": null,
        "pre-commands": null,
        "slurm": {"array": null, "tasks": null, "cpus_per_task": null, "gres": null, "mem": null, "time": "10"},
        "name": "first",
        "id": "1234"
    }
})",
                               "b.json");
    REQUIRE(bundle.jobs.size() == 2);
    const Job& second = bundle.jobs[0];
    CHECK(second.name == "second");
    CHECK(second.pre_commands == std::vector<std::string>{"echo pre"});
    CHECK(second.dependencies == std::vector<std::string>{"first"});
    CHECK(second.slurm == SlurmOptions{{"cpus_per_task", "2"}, {"time", "00:05:00"}});
    CHECK(bundle.jobs[1].dependencies.empty());
}

TEST_CASE("milex writes bundles the way it reads them") {
    Job job;
    job.name = "A";
    job.script = "train";
    job.script_args = {{"lr", 0.1}, {"name", "x y"}};
    job.dependencies = {};
    job.pre_commands = {"module load cuda"};
    job.slurm = {{"time", "01:00:00"}};
    Bundle bundle;
    bundle.jobs.push_back(job);
    const std::string text = bundle.dump();
    CHECK(text == R"({
    "A": {
        "name": "A",
        "script": "train",
        "script_args": {
            "lr": 0.1,
            "name": "x y"
        },
        "dependencies": [],
        "pre_commands": [
            "module load cuda"
        ],
        "slurm": {
            "time": "01:00:00"
        }
    }
}
)");
    CHECK(parse_bundle(text, "b.json").to_json() == bundle.to_json());
}

TEST_CASE("every problem of a bundle is reported together, by job") {
    CHECK(bundle_problems(R"({
    "A": {"script": "x", "slurm": {"time": "1h", "acount": "y", "account": "z"}, "dependncies": []},
    "B": {"script_args": [], "pre_commands": "echo", "pre-commands": []},
    "C D": {"script": "x"},
    "E": 3
})") == std::vector<std::string>{
                "b.json: job \"A\" slurm \"time\" \"1h\" is not a SLURM time; use minutes, MM:SS, HH:MM:SS, D-HH, "
                "D-HH:MM or D-HH:MM:SS (e.g. 01:30:00), or UNLIMITED",
                "b.json: job \"A\" \"slurm\" has unknown option \"acount\" (did you mean \"account\"?)",
                "b.json: job \"A\" \"slurm\" has \"account\", which belongs to the machine: set \"slurm_account\" in "
                "the machine config so the bundle stays shareable",
                "b.json: job \"A\" unknown key \"dependncies\" (did you mean \"dependencies\"?)",
                "b.json: job \"B\" \"script_args\" must be an object of the application's arguments",
                "b.json: job \"B\" has both \"pre_commands\" and \"pre-commands\"; keep one",
                "b.json: job \"B\" has no \"script\"; add the application's name, e.g. \"script\": \"train\"",
                "b.json: job \"C D\" job name \"C D\" may hold only letters, digits, '.', '+', '-' and '_'",
                "b.json: job \"E\" must be an object with at least \"script\"",
            });
}

TEST_CASE("a name stored under another key is refused") {
    CHECK(bundle_problems(R"({"A": {"script": "x", "name": "B"}})") ==
          std::vector<std::string>{"b.json: job \"A\" has \"name\": \"B\" but is stored under \"A\"; make them the same"});
}

TEST_CASE("invalid JSON and empty bundles are refused") {
    CHECK(bundle_problems("{\"A\": ") == std::vector<std::string>{
                                     "b.json:1:7: invalid JSON: syntax error while parsing "
                                     "value - unexpected end of input; expected '[', '{', or a literal"});
    CHECK(bundle_problems("{}") == std::vector<std::string>{"b.json: the bundle has no jobs"});
    CHECK(bundle_problems("[{\"script\": \"x\"}]") ==
          std::vector<std::string>{"b.json: a bundle must be a JSON object of jobs keyed by name"});
}

TEST_CASE("a job given twice is refused rather than one of them silently kept") {
    CHECK(bundle_problems(R"({"A": {"script": "x"}, "B": {"script": "y"}, "A": {"script": "z"}})") ==
          std::vector<std::string>{"b.json: job \"A\" is given twice; keep one"});
}

TEST_CASE("job and bundle names must fit in file names and #SBATCH lines") {
    CHECK(name_problem("train-2.v1+x_y", "job").empty());
    CHECK(name_problem("", "bundle") == "a bundle name cannot be empty");
    CHECK(name_problem(".hidden", "bundle") == "bundle name \".hidden\" must not start with '.' or '-'");
    CHECK(name_problem("a/b", "job") == "job name \"a/b\" may hold only letters, digits, '.', '+', '-' and '_'");
}

TEST_CASE("a container section's problems come with the bundle's others, by job") {
    CHECK(bundle_problems(R"({
    "A": {"script": "x", "container": {"image": "x", "volumes": ["data"]}, "slurm": {"tim": "1"}},
    "B": {"container": {"image": "docker://busybox"}},
    "C": {"container": {"image": "docker://busybox", "command": ["sh", "-c", "echo hi"]}}
})") == std::vector<std::string>{
                "b.json: job \"A\" container \"volumes\": \"data\" must be SOURCE:TARGET or SOURCE:TARGET:ro (e.g. "
                "\"data:/data:ro\")",
                "b.json: job \"A\" \"slurm\" has unknown option \"tim\" (did you mean \"time\"?)",
                "b.json: job \"B\" has no \"script\"; add the application's name, e.g. \"script\": \"train\"",
            });
    const auto bundle = parse_bundle(
        R"({"C": {"container": {"image": "docker://busybox", "command": ["sh", "-c", "echo hi"]}}})", "b.json");
    CHECK_FALSE(bundle.jobs.front().runs_application());
    CHECK(bundle.jobs.front().to_json()["container"]["command"] == nlohmann::ordered_json{"sh", "-c", "echo hi"});
}

TEST_CASE("read_bundle_text collects the problems and keeps every job's name for the dependency check") {
    auto reading = read_bundle_text(R"({"A": {"script": "app", "slurm": {"time": "1h"}}, "B": 3,
                                        "C": {"script": "app", "dependencies": ["A", "B"]}})",
                                     "b.json");
    CHECK(reading.bundle.names() == std::vector<std::string>{"A", "B", "C"});
    REQUIRE(reading.problems.size() == 2);
    CHECK(reading.problems[0].starts_with("b.json: job \"A\" slurm \"time\" \"1h\" is not a SLURM time"));
    CHECK(reading.problems[1] == "b.json: job \"B\" must be an object with at least \"script\"");
    CHECK(read_bundle_text(R"({"A": {"script": "app"}})", "b.json").problems.empty());
    CHECK_THROWS_WITH(read_bundle_text("{", "b.json"),
                      doctest::Contains("b.json:1:2: invalid JSON: syntax error"));
}

TEST_CASE("a bundle with a number too large for JSON is refused like any invalid JSON") {
    CHECK(bundle_problems(R"({"A": {"script": "x", "slurm": {"mem": 1e99999}}})") ==
          std::vector<std::string>{"b.json: invalid JSON: number overflow parsing '1e99999'"});
}

TEST_CASE("retries, retry_on and requeue: read, written back the same, and their mistakes with the fix") {
    const std::string text = R"({"T": {"script": "train", "slurm": {"signal": "USR1@300", "requeue": true},
        "retries": 3, "retry_on": "timeout,preempted,node_fail"}})";
    const Bundle bundle = parse_bundle(text, "b.json");
    const Job& job = bundle.jobs.front();
    CHECK(job.retries == 3);
    CHECK(job.retry_on.size() == 3);
    CHECK(*find_option(job.slurm, "requeue") == "true");
    CHECK(parse_bundle(bundle.to_json().dump(), "b.json").to_json() == bundle.to_json());
    CHECK(bundle_problems(R"({"T": {"script": "x", "retries": -1, "retry_on": ["timeout", "oom"],
        "slurm": {"requeue": "maybe", "signal": "USR1@soon"}}})") ==
          std::vector<std::string>{
              "b.json: job \"T\" \"retries\" must be a whole number from 0 to 100",
              "b.json: job \"T\" \"retry_on\" \"oom\": a job that ran out of memory is not retried with the same "
              "--mem, where it would run out again; raise --mem (or resubmit it with more), and retry on timeout, "
              "preempted or node_fail",
              "b.json: job \"T\" slurm \"requeue\" \"maybe\" must be true or false",
              "b.json: job \"T\" slurm \"signal\" \"USR1@soon\" is not a signal; write SIGNAL@SECONDS, e.g. USR1@300 "
              "(USR1 300 seconds before the time limit; one of HUP, INT, QUIT, USR1, USR2, ALRM, TERM, CONT, URG, XCPU)",
          });
}
