#include <doctest/doctest.h>

#include "milex/model/bundle.hpp"
#include "milex/model/container.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace milex::model;
using nlohmann::ordered_json;

namespace {

/// The problems of one container section, as `pointer: message`.
std::vector<std::string> container_problems(const std::string& json) {
    std::vector<std::string> out;
    container_from_json(ordered_json::parse(json), [&](const std::string& pointer, const std::string& message) {
        out.push_back(pointer + ": " + message);
    });
    return out;
}

} // namespace

TEST_CASE("a container section in compose's words is read and written back") {
    const auto bundle = parse_bundle(R"j({"train": {"script": "train", "container": {
        "image": "localhost/train:1",
        "entrypoint": "python -u",
        "command": null,
        "environment": {"OMP_NUM_THREADS": 4, "MESSAGE": "it's $(id)", "DEBUG": false},
        "volumes": ["data:/data:ro", "$SCRATCH/out:/out", "/etc/hosts:/etc/hosts:rw"],
        "working_dir": "/work",
        "gpus": "all"}}})j",
                                     "b.json");
    const Job& job = bundle.jobs.front();
    REQUIRE(job.container);
    const Container& c = *job.container;
    CHECK(c.image == "localhost/train:1");
    CHECK(c.entrypoint == std::vector<std::string>{"python", "-u"});
    CHECK(c.command.empty());
    CHECK(job.runs_application());
    CHECK(c.environment == std::vector<std::pair<std::string, std::string>>{
                               {"OMP_NUM_THREADS", "4"}, {"MESSAGE", "it's $(id)"}, {"DEBUG", "false"}});
    CHECK(c.volumes == std::vector<Volume>{{"data", "/data", true}, {"$SCRATCH/out", "/out", false},
                                           {"/etc/hosts", "/etc/hosts", false}});
    CHECK(c.working_dir == "/work");
    CHECK(c.gpus == true);
    CHECK(job.to_json()["container"].dump() ==
          R"j({"image":"localhost/train:1","entrypoint":["python","-u"],"environment":{"OMP_NUM_THREADS":"4",)j"
          R"j("MESSAGE":"it's $(id)","DEBUG":"false"},"volumes":["data:/data:ro","$SCRATCH/out:/out",)j"
          R"j("/etc/hosts:/etc/hosts"],"working_dir":"/work","gpus":true})j");
    CHECK(parse_bundle(bundle.dump(), "again.json").dump() == bundle.dump());
}

TEST_CASE("every problem of a container section is reported, each with where it is") {
    CHECK(container_problems(R"({"imgae": "x", "volumes": ["data", "a:b", "$1/x:/x", "x$USER:/x", "~ada:/x", "a,b:/c",
          "a:/b:rx", 3], "environment": {"1X": "a", "OK": null}, "working_dir": "work", "gpus": 2,
          "command": "python -c 'print(1)'"})") ==
          std::vector<std::string>{
              "/imgae: unknown key \"imgae\" (did you mean \"image\"?)",
              "/volumes/0: \"volumes\": \"data\" must be SOURCE:TARGET or SOURCE:TARGET:ro (e.g. \"data:/data:ro\")",
              "/volumes/1: \"volumes\": \"a:b\": the target \"b\" must be an absolute path in the container",
              "/volumes/2: \"volumes\": \"$1/x:/x\": the source must start with a variable ($MILEX/…, ${SCRATCH}/…) "
              "or ~/",
              "/volumes/3: \"volumes\": \"x$USER:/x\": '$' may only start the source ($MILEX/…, $SCRATCH/…)",
              "/volumes/4: \"volumes\": \"~ada:/x\": the source must start with a variable ($MILEX/…, ${SCRATCH}/…) "
              "or ~/",
              "/volumes/5: \"volumes\": \"a,b:/c\": apptainer and singularity cannot bind a path holding ','; rename "
              "it",
              "/volumes/6: \"volumes\": \"a:/b:rx\": the mode must be ro or rw, not \"rx\"",
              "/volumes/7: \"volumes\" items must be \"SOURCE:TARGET[:ro]\" strings, not a number",
              "/environment/1X: \"environment\": \"1X\" is not a variable name (letters, digits and _, not starting "
              "with a digit)",
              "/environment/OK: \"environment\": \"OK\" needs a value (a string, a number or true/false), not null",
              "/working_dir: \"working_dir\" must be an absolute path in the container, such as \"/work\"",
              "/gpus: \"gpus\" must be true, false or \"all\"; the number of GPUs is the job's SLURM request (e.g. "
              "\"gres\": \"gpu:2\")",
              "/command: \"command\" \"python -c 'print(1)'\" holds quotes; write it as a list of words such as "
              "[\"python\", \"-c\", \"print(1)\"]",
              ": has no \"image\"; name one, e.g. \"image\": \"docker://python:3.11-slim\"",
          });
    CHECK(container_problems(R"(["docker://busybox"])") ==
          std::vector<std::string>{
              ": must be an object such as {\"image\": \"docker://python:3.11-slim\"}, not a list"});
    CHECK(container_problems(R"({"image": "two words", "environment": ["A=1", "B"], "entrypoint": 7})") ==
          std::vector<std::string>{
              "/image: \"image\" \"two words\" must not hold spaces or control characters",
              "/environment/1: \"environment\": \"B\" must be NAME=value",
              "/entrypoint: \"entrypoint\" must be a list of words such as [\"python\", \"train.py\"], not a number",
          });
}

