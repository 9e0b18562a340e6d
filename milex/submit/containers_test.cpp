#include <doctest/doctest.h>

#include "milex/submit/containers.hpp"
#include "milex/submit/submit.hpp"
#include "milex/util/error.hpp"
#include "unit/fakes.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;
using nlohmann::ordered_json;

namespace {

const std::string k_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A local machine with a container runtime, and a
/// bundle of two jobs in a local image (B after A) and one plain job.
struct Fixture {
    model::Config config;
    store::BundleStore bundles;
    test::FakeLocalImages images;
    test::CountingTransport transport;
    test::FakeScheduler scheduler;

    /// `runtime` empty: a machine without "container_runtime".
    explicit Fixture(const std::string& runtime)
        : config(make_config(runtime.empty() ? ordered_json::object() : ordered_json{{"container_runtime", runtime}})), bundles(test::temp_dir() / "milex" / "jobs") {
        std::filesystem::create_directories(test::temp_dir() / "milex" / "jobs");
        std::filesystem::create_directories(test::temp_dir() / "milex" / "data");
        images.ids["localhost/train:1"] = k_id;
        write_bundle(R"({
  "A": {"script": "app", "container": {"image": "localhost/train:1", "volumes": ["data:/data:ro"]}},
  "B": {"script": "app", "dependencies": ["A"], "container": {"image": "localhost/train:1"}},
  "plain": {"script": "app"}
})");
    }
    static model::Config make_config(ordered_json machine_json) {
        machine_json["path"] = (test::temp_dir() / "milex").string();
        auto doc = util::parse_json_document(ordered_json{{"local", machine_json}}.dump(), "config");
        return model::config_from_document(std::move(*doc));
    }
    const model::Machine& machine() const { return config.local(); }
    void write_bundle(const std::string& text) { test::write_file(test::temp_dir() / "milex/jobs/d_20261122000000.json", text); }
    submit::Plan plan() { return submit::plan_bundle(bundles, "d"); }
    submit::ContainerPlan containers() { return submit::plan_containers(plan().bundle, machine(), &transport, &images); }
    void prepare(const submit::ContainerPlan& containers) {
        submit::prepare_images(containers, machine(), transport, &images, (test::temp_dir() / "export").string(),
                               [](const std::string&) {});
    }
    std::string cache(const std::string& file) const { return (test::temp_dir() / "milex/containers" / file).string(); }
};

std::vector<std::string> container_plan_problems(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.lines();
    }
    return {};
}

} // namespace

TEST_CASE("a local image for apptainer is exported and copied once, and converted by a job its jobs wait for") {
    Fixture f("apptainer");
    auto containers = f.containers();
    REQUIRE(containers.images.size() == 1);
    const submit::ImagePlan& image = containers.images.front();
    CHECK(image.copy);
    CHECK(image.convert);
    CHECK(image.archive == f.cache(k_id + ".tar"));
    CHECK(image.sif == f.cache(k_id + ".sif"));
    CHECK(image.summary(f.machine(), "podman") ==
          "export with podman save, copy to " + f.cache(k_id + ".tar") + ", then job milex-convert-0123456789ab "
          "converts it to " + f.cache(k_id + ".sif"));

    f.prepare(containers);
    CHECK(f.images.saved == std::vector<std::string>{"localhost/train:1"});
    CHECK(f.transport.copied == std::vector<std::string>{f.cache(k_id + ".tar")});
    CHECK(test::read_file(f.cache(k_id + ".tar")) == "docker archive of localhost/train:1");
    CHECK(std::filesystem::is_empty(test::temp_dir() / "export"));  // the export is not kept here

    std::vector<std::string> converted;
    submit::Progress progress;
    progress.conversion = [&](const submit::ImagePlan& plan, const std::string& id, bool resumed) {
        converted.push_back(plan.image + "=" + id + (resumed ? " resumed" : ""));
    };
    // (a session holds the bundle's lock while it lives: one at a time)
    auto run = submit::RunSession(f.config, f.machine(), f.plan())
                   .submit(f.transport, f.scheduler, submit::Again::no, progress, containers);
    REQUIRE(f.scheduler.requests.size() == 4);
    CHECK(f.scheduler.requests[0].job_name == "milex-convert-0123456789ab");
    CHECK(f.scheduler.requests[0].after_ok.empty());
    CHECK(f.scheduler.requests[1].job_name == "A");
    CHECK(f.scheduler.requests[1].after_ok == std::vector<std::string>{"100"});
    CHECK(f.scheduler.requests[2].after_ok == std::vector<std::string>{"100", "101"});
    CHECK(f.scheduler.requests[3].after_ok.empty());
    CHECK(converted == std::vector<std::string>{"localhost/train:1=100"});
    CHECK(run.record.images.dump() == ordered_json::array({{{"image", "localhost/train:1"},
                                                             {"id", k_id},
                                                             {"sif", f.cache(k_id + ".sif")},
                                                             {"conversion_job", "100"}}})
                                          .dump());
    const std::string conversion = test::read_file(f.scheduler.requests[0].script_path);
    CHECK(conversion.find("'apptainer' 'build' \"$milex_sif.part.$$\" 'docker-archive://" + f.cache(k_id + ".tar") +
                          "'") != std::string::npos);
    const std::string a = test::read_file(f.scheduler.requests[1].script_path);
    CHECK(a.find("  '" + f.cache(k_id + ".sif") + "' \\\n") != std::string::npos);

    // A second run: the archive is in the cache (nothing copied), the .sif not yet (converted).
    auto again = f.containers();
    CHECK_FALSE(again.images.front().copy);
    CHECK(again.images.front().convert);
    f.prepare(again);
    CHECK(f.transport.copied.size() == 1);
    CHECK(f.images.saved.size() == 1);

    // Once converted, the .sif is reused: no export, no copy, no conversion job.
    test::write_file(f.cache(k_id + ".sif"), "sif");
    auto reused = f.containers();
    CHECK_FALSE(reused.images.front().copy);
    CHECK_FALSE(reused.images.front().convert);
    CHECK(reused.images.front().summary(f.machine(), "podman") ==
          "reusing the cached " + f.cache(k_id + ".sif") + " (image id 0123456789ab)");
    test::FakeScheduler second;
    submit::RunSession(f.config, f.machine(), f.plan()).submit(f.transport, second, submit::Again::yes, {}, reused);
    REQUIRE(second.requests.size() == 3);
    CHECK(second.requests[0].job_name == "A");
    CHECK(second.requests[0].after_ok.empty());
}

