#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/cli/removal.hpp"
#include "milex/cli/terminal.hpp"
#include "milex/observe/runs.hpp"
#include "milex/submit/remove_runs.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

int delete_command(const Args& args) {
    CLI::App app{"Delete a run: stop what has not ended, then remove its record, its scripts, its logs and\n"
                 "(when it is the bundle's last run on that machine) its checkpoints. The bundle stays.",
                 "milex delete"};
    std::string reference;
    std::optional<std::string> machine;
    bool yes = false;
    app.add_option("run", reference, "stem@machine.N, or a bundle name or stem that has one run")->required();
    app.add_option("--machine", machine, "the machine it ran on (when it ran on several)");
    app.add_flag("--yes,-y", yes, "do not ask (needed without a terminal)");
    if (auto done = parse_strict(app, args)) return *done;

    model::Config config = load_config();
    store::RunStore runs = observe::run_store(config);
    store::StoredRun run = observe::select_one_run(runs, reference, machine);
    const std::string name = run.path.stem().string();
    if (!yes) {
        if (!interactive())
            throw UsageError(fmt::format("milex delete: nothing removed: deleting run {} needs --yes when no "
                                         "terminal can ask",
                                         name));
        if (!ask_yes_no(fmt::format("delete run {} (its record, scripts and logs; jobs not ended are cancelled "
                                    "first; the bundle stays)?",
                                    name),
                        false)) {
            std::cout << fmt::format("milex delete: run {} kept\n", name);
            return 1;
        }
    }
    observe::MachineAccess access = observe::open_machine(config, run.record.machine);
    std::vector<std::string> cancelled;
    const submit::Removal removal = submit::delete_run(config, run, runs, access, cancelled);
    if (!cancelled.empty())
        std::cout << fmt::format("milex delete: cancelled {} job{} of {}: {}\n", cancelled.size(),
                                 cancelled.size() == 1 ? "" : "s", name, util::join(cancelled, ", "));
    print_removal(removal, std::cout);
    if (!removal.problems.empty()) {
        for (const auto& problem : removal.problems) std::cerr << "milex: error: " << problem << "\n";
        throw Error(fmt::format("run {} was not deleted; its record stays: fix the above and run milex delete again",
                                name));
    }
    std::cout << fmt::format("milex delete: deleted run {}; its bundle stays: {}\n", name,
                             model::display_path(run.record.bundle_file));
    return 0;
}

} // namespace milex::cli
