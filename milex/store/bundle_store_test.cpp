#include <doctest/doctest.h>

#include <thread>

#include "milex/store/bundle_store.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace milex::store;
namespace test = milex::test;

namespace {

model::Job stored_job(const std::string& name, std::vector<std::string> deps = {}) {
    model::Job j;
    j.name = name;
    j.script = "app";
    j.dependencies = std::move(deps);
    return j;
}

model::Bundle bundle_of(const std::string& name) {
    model::Bundle b;
    b.jobs.push_back(stored_job(name));
    return b;
}

util::SystemTime at(const std::string& stamp) { return *util::parse_file_stamp(stamp); }

} // namespace

TEST_CASE("bundle file names split into name and stamp") {
    auto file = parse_bundle_file_name("/x/jobs/my_run_20261122023840.json");
    REQUIRE(file);
    CHECK(file->name == "my_run");
    CHECK(file->stamp == "20261122023840");
    CHECK(file->stem() == "my_run_20261122023840");
    CHECK_FALSE(parse_bundle_file_name("/x/jobs/my_run.json"));
    CHECK_FALSE(parse_bundle_file_name("/x/jobs/run_20261399999999.json"));
}

TEST_CASE("two bundles written in the same second get distinct files") {
    BundleStore store(test::temp_dir());
    auto first = store.create("diamond", bundle_of("A"), at("20261122023840"));
    auto second = store.create("diamond", bundle_of("B"), at("20261122023840"));
    CHECK(first.path.filename() == "diamond_20261122023840.json");
    CHECK(second.path.filename() == "diamond_20261122023841.json");
    CHECK(read_bundle(first.path).jobs[0].name == "A");
    CHECK(read_bundle(second.path).jobs[0].name == "B");
}

TEST_CASE("lookup by name takes the newest file of exactly that name") {
    BundleStore store(test::temp_dir());
    store.create("pi", bundle_of("A"), at("20260101000000"));
    store.create("pi", bundle_of("B"), at("20260102000000"));
    store.create("pipe", bundle_of("C"), at("20260103000000"));
    CHECK(store.locate("pi").path.filename() == "pi_20260102000000.json");
    CHECK(store.locate("pipe").path.filename() == "pipe_20260103000000.json");
    CHECK(store.locate("pi_20260101000000").path.filename() == "pi_20260101000000.json");
    CHECK_THROWS_WITH(store.locate("pipes"), ("no bundle \"pipes\" in " + test::temp_dir().string() +
                                              " (did you mean \"pipe\"?); there are: pi, pipe")
                                             .c_str());
}

TEST_CASE("lookup by path works for files named freely") {
    BundleStore store(test::temp_dir() / "jobs");
    test::write_file(test::temp_dir() / "shared" / "diamond.json", bundle_of("A").dump());
    auto file = store.locate((test::temp_dir() / "shared" / "diamond.json").string());
    CHECK(file.name == "diamond");
    CHECK(file.stem() == "diamond");
    CHECK_THROWS_WITH(store.locate("shared/missing.json"), "bundle file shared/missing.json does not exist");
}

TEST_CASE("an empty jobs folder says how to make a bundle") {
    BundleStore store(test::temp_dir());
    CHECK_THROWS_WITH(store.locate("x"), ("no bundle \"x\": " + test::temp_dir().string() +
                                          " holds no bundles yet; make one with milex-schedule")
                                             .c_str());
}

TEST_CASE("append adds to the newest bundle, renaming a clashing default name like upstream") {
    BundleStore store(test::temp_dir());
    const auto now = at("20261122023840");
    auto add = [&](const std::string& name, NameClash clash) {
        return store.append("b", [&](const model::Bundle&) { return stored_job(name); }, clash, now);
    };
    auto first = add("train", NameClash::rename);
    CHECK(first.created);
    auto second = add("train", NameClash::rename);
    CHECK_FALSE(second.created);
    CHECK(second.path == first.path);
    CHECK(second.job_name == "train_001");
    CHECK(add("train", NameClash::rename).job_name == "train_002");
    CHECK_THROWS_WITH(add("train", NameClash::refuse),
                      "bundle \"b\" already has a job \"train\"; choose another --job_name");
    CHECK(read_bundle(first.path).names() == std::vector<std::string>{"train", "train_001", "train_002"});
}

TEST_CASE("an append refused by its check writes nothing") {
    BundleStore store(test::temp_dir());
    auto made = store.create("b", bundle_of("A"), at("20261122023840"));
    const std::string before = test::read_file(made.path);
    CHECK_THROWS_WITH(store.append(
                          "b", [](const model::Bundle&) -> model::Job { throw Error("refused"); }, NameClash::rename,
                          at("20261122023841")),
                      "refused");
    CHECK(test::read_file(made.path) == before);
}

TEST_CASE("twenty concurrent appends keep all twenty jobs") {
    BundleStore store(test::temp_dir());
    store.create("b", bundle_of("first"), at("20261122023840"));
    std::vector<std::thread> threads;
    for (int i = 0; i < 20; ++i) {
        threads.emplace_back([&store] {
            store.append("b", [](const model::Bundle&) { return stored_job("worker"); }, NameClash::rename,
                         std::chrono::system_clock::now());
        });
    }
    for (auto& t : threads) t.join();
    CHECK(read_bundle(store.locate("b").path).jobs.size() == 21);
}
