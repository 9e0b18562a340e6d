#include "milex/submit/snapshots.hpp"

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "milex/introspect/snapshot.hpp"
#include "milex/util/error.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/text.hpp"

namespace milex::submit {

namespace {
constexpr std::chrono::seconds k_snapshot_check_timeout{60};
}

const SnapshotShipment* SnapshotPlan::of(const std::string& id) const {
    for (const auto& s : snapshots)
        if (s.id == id) return &s;
    return nullptr;
}

SnapshotPlan plan_snapshots(const model::Bundle& bundle, const model::Machine& machine,
                            const std::string& local_code_dir, transport::Transport* transport) {
    SnapshotPlan plan;
    std::vector<std::string> problems;
    std::set<std::string> seen;
    for (const auto& job : bundle.jobs) {
        if (!job.snapshot) continue;
        const std::string id = job.snapshot->id();
        if (!seen.insert(id).second) continue;
        SnapshotShipment s;
        s.id = id;
        s.archive = local_code_dir + "/" + id + ".tar";
        s.directory = machine.path + "/code/" + id;
        std::error_code ec;
        if (!std::filesystem::exists(s.archive, ec)) {
            problems.push_back(fmt::format("job \"{}\": its code snapshot {} is not in {} (milex-schedule --snapshot "
                                           "keeps it on the computer that scheduled the job); schedule the job again "
                                           "here with --snapshot",
                                           job.name, id, local_code_dir));
            continue;
        }
        s.details = {{"id", id}};
        const nlohmann::ordered_json known = introspect::snapshot_details(local_code_dir, id);
        for (const auto& [key, value] : known.items()) s.details[key] = value;
        s.details["commit"] = job.snapshot->commit;
        s.details["dirty"] = job.snapshot->dirty;
        if (job.snapshot->dirty) s.details["diff_sha256"] = job.snapshot->diff_sha256;
        s.details["path"] = s.directory;
        s.ship = true;
        plan.snapshots.push_back(std::move(s));
    }
    if (!problems.empty()) throw Error(problems);
    if (!transport || plan.snapshots.empty()) return plan;
    // Which are there already, in one call: a directory appears only whole (unpack_archive).
    std::string script = "MILEX=" + util::shell_quote(machine.path) + "; export MILEX\n";
    for (size_t i = 0; i < plan.snapshots.size(); ++i)
        script += fmt::format("[ -d {} ] && printf '%s\\n' {}\n",
                              util::shell_path_word(plan.snapshots[i].directory, "MILEX"), i);
    script += "exit 0\n";
    auto result = transport->run({"sh", "-c", script}, k_snapshot_check_timeout);
    if (!result.succeeded())
        throw Error(fmt::format("cannot check the code snapshots on machine \"{}\": sh {}: {}", machine.name,
                                result.describe_end(k_snapshot_check_timeout), util::last_line(result.err)));
    for (const auto& line : util::split(result.out, '\n')) {
        if (line.empty()) continue;
        plan.snapshots.at(std::stoul(line)).ship = false;
    }
    return plan;
}

void ship_snapshots(const SnapshotPlan& plan, const model::Machine& machine, transport::Transport& transport,
                    const std::function<void(const std::string&)>& step) {
    for (const auto& s : plan.snapshots) {
        if (!s.ship) continue;
        if (step) step(fmt::format("code snapshot {}: copying it to {}", s.id, s.directory));
        try {
            transport.unpack_archive(s.archive, transport.resolve_path(machine.path) + "/code/" + s.id);
        } catch (const transport::ConnectionLost&) {
            throw;
        } catch (const Error& e) {
            throw Error(fmt::format("machine \"{}\": code snapshot {}: {}", machine.name, s.id, e.what()));
        }
    }
}

std::string snapshot_summary(const nlohmann::ordered_json& details) {
    std::vector<std::string> about;
    if (!details.value("branch", "").empty()) about.push_back("branch " + details.value("branch", ""));
    if (!details.value("remote", "").empty()) about.push_back(details.value("remote", ""));
    std::string text = "commit " + details.value("commit", "?");
    if (!about.empty()) text += " (" + util::join(about, ", ") + ")";
    text += details.value("dirty", false)
                ? fmt::format(", with uncommitted changes (diff sha256 {})", details.value("diff_sha256", "?"))
                : ", clean";
    return text;
}

} // namespace milex::submit
