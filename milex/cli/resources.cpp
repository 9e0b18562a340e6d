#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/runs.hpp"
#include "milex/observe/status_json.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

int resources_command(const Args& args) {
    CLI::App app{"Free and total GPUs and CPUs per partition and GPU type, the nodes with free GPUs, and how\n"
                 "many pending jobs wait for each (drained and down nodes left out).",
                 "milex resources"};
    std::string machine = "local";
    bool json = false;
    app.add_option("--machine", machine, "the machine (default: local)");
    app.add_flag("--json", json, "print JSON");
    if (auto done = parse_strict(app, args)) return *done;

    const model::Config config = load_config();
    observe::MachineAccess access = observe::open_machine(config, machine);
    const auto rows = access.scheduler->resources();
    if (json) {
        const nlohmann::ordered_json out = observe::resources_json(rows);
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << fmt::format("{:<14} {:<10} {:>9} {:>9}  {:<7} {}\n", "PARTITION", "GPU", "GPUS", "CPUS",
                             "PENDING", "NODES WITH FREE GPUS");
    for (const auto& r : rows) {
        std::cout << fmt::format("{:<14} {:<10} {:>9} {:>9}  {:<7} {}\n", r.partition,
                                 r.gpu_type.empty() ? (r.gpus_total ? "gpu" : "-") : r.gpu_type,
                                 fmt::format("{}/{}", r.gpus_free, r.gpus_total),
                                 fmt::format("{}/{}", r.cpus_free, r.cpus_total), r.pending_gpu_jobs,
                                 util::join(r.nodes_with_free_gpus, ","));
    }
    std::cout << "(free/total)\n";
    return 0;
}

} // namespace milex::cli
