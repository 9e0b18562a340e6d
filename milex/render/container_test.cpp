#include <doctest/doctest.h>

#include "milex/render/container.hpp"
#include "milex/render/script.hpp"
#include "milex/util/error.hpp"
#include "milex/util/process.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;
using model::ContainerRuntime;

namespace {

// Every character that breaks naive quoting, in an environment value and in bind paths.
const std::string k_hazard = "two words \"double\" it's $(id) `id` a;b line\nbreak tab\there é 日本 🚀 back\\slash $HOME *";

model::Machine machine(ContainerRuntime runtime) {
    model::Machine m;
    m.name = "cluster";
    m.path = "/project/ada/milex";
    m.container_runtime = runtime;
    m.container_cache = m.path + "/containers";
    if (runtime == ContainerRuntime::podman)
        m.container_options = {"--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"};
    if (runtime == ContainerRuntime::podman || runtime == ContainerRuntime::docker) m.container_gpus = true;
    return m;
}

/// A job with every kind of bind (relative, absolute, a variable, ~, $MILEX itself, read-only),
/// hazardous environment values and an application call.
model::Job container_job() {
    model::Job j;
    j.name = "train";
    j.script = "train";
    j.script_args = nlohmann::ordered_json::parse(R"({"lr": 0.01, "data": "/data/my set.csv"})");
    model::Container c;
    c.image = "localhost/train:1";
    c.volumes = {{"data", "/data", true},
                 {"./results/it's here", "/results", false},
                 {"/scratch/ada/shared data", "/shared", true},
                 {"$SCRATCH/cache", "/cache", false},
                 {"~/.netrc", "/root/.netrc", true},
                 {"$MILEX", "/milex", false}};
    c.environment = {{"MESSAGE", k_hazard}, {"EMPTY", ""}, {"OMP_NUM_THREADS", "4"}};
    c.working_dir = "/work dir";
    j.container = c;
    return j;
}

/// The same job asking SLURM for a GPU, with an entrypoint and a command of its own.
model::Job gpu_job() {
    model::Job j = container_job();
    j.slurm = {{"gres", "gpu:1"}};
    j.container->entrypoint = {"python", "-u"};
    j.container->command = {"train.py", "--message", k_hazard};
    return j;
}

std::string image_for(const model::Machine& m) {
    return m.container_runtime == ContainerRuntime::podman || m.container_runtime == ContainerRuntime::docker
               ? "podman-docker"
               : "apptainer";
}

render::RuntimeImage converted() {
    return {"/project/ada/milex/containers/0123456789ab.sif", true, "localhost/train:1, converted"};
}

render::RuntimeImage image(const model::Machine& m) {
    if (image_for(m) == "apptainer") return converted();
    return render::direct_image(*container_job().container, m);
}

} // namespace

TEST_CASE("container commands render to the golden text for each runtime, with and without GPUs") {
    for (auto runtime : {ContainerRuntime::apptainer, ContainerRuntime::singularity, ContainerRuntime::podman,
                         ContainerRuntime::docker}) {
        const model::Machine m = machine(runtime);
        const std::string name = model::runtime_name(runtime);
        const std::string plain = render::container_call(container_job(), m, image(m)) + "\n";
        CHECK_MESSAGE(plain == test::golden("container/" + name + ".txt", plain), name);
        const std::string gpu = render::container_call(gpu_job(), m, image(m)) + "\n";
        CHECK_MESSAGE(gpu == test::golden("container/" + name + "-gpu.txt", gpu), name);
    }
}

TEST_CASE("GPU flags only when the job asks for GPUs, and the container's own word wins") {
    const model::Machine m = machine(ContainerRuntime::apptainer);
    model::Job j = container_job();
    CHECK(render::container_call(j, m, converted()).find("'--nv'") == std::string::npos);
    j.slurm = {{"gpus_per_node", "2"}};
    CHECK(render::container_call(j, m, converted()).find("'--nv'") != std::string::npos);
    j.container->gpus = false;
    CHECK(render::container_call(j, m, converted()).find("'--nv'") == std::string::npos);
    j.slurm = {};
    j.container->gpus = true;
    CHECK(render::container_call(j, m, converted()).find("'--nv'") != std::string::npos);
}

TEST_CASE("every word reaches the runtime byte for byte, binds expanded on the node") {
    // A stand-in for the runtime that prints the words it was given (and apptainer's
    // APPTAINERENV_ variables): what is checked is bash's reading of the rendered text.
    test::write_script(test::temp_dir(), "podman", "for a in \"$@\"; do printf '<%s>' \"$a\"; done");
    test::write_script(test::temp_dir(), "apptainer",
                       "printf '[%s]' \"$APPTAINERENV_MESSAGE\" \"$APPTAINERENV_EMPTY\"; for a in \"$@\"; do printf "
                       "'<%s>' \"$a\"; done");
    const std::string prelude = "PATH=" + test::temp_dir().string() +
                                ":$PATH; MILEX='/m i/lex'; HOME=/home/ada; SCRATCH=/scratch/ada; ";
    const std::string binds = "<" + std::string("/m i/lex/data:/data:ro><-v></m i/lex/results/it's here:/results><-v>") +
                              "</scratch/ada/shared data:/shared:ro><-v></scratch/ada/cache:/cache><-v>" +
                              "</home/ada/.netrc:/root/.netrc:ro><-v></m i/lex:/milex>";

    const model::Machine podman = machine(ContainerRuntime::podman);
    auto ran = util::run_process({"bash", "-c", prelude + render::container_call(gpu_job(), podman, image(podman))});
    REQUIRE(ran);
    CHECK(ran->out == "<run><--rm><--runtime><runc><--ulimit><nofile=1024:1024><--ulimit><nproc=1024:1024><--device>"
                      "<nvidia.com/gpu=all><-v>" +
                          binds + "<-e><MESSAGE=" + k_hazard + "><-e><EMPTY=><-e><OMP_NUM_THREADS=4><-w></work dir>"
                          "<--entrypoint><python><localhost/train:1><-u><train.py><--message><" + k_hazard + ">");

    const model::Machine apptainer = machine(ContainerRuntime::apptainer);
    ran = util::run_process({"bash", "-c", prelude + render::container_call(container_job(), apptainer, converted())});
    REQUIRE(ran);
    std::string apptainer_binds = binds;
    for (size_t at = 0; (at = apptainer_binds.find("<-v>", at)) != std::string::npos;) apptainer_binds.replace(at, 4, "<--bind>");
    CHECK(ran->out == "[" + k_hazard + "][]<exec><--bind>" + apptainer_binds +
                          "<--pwd></work dir></project/ada/milex/containers/0123456789ab.sif><train><--lr=0.01>"
                          "<--data=/data/my set.csv>");
}

