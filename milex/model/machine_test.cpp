#include <doctest/doctest.h>

#include "milex/model/machine.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace milex::model;
namespace test = milex::test;

namespace {

Config parse(const std::string& text, const std::string& source = "~/.milexconfig") {
    auto doc = util::parse_document(text, source);
    if (!doc) throw Error(doc.error());
    return config_from_document(std::move(*doc));
}

std::vector<std::string> machine_problems(const std::string& text, const std::string& source = "~/.milexconfig") {
    try {
        parse(text, source);
    } catch (const Error& e) {
        return e.lines();
    }
    return {};
}

} // namespace

TEST_CASE("an upstream config is read unchanged, with ~ expanded") {
    test::ScopedEnv home("HOME", "/home/ada");
    auto config = parse(R"({
    "local": {
        "path": "~/milex",
        "env_command": "source ~/venv/bin/activate",
        "slurm_account": "def-bengioy"
    },
    "remote_machine": {
        "path": "/path/to/remote/milex",
        "env_command": "source /path/to/remote/venv/bin/activate",
        "slurm_account": "rrg-account_name",
        "hostname": "machine",
        "hosturl": "machine.domain.com",
        "username": "user1",
        "key_path": "~/.ssh/id_rsa"
    }
})");
    CHECK(config.local().path == "/home/ada/milex");
    CHECK(config.local().slurm_account == "def-bengioy");
    CHECK_FALSE(config.local().remote());
    const Machine& remote = config.get("remote_machine");
    CHECK(remote.remote());
    CHECK(remote.path == "/path/to/remote/milex");
    CHECK(remote.key_path == "~/.ssh/id_rsa");
}

TEST_CASE("the added keys are read") {
    auto config = parse(R"({"local": {"path": "/srv/milex", "partition": "gpu", "modules": ["cuda/12", "python"],
        "scheduler": "slurm", "sbatch": {"qos": "high", "time": "60", "account": "lab"}},
      "narval": {"path": "$SCRATCH/milex", "hosturl": "narval.example.org", "username": "ada", "port": 2222,
        "transport": "openssh"}})");
    const Machine& local = config.local();
    CHECK(local.partition == "gpu");
    CHECK(local.modules == std::vector<std::string>{"cuda/12", "python"});
    CHECK(local.sbatch == SlurmOptions{{"qos", "high"}, {"time", "60"}, {"account", "lab"}});
    const Machine& narval = config.get("narval");
    CHECK(narval.port == 2222);
    CHECK(narval.transport == TransportKind::openssh);
    CHECK(narval.path == "$SCRATCH/milex");  // expanded by the remote shell, not here
}

TEST_CASE("every problem of a config is reported at once, with its line") {
    auto lines = machine_problems(R"({
    "local": {
        "path": "/srv/milex",
        "acount": "x",
        "port": 22
    },
    "gpu": {
        "path": "relative/dir",
        "transport": "telnet",
        "hostname": "gpu1",
        "sbatch": {"tim": "10", "mem": "lots"}
    },
    "nopath": {"env_command": 3}
})");
    CHECK(lines == std::vector<std::string>{
                       "~/.milexconfig:4: unknown key \"acount\" in machine \"local\" (did you mean \"slurm_account\"?)",
                       "~/.milexconfig:5: machine \"local\": \"port\" needs \"hostname\" (an ssh alias) or \"hosturl\"",
                       "~/.milexconfig:9: machine \"gpu\": \"transport\" must be \"auto\", \"libssh2\" or \"openssh\"",
                       "~/.milexconfig:11: machine \"gpu\": unknown sbatch option \"tim\" (did you mean \"time\"?)",
                       "~/.milexconfig:11: machine \"gpu\": sbatch \"mem\" \"lots\" is not a SLURM memory size; use a "
                       "whole number with an optional unit K, M, G or T (e.g. 16G or 1500M; plain numbers are "
                       "megabytes)",
                       "~/.milexconfig:13: machine \"nopath\": \"env_command\" must be a string, not a number",
                       "~/.milexconfig:13: machine \"nopath\" has no \"path\"; add \"path\": "
                       "\"/where/milex/keeps/its/files\"",
                   });
}

TEST_CASE("a machine on this host needs an absolute path") {
    CHECK(machine_problems(R"({"local": {"path": "milex"}})") ==
          std::vector<std::string>{
              "~/.milexconfig:1: machine \"local\": \"path\" must be absolute (start with / or ~), not \"milex\""});
    test::ScopedEnv unset("MILEX_TEST_UNSET_VARIABLE", std::nullopt);
    CHECK(machine_problems(R"({"local": {"path": "$MILEX_TEST_UNSET_VARIABLE/x"}})") ==
          std::vector<std::string>{"~/.milexconfig:1: machine \"local\": \"path\": $MILEX_TEST_UNSET_VARIABLE in "
                                   "\"$MILEX_TEST_UNSET_VARIABLE/x\" is not set"});
}

