#include "milex/web/api.hpp"

#include <fmt/format.h>

#include "milex/observe/runs.hpp"
#include "milex/observe/status.hpp"
#include "milex/observe/status_json.hpp"
#include "milex/store/bundle_store.hpp"

namespace milex::web {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

std::string bundle_name(const std::string& stem) {
    auto file = store::parse_bundle_file_name(stem + ".json");
    return file ? file->name : stem;
}

ordered_json summary(const store::StoredRun& run) {
    const auto jobs = observe::recorded(run.record);
    ordered_json counts = ordered_json::object();
    for (const auto& job : jobs) {
        const std::string state = scheduler::state_name(job.state.state);
        counts[state] = counts.value(state, 0) + 1;
    }
    return {{"id", run_id(run.path)},
            {"bundle", run.record.bundle},
            {"name", bundle_name(run.record.bundle)},
            {"machine", run.record.machine},
            {"submission", run.record.submission},
            {"created", run.record.created},
            {"jobs", jobs.size()},
            {"counts", counts},
            {"live", !observe::all_ended(jobs)},
            {"applications", run.record.applications}};
}

} // namespace

std::string run_id(const fs::path& record) { return record.stem().string(); }

std::string record_stamp(const fs::path& record) {
    std::error_code ec;
    auto a = fs::last_write_time(record, ec).time_since_epoch().count();
    std::error_code journal_ec;
    auto b = fs::last_write_time(store::RunStore::journal_of(record), journal_ec).time_since_epoch().count();
    return fmt::format("{}/{}", a, journal_ec ? 0 : b);
}

Api::Api(const model::Config& config) : m_config(config), m_runs(observe::run_store(config)) {}

ordered_json Api::runs() {
    ordered_json out = ordered_json::array();
    std::lock_guard lock(m_mutex);
    std::map<std::string, Summary> seen;
    for (const auto& file : m_runs.files()) {
        const std::string key = file.path.string();
        const std::string now = record_stamp(file.path);
        auto it = m_summaries.find(key);
        if (it == m_summaries.end() || it->second.stamp != now) {
            try {
                it = m_summaries.insert_or_assign(key, Summary{now, summary(m_runs.load(file.path))}).first;
            } catch (const Error& e) {
                ordered_json broken = {{"id", run_id(file.path)}, {"bundle", file.bundle}, {"machine", file.machine},
                                       {"submission", file.submission}, {"error", e.what()}};
                it = m_summaries.insert_or_assign(key, Summary{now, broken}).first;
            }
        }
        seen.insert(*it);
        out.push_back(it->second.json);
    }
    m_summaries = std::move(seen);
    return out;
}

store::StoredRun Api::load(const std::string& id) const {
    // Only names the store itself lists: an id is never used as a path.
    for (const auto& file : m_runs.files())
        if (run_id(file.path) == id) return m_runs.load(file.path);
    throw NotFound(fmt::format("no run \"{}\"", id));
}

ordered_json Api::run(const std::string& id) const {
    const store::StoredRun run = load(id);
    const auto jobs = observe::recorded(run.record);
    ordered_json out = observe::run_json(run, jobs);
    out["id"] = id;
    out["name"] = bundle_name(run.record.bundle);
    out["created"] = run.record.created;
    out["bundle_file"] = run.record.bundle_file;
    out["milex_version"] = run.record.milex_version;
    out["machine_settings"] = run.record.machine_settings;
    out["applications"] = run.record.applications;
    out["live"] = !observe::all_ended(jobs);

    std::optional<model::Bundle> bundle;
    try {
        bundle = store::read_bundle(run.record.bundle_file);
    } catch (const Error& e) {
        out["bundle_error"] = e.what();
    }
    std::map<std::string, std::string> name_of_id;
    for (const auto& job : run.record.jobs) name_of_id[job.job_id] = job.name;
    for (auto& j : out["jobs"]) {
        const std::string name = j["name"].get<std::string>();
        const model::JobRun* job = run.record.find(name);
        ordered_json after = ordered_json::array();
        if (bundle && bundle->find(name)) {
            for (const auto& dep : bundle->find(name)->dependencies) after.push_back(dep);
        } else if (job) {
            for (const auto& id_after : job->after)
                after.push_back(name_of_id.count(id_after) ? name_of_id[id_after] : id_after);
        }
        j["after"] = after;
        if (job) {
            j["submitted"] = job->submitted;
            j["script"] = job->script;
            if (!job->array.empty()) j["array"] = job->array;
        }
    }
    return out;
}

ordered_json Api::projects() {
    const ordered_json all = runs();
    std::map<std::string, ordered_json> by_script;
    for (const auto& run : all) {
        if (!run.contains("applications")) continue;
        for (const auto& [script, git] : run["applications"].items()) {
            auto& p = by_script[script];
            if (p.is_null()) {
                p = {{"script", script}, {"git", git}, {"bundles", ordered_json::array()}, {"runs", 0},
                     {"jobs_completed", 0}, {"jobs_ended", 0}};
            }
            p["runs"] = p["runs"].get<int>() + 1;
            const std::string name = run["name"].get<std::string>();
            if (std::find(p["bundles"].begin(), p["bundles"].end(), name) == p["bundles"].end())
                p["bundles"].push_back(name);
            int completed = 0, ended = 0;
            for (const auto& [state, n] : run["counts"].items()) {
                const auto s = scheduler::state_from_name(state);
                if (scheduler::is_final(s)) ended += n.get<int>();
                if (s == scheduler::State::completed) completed += n.get<int>();
            }
            p["jobs_completed"] = p["jobs_completed"].get<int>() + completed;
            p["jobs_ended"] = p["jobs_ended"].get<int>() + ended;
        }
    }
    ordered_json out = ordered_json::array();
    for (auto& [script, p] : by_script) {
        const int ended = p["jobs_ended"].get<int>();
        p["success_rate"] = ended ? static_cast<double>(p["jobs_completed"].get<int>()) / ended : 0.0;
        out.push_back(p);
    }
    return out;
}

} // namespace milex::web
