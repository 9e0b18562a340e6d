#include "milex/model/run.hpp"

#include <fmt/format.h>

#include "milex/util/error.hpp"

namespace milex::model {

using nlohmann::ordered_json;

const JobRun* RunRecord::find(const std::string& job) const {
    for (const auto& j : jobs)
        if (j.name == job) return &j;
    return nullptr;
}

ordered_json RunRecord::to_json() const {
    ordered_json j = ordered_json::object();
    j["bundle"] = bundle;
    j["bundle_file"] = bundle_file;
    j["bundle_sha256"] = bundle_sha256;
    j["machine"] = machine;
    j["submission"] = submission;
    j["created"] = created;
    j["milex_version"] = milex_version;
    j["machine_settings"] = machine_settings;
    j["applications"] = applications;
    j["job_count"] = job_count;
    if (!images.empty()) j["images"] = images;
    ordered_json list = ordered_json::array();
    for (const auto& run : jobs) {
        ordered_json r = ordered_json::object();
        r["name"] = run.name;
        r["job_id"] = run.job_id;
        if (!run.cluster.empty()) r["cluster"] = run.cluster;
        r["submitted"] = run.submitted;
        r["script"] = run.script;
        r["script_sha256"] = run.script_sha256;
        r["job_sha256"] = run.job_sha256;
        r["after"] = run.after;
        ordered_json states = ordered_json::array();
        for (const auto& s : run.states) states.push_back({{"state", s.state}, {"time", s.time}});
        r["states"] = states;
        list.push_back(r);
    }
    j["jobs"] = list;
    return j;
}

RunRecord run_from_json(const ordered_json& j, const std::string& source) {
    try {
        RunRecord r;
        r.bundle = j.at("bundle").get<std::string>();
        r.bundle_file = j.value("bundle_file", "");
        r.bundle_sha256 = j.value("bundle_sha256", "");
        r.machine = j.at("machine").get<std::string>();
        r.submission = j.value("submission", 1);
        r.created = j.value("created", "");
        r.milex_version = j.value("milex_version", "");
        r.machine_settings = j.value("machine_settings", ordered_json::object());
        r.applications = j.value("applications", ordered_json::object());
        r.job_count = j.value("job_count", size_t{0});
        r.images = j.value("images", ordered_json::array());
        for (const auto& item : j.at("jobs")) {
            JobRun run;
            run.name = item.at("name").get<std::string>();
            run.job_id = item.at("job_id").get<std::string>();
            run.cluster = item.value("cluster", "");
            run.submitted = item.value("submitted", "");
            run.script = item.value("script", "");
            run.script_sha256 = item.value("script_sha256", "");
            run.job_sha256 = item.value("job_sha256", "");
            run.after = item.value("after", std::vector<std::string>{});
            for (const auto& s : item.value("states", ordered_json::array()))
                run.states.push_back({s.value("state", ""), s.value("time", "")});
            r.jobs.push_back(std::move(run));
        }
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("{}: not a milex run record ({}); move it aside", source, e.what()));
    }
}

} // namespace milex::model