TEST_CASE("the local machine is required") {
    CHECK(machine_problems(R"({"narval": {"path": "/x", "hostname": "narval"}})") ==
          std::vector<std::string>{
              "~/.milexconfig: no \"local\" machine; add \"local\": {\"path\": \"~/milex\"} for this computer"});
}

TEST_CASE("a config that is not an object of machines says what it should be") {
    CHECK(machine_problems("[1, 2]") ==
          std::vector<std::string>{"~/.milexconfig:1: the config must be a JSON object of machines, such as "
                                   "{\"local\": {\"path\": \"~/milex\"}}"});
    CHECK(machine_problems(R"({"local": "/srv/milex"})") ==
          std::vector<std::string>{"~/.milexconfig:1: machine \"local\" must be an object such as {\"path\": "
                                   "\"~/milex\"}, not a string"});
}

TEST_CASE("malformed JSON is reported with its line") {
    CHECK(machine_problems("{\n  \"local\": {\"path\": \"/x\",}\n}") ==
          std::vector<std::string>{"~/.milexconfig:2:26: invalid JSON: syntax error while parsing object key - "
                                   "unexpected '}'; expected string literal"});
}

TEST_CASE("YAML configs are read when the file name says so") {
    auto config = parse("local:\n  path: /srv/milex\n  modules: [cuda]\n", "cluster.yaml");
    CHECK(config.local().modules == std::vector<std::string>{"cuda"});
    CHECK(machine_problems("local:\n  path: /srv/milex\n  acount: x\n", "cluster.yaml") ==
          std::vector<std::string>{
              "cluster.yaml:3: unknown key \"acount\" in machine \"local\" (did you mean \"slurm_account\"?)"});
}

TEST_CASE("an unknown machine lists the known ones") {
    auto config = parse(R"({"local": {"path": "/x"}, "narval": {"path": "/y", "hostname": "narval"}})");
    CHECK_THROWS_WITH(config.get("narvl"),
                      "unknown machine \"narvl\" (did you mean \"narval\"?); ~/.milexconfig has: local, narval");
}

TEST_CASE("the config path comes from MILEX_CONFIG, else ~/.milexconfig") {
    test::ScopedEnv home("HOME", "/home/ada");
    {
        test::ScopedEnv config("MILEX_CONFIG", "/etc/milex.json");
        CHECK(config_path() == "/etc/milex.json");
    }
    test::ScopedEnv config("MILEX_CONFIG", std::nullopt);
    CHECK(config_path() == "/home/ada/.milexconfig");
    CHECK(display_path("/home/ada/.milexconfig") == "~/.milexconfig");
}

TEST_CASE("a missing config file says how to make one") {
    test::ScopedEnv home("HOME", test::temp_dir().string());
    CHECK_THROWS_WITH(load_config(test::temp_dir() / ".milexconfig"),
                      "no machine config at ~/.milexconfig; run milex-configuration to create one (or set MILEX_CONFIG)");
}

TEST_CASE("a machine says which container runtime it has, where images are cached and with which options") {
    test::ScopedEnv home("HOME", "/home/ada");
    auto config = parse(R"({"local": {"path": "~/milex", "container_runtime": "podman",
        "container_options": ["--runtime", "runc", "--ulimit", "nofile=1024:1024"]},
      "cluster": {"path": "/srv/milex", "container_runtime": "apptainer", "container_cache": "~/images"},
      "gpubox": {"path": "/srv/milex", "container_runtime": "docker", "container_gpus": true}})");
    const Machine& local = config.local();
    CHECK(local.container_runtime == ContainerRuntime::podman);
    CHECK(local.container_cache == "/home/ada/milex/containers");
    CHECK(local.container_options == std::vector<std::string>{"--runtime", "runc", "--ulimit", "nofile=1024:1024"});
    CHECK_FALSE(local.gpus_in_containers());
    CHECK(local.to_json().dump() ==
          R"({"path":"/home/ada/milex","scheduler":"slurm","container_runtime":"podman",)"
          R"("container_cache":"/home/ada/milex/containers","container_options":["--runtime","runc","--ulimit",)"
          R"("nofile=1024:1024"],"container_gpus":false})");
    CHECK(config.get("cluster").container_cache == "/home/ada/images");
    CHECK(config.get("cluster").gpus_in_containers());
    CHECK(config.get("gpubox").gpus_in_containers());
    CHECK(config.get("gpubox").container_runtime == ContainerRuntime::docker);
}

