#include <doctest/doctest.h>

#include "milex/scheduler/request.hpp"
#include "unit/support.hpp"

using namespace milex;
using milex::scheduler::disallowed;

namespace {

/// A machine that allows the partitions debug and long and the GPU types a100 and fake.
model::Machine allowed_machine() {
    model::Machine m;
    m.name = "lab";
    m.path = "/srv/milex";
    m.allowed_partitions = {"debug", "long"};
    m.allowed_gpu_types = {"a100", "fake"};
    return m;
}

std::string disallowed_message(const model::SlurmOptions& request, const std::string& key) {
    auto refused = disallowed(request, allowed_machine());
    REQUIRE(refused);
    CHECK(refused->key == key);
    return refused->message;
}

} // namespace

TEST_CASE("a gres item's GPUs: count and type") {
    CHECK(scheduler::gpu_ask("gpu")->count == "1");
    CHECK(scheduler::gpu_ask("gpu:3")->count == "3");
    CHECK(scheduler::gpu_ask("gpu:3")->type == "");
    CHECK(scheduler::gpu_ask("gpu:a100")->type == "a100");
    CHECK(scheduler::gpu_ask("gpu:a100:2")->count == "2");
    CHECK_FALSE(scheduler::gpu_ask("shard:1G"));
}

TEST_CASE("a machine's allowed partitions and GPU types refuse what lies outside them, with the fix") {
    CHECK_FALSE(disallowed({{"partition", "long"}, {"gres", "gpu:a100:2"}}, allowed_machine()));
    CHECK_FALSE(disallowed({{"partition", "debug"}, {"gres", "shard:1G"}, {"gpus", "fake:1"}}, allowed_machine()));
    CHECK(disallowed_message({{"partition", "gpu"}}, "partition") ==
          "--partition \"gpu\" is not allowed on machine \"lab\"; its allowed_partitions are debug, long");
    CHECK(disallowed_message({{"time", "10"}}, "partition") ==
          "--partition is required on machine \"lab\" (its allowed_partitions): choose one of debug, long");
    CHECK(disallowed_message({{"partition", "long"}, {"gres", "gpu:v100:1"}}, "gres") ==
          "--gres \"gpu:v100:1\": GPU type \"v100\" is not allowed on machine \"lab\"; its allowed_gpu_types are "
          "a100, fake");
    CHECK(disallowed_message({{"partition", "long"}, {"gres", "gpu:2"}}, "gres") ==
          "--gres \"gpu:2\" asks for a GPU of any type, but machine \"lab\" allows only a100, fake (its "
          "allowed_gpu_types); name one, e.g. gpu:a100:1");
    CHECK(disallowed_message({{"partition", "long"}, {"gpus_per_node", "h100:4"}}, "gpus_per_node") ==
          "--gpus_per_node \"h100:4\": GPU type \"h100\" is not allowed on machine \"lab\"; its allowed_gpu_types "
          "are a100, fake");
    // A machine that sets neither list allows everything, a request without a partition included.
    model::Machine open = allowed_machine();
    open.allowed_partitions.clear();
    open.allowed_gpu_types.clear();
    CHECK_FALSE(disallowed({{"gres", "gpu:2"}}, open));
}