TEST_CASE("images are pulled, files or local") {
    CHECK(image_kind("docker://python:3.11-slim") == ImageKind::pulled);
    CHECK(image_kind("library://alpine") == ImageKind::pulled);
    CHECK(image_kind("oras://ghcr.io/x/y:1") == ImageKind::pulled);
    CHECK(image_kind("images/train.sif") == ImageKind::file);
    CHECK(image_kind("localhost/train:1") == ImageKind::local);
    CHECK(image_kind("train") == ImageKind::local);
}

TEST_CASE("GPUs follow the SLURM request unless the container says otherwise") {
    CHECK(slurm_asks_gpus({{"gres", "gpu:1"}}));
    CHECK(slurm_asks_gpus({{"gres", "gpu"}}));
    CHECK(slurm_asks_gpus({{"gres", "shard:2,gpu:a100:2"}}));
    CHECK_FALSE(slurm_asks_gpus({{"gres", "gpu:0"}}));
    CHECK_FALSE(slurm_asks_gpus({{"gres", "shard:2"}}));
    CHECK(slurm_asks_gpus({{"gpus_per_node", "2"}}));
    CHECK_FALSE(slurm_asks_gpus({{"time", "10"}}));
    Container c;
    CHECK(wants_gpus(c, {{"gpus", "1"}}));
    c.gpus = false;
    CHECK_FALSE(wants_gpus(c, {{"gpus", "1"}}));
    c.gpus = true;
    CHECK(wants_gpus(c, {}));
}

TEST_CASE("volumes and assignments from the command line") {
    CHECK(parse_volume("$MILEX/data:/data:ro") == Volume{"$MILEX/data", "/data", true});
    CHECK(parse_volume("a:/b:c:d").error() == "\"a:/b:c:d\" must be SOURCE:TARGET or SOURCE:TARGET:ro (e.g. "
                                              "\"data:/data:ro\")");
    CHECK(parse_assignment("K=a=b c")->second == "a=b c");
    CHECK(parse_assignment("K=")->second == "");
    CHECK(parse_assignment("=x").error() == "\"=x\" must be NAME=value");
    CHECK(parse_assignment("A-B=x").error() ==
          "\"A-B\" is not a variable name (letters, digits and _, not starting with a digit)");
}

TEST_CASE("a container file reports every problem with its line") {
    auto doc = util::parse_document("image: localhost/train:1\nvolumes:\n  - data\nenvironment:\n  A: 1\nworkdir: /w\n",
                                    "train.yaml");
    REQUIRE(doc);
    std::vector<std::string> lines;
    try {
        container_from_document(*doc);
    } catch (const Error& e) {
        lines = e.lines();
    }
    CHECK(lines == std::vector<std::string>{
                         "train.yaml:3: \"volumes\": \"data\" must be SOURCE:TARGET or SOURCE:TARGET:ro (e.g. "
                               "\"data:/data:ro\")",
                               "train.yaml:6: unknown key \"workdir\" (did you mean \"working_dir\"?)"});
    doc = util::parse_document("image: docker://python:3.11-slim\nenvironment: {A: 1, B: 'x y'}\ngpus: false\n", "c.yml");
    REQUIRE(doc);
    const Container c = container_from_document(*doc);
    CHECK(c.image == "docker://python:3.11-slim");
    CHECK(c.environment == std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "x y"}});
    CHECK(c.gpus == false);
}