TEST_CASE("a resumed run waits for the conversion job submitted before instead of another") {
    Fixture f("singularity");
    auto containers = f.containers();
    f.prepare(containers);
    f.scheduler.fail_at = 1;  // the conversion job goes in, job A is refused
    CHECK_THROWS_WITH(submit::RunSession(f.config, f.machine(), f.plan())
                          .submit(f.transport, f.scheduler, submit::Again::no, {}, containers),
                      "sbatch refused job \"A\"");
    test::FakeScheduler scheduler;
    scheduler.next_id = 200;
    std::vector<std::string> converted;
    submit::Progress progress;
    progress.conversion = [&](const submit::ImagePlan&, const std::string& id, bool resumed) {
        converted.push_back(id + (resumed ? " resumed" : ""));
    };
    submit::RunSession(f.config, f.machine(), f.plan())
        .submit(f.transport, scheduler, submit::Again::no, progress, f.containers());
    CHECK(converted == std::vector<std::string>{"100 resumed"});
    REQUIRE(scheduler.requests.size() == 3);
    CHECK(scheduler.requests[0].job_name == "A");
    CHECK(scheduler.requests[0].after_ok == std::vector<std::string>{"100"});
}

TEST_CASE("a dry run shows the image's fate and the conversion job, and writes nothing") {
    Fixture f("apptainer");
    std::string out;
    submit::dry_run(f.config, f.machine(), f.plan(), f.scheduler, [&](std::string_view text) { out += text; },
                    f.containers());
    CHECK(out.find("# ---- image localhost/train:1: export with podman save, copy to " + f.cache(k_id + ".tar")) == 0);
    CHECK(out.find("# ---- job milex-convert-0123456789ab: ") != std::string::npos);
    CHECK(out.find("submit " + (test::temp_dir() / "milex/slurm/d_20261122000000_milex-convert-0123456789ab.sh").string()) !=
          std::string::npos);
    CHECK(out.find("'apptainer' 'exec' \\\n  '--bind' \"${MILEX:?}\"'/data:/data:ro' \\\n  '" + f.cache(k_id + ".sif")) !=
          std::string::npos);
    CHECK_FALSE(std::filesystem::exists(test::temp_dir() / "milex/containers"));
    CHECK(f.transport.copied.empty());
    CHECK(f.images.saved.empty());
}

