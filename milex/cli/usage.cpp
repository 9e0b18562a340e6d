#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/runs.hpp"
#include "milex/observe/status_json.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

namespace {

std::string fixed(const std::optional<double>& value, const char* format) {
    return value ? fmt::format(fmt::runtime(format), *value) : "-";
}

} // namespace

int usage_command(const Args& args) {
    CLI::App app{"Your CPU-hours and GPU-hours per account on a machine, the fair-share factor the scheduler gives\n"
                 "you there, your part of the account's usage and the limits that apply (SLURM: sacct, sshare and\n"
                 "sacctmgr, in one call to the machine).",
                 "milex usage"};
    std::string machine = "local", since = "30d";
    bool json = false;
    app.add_option("--machine", machine, "the machine (default: local)");
    app.add_option("--since", since, "how far back: 12h, 30d, 2w (default: 30d)");
    app.add_flag("--json", json, "print JSON");
    if (auto done = parse_strict(app, args)) return *done;
    const auto window = util::parse_age(since);
    if (!window || window->count() == 0)
        throw UsageError(fmt::format("milex usage: --since \"{}\" is not a span of time; use a whole number and a unit, "
                                     "e.g. 12h, 30d or 2w",
                                     since));

    const model::Config config = load_config();
    observe::MachineAccess access = observe::open_machine(config, machine);
    const auto usage = access.scheduler->usage(*window);
    if (!usage)
        throw Error(fmt::format("machine \"{}\" runs jobs with scheduler \"{}\", which keeps no usage record; milex usage "
                                "works on SLURM machines",
                                machine, model::scheduler_name(access.machine.scheduler)));
    if (json) {
        nlohmann::ordered_json out = observe::usage_json(*usage);
        out["machine"] = machine;
        out["since"] = since;
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << fmt::format("milex usage on \"{}\"{}, user {}, last {}:\n", machine,
                             usage->cluster.empty() ? "" : fmt::format(" (cluster {})", usage->cluster), usage->user,
                             since);
    if (usage->accounts.empty()) {
        std::cout << "no account: the scheduler knows no association for this user, and no job ran\n";
        return 0;
    }
    size_t width = 7;
    for (const auto& a : usage->accounts) width = std::max(width, a.account.size());
    std::cout << fmt::format("{:<{}}  {:>6}  {:>10}  {:>10}  {:>10}  {:>16}\n", "ACCOUNT", width, "JOBS", "CPU-HOURS",
                             "GPU-HOURS", "FAIR-SHARE", "YOUR PART OF IT");
    for (const auto& a : usage->accounts)
        std::cout << fmt::format("{:<{}}  {:>6}  {:>10.2f}  {:>10.2f}  {:>10}  {:>16}\n", a.account, width, a.jobs,
                                 a.cpu_hours, a.gpu_hours, fixed(a.fair_share, "{:.3f}"),
                                 a.share_of_account ? fmt::format("{:.0f}%", *a.share_of_account * 100) : "-");
    std::cout << "FAIR-SHARE: 1 = unused, 0.5 = using what is granted, towards 0 = using more (jobs wait longer).\n";
    std::cout << "limits:\n";
    for (const auto& a : usage->accounts) {
        std::vector<std::string> limits;
        for (const auto& limit : a.limits) limits.push_back(fmt::format("{}={} ({})", limit.name, limit.value, limit.from));
        std::cout << fmt::format("  {}: {}\n", a.account, limits.empty() ? "none set" : util::join(limits, ", "));
    }
    return 0;
}

} // namespace milex::cli