TEST_CASE("images the runtime cannot take are refused with the reason") {
    model::Container c;
    c.image = "localhost/train:1";
    CHECK_THROWS_WITH(render::direct_image(c, machine(ContainerRuntime::apptainer)),
                      "image \"localhost/train:1\" must be converted for apptainer on machine \"cluster\" first");
    c.image = "images/train.sif";
    CHECK(render::direct_image(c, machine(ContainerRuntime::singularity)).path);
    CHECK_THROWS_WITH(render::direct_image(c, machine(ContainerRuntime::podman)),
                      "image \"images/train.sif\" is an Apptainer image file, which podman on machine \"cluster\" "
                      "cannot run; use an image name or a docker://… reference");
    c.image = "library://alpine:3";
    CHECK_THROWS_WITH(render::direct_image(c, machine(ContainerRuntime::docker)),
                      "image \"library://alpine:3\" is for apptainer or singularity; docker on machine \"cluster\" "
                      "takes docker://… references and image names");
    c.image = "docker://python:3.11-slim";
    CHECK(render::direct_image(c, machine(ContainerRuntime::docker)).reference == "python:3.11-slim");
    CHECK(render::direct_image(c, machine(ContainerRuntime::podman)).reference == "docker://python:3.11-slim");
    CHECK(render::direct_image(c, machine(ContainerRuntime::apptainer)).reference == "docker://python:3.11-slim");
}

TEST_CASE("a container job's script and a conversion job's script render to their golden files") {
    model::Machine m = machine(ContainerRuntime::podman);
    m.env_command = "source /project/ada/venv/bin/activate";
    model::Job j = container_job();
    j.pre_commands = {"mkdir -p \"$MILEX/results\""};
    const std::string script = render::render_script({j, m, "sweep_20261122023840", "0.1.0"});
    CHECK(script == test::golden("container-job.sh", script));

    model::Machine cluster = machine(ContainerRuntime::apptainer);
    cluster.modules = {"apptainer/1.2"};
    const std::string conversion = render::render_conversion_script(
        {"milex-convert-0123456789ab", "/project/ada/milex/containers/0123456789ab.tar",
         "/project/ada/milex/containers/0123456789ab.sif", "localhost/train:1 (sha256:0123456789ab…)"},
        cluster, "sweep_20261122023840", "0.1.0");
    CHECK(conversion == test::golden("conversion.sh", conversion));
    for (const auto& [name, text] : {std::pair{"job.sh", script}, std::pair{"convert.sh", conversion}}) {
        test::write_file(test::temp_dir() / name, text);
        auto syntax = util::run_process({"bash", "-n", (test::temp_dir() / name).string()});
        REQUIRE(syntax);
        CHECK_MESSAGE(syntax->succeeded(), syntax->err);
    }
}

TEST_CASE("the conversion script builds once, under a temporary name, and keeps a .sif that is there") {
    // apptainer stand-in: writes its output file, so the script's own logic is what is tested.
    test::write_script(test::temp_dir(), "apptainer", "echo \"build $*\" >>\"$MILEX/calls\"; echo sif >\"$2\"");
    model::Machine m = machine(ContainerRuntime::apptainer);
    m.path = (test::temp_dir() / "milex").string();
    std::filesystem::create_directories(test::temp_dir() / "milex" / "containers");
    const std::string script = render::render_conversion_script(
        {"milex-convert-x", m.path + "/containers/x.tar", m.path + "/containers/x.sif", "x"}, m, "b", "0.1.0");
    test::write_file(test::temp_dir() / "convert.sh", script);
    const std::string path = "PATH=" + test::temp_dir().string() + ":/usr/bin:/bin";
    for (int run = 0; run < 2; ++run) {
        auto result = util::run_process({"env", path, "bash", (test::temp_dir() / "convert.sh").string()});
        REQUIRE(result);
        CHECK_MESSAGE(result->succeeded(), result->err);
    }
    CHECK(test::read_file(test::temp_dir() / "milex/containers/x.sif") == "sif\n");
    const std::string calls = test::read_file(test::temp_dir() / "milex/calls");
    CHECK(calls.find("build build " + m.path + "/containers/x.sif.part.") == 0);
    CHECK(calls.find(" docker-archive://" + m.path + "/containers/x.tar\n") != std::string::npos);
    CHECK(std::count(calls.begin(), calls.end(), '\n') == 1);  // the second run found the .sif
}