TEST_CASE("container keys are checked with the rest of the config") {
    CHECK(machine_problems(R"({"local": {"path": "/srv/milex", "container_runtime": "podmn", "container_gpus": "yes",
        "container_options": "--runtime runc", "container_cache": "images", "contianer_options": []},
      "other": {"path": "/srv/milex", "container_runtime": "sarus"}})") ==
          std::vector<std::string>{
              "~/.milexconfig:1: machine \"local\": unknown \"container_runtime\" \"podmn\" (did you mean \"podman\"?); "
              "use apptainer, singularity, podman or docker",
              "~/.milexconfig:1: machine \"local\": \"container_gpus\" must be true or false, not a string",
              "~/.milexconfig:2: machine \"local\": \"container_options\" must be a list of words such as "
              "[\"--runtime\", \"runc\"]",
              "~/.milexconfig:2: unknown key \"contianer_options\" in machine \"local\" (did you mean "
              "\"container_options\"?)",
              "~/.milexconfig:2: machine \"local\": \"container_cache\" must be absolute (start with / or ~), not "
              "\"images\"",
              "~/.milexconfig:3: machine \"other\": unknown \"container_runtime\" \"sarus\"; use apptainer, "
              "singularity, podman or docker",
          });
}

TEST_CASE("an unknown scheduler is an error with a did-you-mean, never the direct runner") {
    auto lines = machine_problems(R"({"local": {"path": "/home/ada/milex", "scheduler": "sgee"}})", "config.json");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "config.json:1: machine \"local\": unknown scheduler \"sgee\" (did you mean \"sge\"?); use "
                      "\"slurm\", \"sge\" (Grid Engine) or \"none\" (run jobs directly)");
    CHECK(parse(R"({"local": {"path": "/m", "scheduler": "sge", "parallel_environment": "smp"}})").local().scheduler ==
          SchedulerKind::sge);
}

TEST_CASE("allowed_partitions and allowed_gpu_types are lists of names, and the machine's own partition is one") {
    auto config = parse(R"({"local": {"path": "/srv/milex", "partition": "debug",
        "allowed_partitions": ["debug", "long"], "allowed_gpu_types": ["a100"]}})");
    CHECK(config.local().allowed_partitions == std::vector<std::string>{"debug", "long"});
    CHECK(config.local().allowed_gpu_types == std::vector<std::string>{"a100"});
    CHECK(config.local().to_json()["allowed_gpu_types"] == nlohmann::ordered_json{"a100"});
    CHECK(machine_problems(R"({"local": {"path": "/srv/milex",
        "allowed_partitions": "debug",
        "allowed_gpu_types": ["a100", 3]},
      "gpu": {"path": "/srv/milex", "allowed_partitions": ["main", "main"], "allowed_gpu_types": ["a 100"]},
      "lab": {"path": "/srv/milex", "allowed_partitions": ["lab"], "partition": "main",
        "sbatch": {"partition": "other"}}})") ==
          std::vector<std::string>{
              "~/.milexconfig:2: machine \"local\": \"allowed_partitions\" must be a list of partition names such as "
              "[\"debug\", \"gpu\"]",
              "~/.milexconfig:3: machine \"local\": \"allowed_gpu_types\" must be a list of GPU types such as "
              "[\"a100\", \"v100\"]",
              "~/.milexconfig:4: machine \"gpu\": \"allowed_partitions\" names \"main\" twice",
              "~/.milexconfig:4: machine \"gpu\": \"allowed_gpu_types\" item \"a 100\" is not a name; use letters, "
              "digits, '.', '-' and '_'",
              "~/.milexconfig:5: machine \"lab\": partition \"main\" is not in its \"allowed_partitions\" (lab); add it "
              "there or pick one of those",
              "~/.milexconfig:6: machine \"lab\": partition \"other\" is not in its \"allowed_partitions\" (lab); add "
              "it there or pick one of those",
          });
}

TEST_CASE("mail_user, mail_type and notify_command are read and checked") {
    auto config = parse(R"({"local": {"path": "/srv/milex", "mail_user": "ada@example.org", "mail_type": "END,FAIL",
        "notify_command": "notify-send milex"}})");
    CHECK(config.local().mail_user == "ada@example.org");
    CHECK(config.local().mail_type == "END,FAIL");
    CHECK(config.local().notify_command == "notify-send milex");
    CHECK(config.local().to_json()["mail_type"] == "END,FAIL");
    CHECK(machine_problems(R"({"local": {"path": "/srv/milex",
        "mail_type": "END,FIAL",
        "mail_user": "ada@example.org, bob@example.org"}})") ==
          std::vector<std::string>{
              "~/.milexconfig:2: machine \"local\": unknown \"mail_type\" \"FIAL\" (did you mean \"FAIL\"?); use a "
              "comma-separated list of NONE, BEGIN, END, FAIL, REQUEUE, ALL, INVALID_DEPEND, STAGE_OUT, TIME_LIMIT, "
              "TIME_LIMIT_90, TIME_LIMIT_80, TIME_LIMIT_50, ARRAY_TASKS",
              "~/.milexconfig:3: machine \"local\": \"mail_user\" \"ada@example.org, bob@example.org\" must be one "
              "address such as \"ada@example.org\" (no spaces, commas or quotes)",
          });
}
