#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/cancel.hpp"
#include "milex/observe/runs.hpp"
#include "milex/observe/status.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

int cancel_command(const Args& args) {
    CLI::App app{"Cancel the jobs of a run that have not ended (or only the named ones), in one scancel.",
                 "milex cancel"};
    std::string reference;
    std::optional<std::string> machine;
    std::vector<std::string> names;
    app.add_option("run", reference, "bundle name, bundle stem, or stem@machine[.N]")->required();
    app.add_option("--machine", machine, "the machine it ran on (when it ran on several)");
    app.add_option("--job", names, "only these jobs")->expected(1, -1);
    if (auto done = parse_strict(app, args)) return *done;

    auto [config, runs, run, access] = observe::open_run(load_config(), reference, machine);
    const auto cancelled =
        observe::cancel_jobs(run, runs, *access.scheduler, names, "cancelled with milex cancel");
    if (cancelled.empty()) {
        std::cout << fmt::format("milex cancel: nothing to cancel in {} on \"{}\": every job has ended\n",
                                 run.record.bundle, run.record.machine);
        return 0;
    }
    std::cout << fmt::format("milex cancel: cancelled {} job{} of {} on \"{}\": {}\n", cancelled.size(),
                             cancelled.size() == 1 ? "" : "s", run.record.bundle, run.record.machine,
                             util::join(cancelled, ", "));
    return 0;
}

} // namespace milex::cli
