#include "milex/model/run.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <set>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/text.hpp"
#include "milex/version.hpp"

namespace milex::model {

using nlohmann::ordered_json;

namespace {
/// The layout of the record file; a milex that changes it incompatibly counts it up, so that an
/// older milex refuses the record instead of misreading it.
constexpr int k_record_format = 1;

/// The whole number at `key` (`fallback` when absent) as T. Anything else is refused with
/// std::out_of_range: nlohmann's own conversion of 1e300 (or -1) to an int or size_t is undefined
/// behaviour or a wrap-around.
template <class T>
T whole(const ordered_json& object, const char* key, T fallback) {
    if (!object.contains(key)) return fallback;
    const ordered_json& value = object.at(key);
    if (value.is_number_unsigned() && value.get<unsigned long long>() <= static_cast<unsigned long long>(std::numeric_limits<T>::max()))
        return static_cast<T>(value.get<unsigned long long>());
    if (value.is_number_integer() && value.get<long long>() >= 0 &&
        static_cast<unsigned long long>(value.get<long long>()) <= static_cast<unsigned long long>(std::numeric_limits<T>::max()))
        return static_cast<T>(value.get<long long>());
    throw std::out_of_range(fmt::format("\"{}\" must be a whole number from 0 to {}", key, std::numeric_limits<T>::max()));
}
} // namespace

std::vector<std::string> JobRun::ids() const {
    if (parts.empty()) return job_id.empty() ? std::vector<std::string>{} : std::vector<std::string>{job_id};
    std::vector<std::string> out;
    for (const auto& part : parts)
        if (!part.job_id.empty()) out.push_back(part.job_id);
    return out;
}

const JobRun* RunRecord::find(const std::string& job) const {
    for (auto it = jobs.rbegin(); it != jobs.rend(); ++it)
        if (it->name == job) return &*it;
    return nullptr;
}

JobRun* RunRecord::find(const std::string& job) {
    return const_cast<JobRun*>(static_cast<const RunRecord*>(this)->find(job));
}

std::vector<JobRun*> RunRecord::latest() {
    // One pass: the last entry of each name, in the order names first appear.
    std::unordered_map<std::string, size_t> last;
    std::vector<std::string> order;
    for (size_t i = 0; i < jobs.size(); ++i) {
        if (!last.count(jobs[i].name)) order.push_back(jobs[i].name);
        last[jobs[i].name] = i;
    }
    std::vector<JobRun*> out;
    out.reserve(order.size());
    for (const auto& name : order) out.push_back(&jobs[last[name]]);
    return out;
}

bool RunRecord::complete() const {
    std::set<std::string> names;
    for (const auto& run : jobs)
        if (!run.job_id.empty()) names.insert(run.name);
    return names.size() >= job_count;
}

namespace {

ordered_json change_json(const StateChange& s) {
    ordered_json j = {{"state", s.state}, {"time", s.time}};
    if (!s.exit_code.empty()) j["exit_code"] = s.exit_code;
    if (!s.elapsed.empty()) j["elapsed"] = s.elapsed;
    if (!s.node.empty()) j["node"] = s.node;
    if (!s.reason.empty()) j["reason"] = s.reason;
    return j;
}

StateChange change_from(const ordered_json& j) {
    return {j.value("state", ""),   j.value("time", ""), j.value("exit_code", ""),
            j.value("elapsed", ""), j.value("node", ""), j.value("reason", "")};
}

} // namespace

ordered_json job_run_json(const JobRun& run) {
    ordered_json r = ordered_json::object();
    r["name"] = run.name;
    r["job_id"] = run.job_id;
    if (!run.cluster.empty()) r["cluster"] = run.cluster;
    r["submitted"] = run.submitted;
    r["script"] = run.script;
    r["script_sha256"] = run.script_sha256;
    r["job_sha256"] = run.job_sha256;
    r["after"] = run.after;
    if (run.attempt != 1) r["attempt"] = run.attempt;
    if (!run.tag.empty()) r["tag"] = run.tag;
    if (!run.array.empty()) r["array"] = run.array;
    if (!run.time_limit.empty()) r["time_limit"] = run.time_limit;
    if (run.requeue) r["requeue"] = true;
    if (run.retries > 0) r["retries"] = run.retries;
    if (!run.requeues.empty()) {
        ordered_json list = ordered_json::array();
        for (const auto& q : run.requeues)
            list.push_back({{"attempt", q.attempt}, {"job_id", q.job_id}, {"state", q.state}, {"start", q.start},
                            {"end", q.end}, {"reason", q.reason}});
        r["requeues"] = list;
    }
    ordered_json states = ordered_json::array();
    for (const auto& s : run.states) states.push_back(change_json(s));
    r["states"] = std::move(states);
    if (!run.parts.empty()) {
        ordered_json parts = ordered_json::array();
        for (const auto& part : run.parts)
            parts.push_back({{"job_id", part.job_id}, {"offset", part.offset}, {"array", part.array}, {"tag", part.tag}});
        r["parts"] = std::move(parts);
    }
    if (!run.tasks.empty()) {
        ordered_json tasks = ordered_json::object();
        for (const auto& [task, s] : run.tasks) tasks[task] = change_json(s);
        r["tasks"] = std::move(tasks);
    }
    if (!run.snapshot.is_null()) r["snapshot"] = run.snapshot;
    return r;
}

ordered_json RunRecord::to_json() const {
    ordered_json j = ordered_json::object();
    j["bundle"] = bundle;
    j["bundle_file"] = bundle_file;
    j["bundle_sha256"] = bundle_sha256;
    j["machine"] = machine;
    j["submission"] = submission;
    j["format"] = k_record_format;
    j["created"] = created;
    j["milex_version"] = milex_version;
    j["machine_settings"] = machine_settings;
    j["applications"] = applications;
    j["job_count"] = job_count;
    if (!token.empty()) j["token"] = token;
    if (!images.empty()) j["images"] = images;
    if (!stopped.empty()) j["stopped"] = stopped;
    ordered_json list = ordered_json::array();
    list.get_ref<ordered_json::array_t&>().reserve(jobs.size());
    for (const auto& run : jobs) list.push_back(job_run_json(run));
    j["jobs"] = std::move(list);
    return j;
}

JobRun job_run_from_json(const ordered_json& item) {
    JobRun run;
    run.name = item.at("name").get<std::string>();
    run.job_id = item.at("job_id").get<std::string>();
    run.cluster = item.value("cluster", "");
    run.submitted = item.value("submitted", "");
    run.script = item.value("script", "");
    run.script_sha256 = item.value("script_sha256", "");
    run.job_sha256 = item.value("job_sha256", "");
    run.after = item.value("after", std::vector<std::string>{});
    run.attempt = whole(item, "attempt", 1);
    run.tag = item.value("tag", "");
    run.array = item.value("array", "");
    run.time_limit = item.value("time_limit", "");
    run.requeue = item.value("requeue", false);
    run.retries = whole(item, "retries", 0);
    const ordered_json requeues = item.value("requeues", ordered_json::array());
    for (const auto& q : requeues)
        run.requeues.push_back({whole(q, "attempt", 1), q.value("job_id", ""), q.value("state", ""),
                                q.value("start", ""), q.value("end", ""), q.value("reason", "")});
    const ordered_json states = item.value("states", ordered_json::array());
    for (const auto& s : states) run.states.push_back(change_from(s));
    const ordered_json parts = item.value("parts", ordered_json::array());
    for (const auto& part : parts)
        run.parts.push_back({part.value("job_id", ""), whole(part, "offset", size_t{0}), part.value("array", ""),
                             part.value("tag", "")});
    const ordered_json tasks = item.value("tasks", ordered_json::object());
    for (const auto& [task, s] : tasks.items()) run.tasks[task] = change_from(s);
    if (item.contains("snapshot") && item["snapshot"].is_object()) run.snapshot = item["snapshot"];
    return run;
}

RunRecord run_from_json(const ordered_json& j, const std::string& source) {
    try {
        if (j.is_object() && j.contains("format") && !(j["format"].is_number_integer() && j["format"].get<long long>() <= k_record_format))
            throw Error(fmt::format("{}: written by milex {} in record format {}, newer than this milex {} reads ({}); "
                                    "use that milex or a newer one for this run",
                                    source, j.value("milex_version", "?"), util::excerpt(j["format"].dump()),
                                    version(), k_record_format));
        RunRecord r;
        r.bundle = j.at("bundle").get<std::string>();
        r.bundle_file = j.value("bundle_file", "");
        r.bundle_sha256 = j.value("bundle_sha256", "");
        r.machine = j.at("machine").get<std::string>();
        r.submission = whole(j, "submission", 1);
        r.created = j.value("created", "");
        r.milex_version = j.value("milex_version", "");
        r.machine_settings = j.value("machine_settings", ordered_json::object());
        r.applications = j.value("applications", ordered_json::object());
        r.job_count = whole(j, "job_count", size_t{0});
        r.token = j.value("token", "");
        r.images = j.value("images", ordered_json::array());
        r.stopped = j.value("stopped", "");
        for (const auto& item : j.at("jobs")) r.jobs.push_back(job_run_from_json(item));
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("{}: not a milex run record ({}); move it aside", source, e.what()));
    } catch (const std::out_of_range& e) {
        throw Error(fmt::format("{}: not a milex run record ({}); move it aside", source, e.what()));
    }
}

} // namespace milex::model
