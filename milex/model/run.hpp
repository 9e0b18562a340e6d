#pragma once
/// The record of one submission of a bundle to a machine: what was sent, as what SLURM id,
/// when. Written after every single sbatch, so that it is exact even after a crash.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace milex::model {

struct StateChange {
    std::string state;  ///< SUBMITTED, then what the scheduler reports
    std::string time;   ///< ISO 8601 UTC
};

struct JobRun {
    std::string name;
    std::string job_id;   ///< the scheduler's id, e.g. "1234" (or "1234_[0-3]" for arrays: the base id)
    std::string cluster;  ///< from `sbatch --parsable` when the site has several clusters
    std::string submitted;
    std::string script;         ///< path of the rendered script on the machine
    std::string script_sha256;  ///< of the rendered script
    std::string job_sha256;     ///< of the job's definition in the bundle, to notice edits on resume
    std::vector<std::string> after;  ///< ids this job waits for (afterok)
    std::vector<StateChange> states;
};

struct RunRecord {
    std::string bundle;  ///< bundle stem, e.g. diamond_20261122023840
    std::string bundle_file;
    std::string bundle_sha256;
    std::string machine;
    nlohmann::ordered_json machine_settings;
    int submission = 1;
    std::string milex_version;
    std::string created;
    nlohmann::ordered_json applications = nlohmann::ordered_json::object();  ///< script → {path, git_commit}
    size_t job_count = 0;  ///< jobs in the bundle; the run is complete when all are submitted
    /// Container images prepared on the machine: {image, id, sif, conversion_job} each, so
    /// that a resumed run waits for the conversion already submitted instead of another.
    nlohmann::ordered_json images = nlohmann::ordered_json::array();
    std::vector<JobRun> jobs;

    const JobRun* find(const std::string& job) const;
    bool complete() const { return jobs.size() >= job_count; }
    nlohmann::ordered_json to_json() const;
};

/// Reads a record; the error names `source`.
RunRecord run_from_json(const nlohmann::ordered_json& j, const std::string& source);

} // namespace milex::model