TEST_CASE("on this host podman runs a local image as it is, and a remote podman loads it once") {
    Fixture f("podman");
    auto containers = f.containers();
    CHECK_FALSE(containers.images.front().copy);
    CHECK(containers.images.front().runtime_image.reference == "localhost/train:1");

    model::Machine remote = f.machine();
    remote.hostname = "gpu1";
    f.transport.answers["podman"] = util::ProcessResult{1, 0, false, "", "Error: image not known"};
    auto loading = submit::plan_containers(f.plan().bundle, remote, &f.transport, &f.images);
    CHECK(loading.images.front().load);
    CHECK(loading.images.front().copy);
    CHECK(loading.images.front().summary(remote, "podman") ==
          "export with podman save, copy to " + f.cache(k_id + ".tar") + ", then podman load");
    f.transport.answers["podman"] = util::ProcessResult{0, 0, false, "Loaded image: localhost/train:1\n", ""};
    submit::prepare_images(loading, remote, f.transport, &f.images, (test::temp_dir() / "export").string(),
                           [](const std::string&) {});
    CHECK(f.transport.answered.back() == std::vector<std::string>{"podman", "load", "--input", f.cache(k_id + ".tar")});
    CHECK(f.transport.copied.size() == 1);
    // The machine has the image now (podman image inspect of its id succeeds): nothing to do.
    auto loaded = submit::plan_containers(f.plan().bundle, remote, &f.transport, &f.images);
    CHECK_FALSE(loaded.images.front().load);
    CHECK_FALSE(loaded.images.front().copy);
    CHECK(f.transport.answered.back() ==
          std::vector<std::string>{"podman", "image", "inspect", "--format", "{{.Id}}", k_id});
}

TEST_CASE("container problems are all reported before anything is copied or submitted") {
    Fixture f("podman");
    f.write_bundle(R"({
  "A": {"script": "app", "slurm": {"gres": "gpu:1"},
        "container": {"image": "localhost/nope:1", "volumes": ["missing:/m", "$MILEX_TEST_UNSET/x:/x", "data:/d"]}},
  "B": {"script": "app", "container": {"image": "images/train.sif", "gpus": true}},
  "C": {"script": "app", "container": {"image": "localhost/train:1", "gpus": false, "volumes": ["missing:/m"]}}
})");
    const std::string m = (test::temp_dir() / "milex").string();
    CHECK(container_plan_problems([&] { f.containers(); }) ==
          std::vector<std::string>{
              "job \"A\" asks for GPUs in its container, but podman on machine \"local\" has no GPU support "
              "(\"container_gpus\" is false); install the NVIDIA Container Toolkit there and set \"container_gpus\": "
              "true, or give the container \"gpus\": false",
              "job \"A\": image \"localhost/nope:1\" is not among this host's podman images; build or pull it first "
              "(or use a docker://… reference)",
              "job \"B\" asks for GPUs in its container, but podman on machine \"local\" has no GPU support "
              "(\"container_gpus\" is false); install the NVIDIA Container Toolkit there and set \"container_gpus\": "
              "true, or give the container \"gpus\": false",
              "job \"B\": image \"images/train.sif\" is an Apptainer image file, which podman on machine \"local\" "
              "cannot run; use an image name or a docker://… reference",
              "job \"A\": bind source \"missing\" does not exist on machine \"local\" (" + m +
                  "/missing); create it or fix the container's \"volumes\"",
              "job \"A\": bind source \"$MILEX_TEST_UNSET/x\" does not exist on machine \"local\" (a variable in it is "
              "not set there); create it or fix the container's \"volumes\"",
          });
    CHECK(f.transport.copied.empty());

    Fixture bare("");
    CHECK(container_plan_problems([&] { bare.containers(); }) ==
          std::vector<std::string>{
              "job \"A\" runs in a container, but machine \"local\" has no \"container_runtime\"; set one (apptainer, "
              "singularity, podman or docker), e.g. milex-configuration --set local.container_runtime=apptainer"});

    Fixture gpus("apptainer");
    gpus.write_bundle(R"({"A": {"script": "app", "slurm": {"gres": "gpu:1"}, "container": {"image": "docker://x"}}})");
    CHECK(container_plan_problems([&] { gpus.containers(); }).empty());  // --nv needs only the node's driver
}

TEST_CASE("a resumed run converts only the images of the jobs still to submit") {
    Fixture f("apptainer");
    test::write_file(f.cache(k_id + ".sif"), "sif");
    f.scheduler.fail_at = 2;  // A and B go in without a conversion (the .sif was there); "plain" is refused
    CHECK_THROWS(submit::RunSession(f.config, f.machine(), f.plan())
                     .submit(f.transport, f.scheduler, submit::Again::no, {}, f.containers()));
    std::filesystem::remove(f.cache(k_id + ".sif"));
    auto containers = f.containers();
    REQUIRE(containers.images.front().convert);
    test::FakeScheduler scheduler;
    submit::RunSession(f.config, f.machine(), f.plan()).submit(f.transport, scheduler, submit::Again::no, {}, containers);
    REQUIRE(scheduler.requests.size() == 1);
    CHECK(scheduler.requests[0].job_name == "plain");
}
