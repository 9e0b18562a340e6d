#include "milex/observe/notify.hpp"

#include <fmt/format.h>

#include "milex/observe/status_json.hpp"
#include "milex/util/process.hpp"
#include "milex/util/text.hpp"

namespace milex::observe {

nlohmann::ordered_json run_summary(const store::StoredRun& run, const std::vector<JobStatus>& jobs) {
    nlohmann::ordered_json out = run_json(run, jobs);
    nlohmann::ordered_json counts = nlohmann::ordered_json::object();
    bool all_completed = true;
    for (const auto& job : jobs) {
        const std::string name = scheduler::state_name(job.state.state);
        counts[name] = counts.value(name, 0) + 1;
        all_completed = all_completed && job.state.state == scheduler::State::completed;
    }
    out["ended"] = all_ended(jobs);
    out["all_completed"] = all_completed;
    out["counts"] = counts;
    return out;
}

std::optional<std::string> notify_run_ended(const model::Machine& machine, const nlohmann::ordered_json& summary,
                                            std::chrono::milliseconds timeout) {
    if (machine.notify_command.empty()) return std::nullopt;
    util::ProcessOptions options;
    options.timeout = timeout;
    options.stdin_data = summary.dump() + "\n";
    options.env = {{"MILEX_RUN", fmt::format("{}@{}.{}", summary.value("bundle", std::string()),
                                             summary.value("machine", std::string()), summary.value("submission", 0))},
                   {"MILEX_RUN_RESULT", summary.value("all_completed", false) ? "completed" : "failed"}};
    const auto result = util::run_process({"/bin/sh", "-c", machine.notify_command}, options);
    const std::string what = fmt::format("the notify_command of machine \"{}\"", machine.name);
    if (!result) return fmt::format("{} could not start: {}", what, result.error());
    if (result->succeeded()) return std::nullopt;
    std::string said = util::last_line(result->err);
    return fmt::format("{} {}{}; check it with `milex status --json RUN | sh -c '<command>'`", what,
                       result->describe_end(timeout), said.empty() ? "" : ": " + util::excerpt(said, 120));
}

} // namespace milex::observe
