#pragma once
/// The record of one submission of a bundle to a machine: what was sent, as what SLURM id,
/// when. Written after every single sbatch, so that it is exact even after a crash.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace milex::model {

/// A state the job was seen in, and when. Final states also keep how the job ended, so that
/// `milex status` never asks about it again.
struct StateChange {
    std::string state;  ///< SUBMITTED, then what the scheduler reports (PENDING, RUNNING, COMPLETED, …)
    std::string time;   ///< ISO 8601 UTC
    std::string exit_code;
    std::string elapsed;
    std::string node;
    std::string reason;
};

/// One sbatch of an array submitted in several (the site's MaxArraySize caps the largest
/// index, so a large sweep goes as arrays of indices 0…M-1, each task adding its part's offset).
struct RunPart {
    std::string job_id;
    size_t offset = 0;
    std::string array;  ///< the part's own --array spec (0-10%2)
    std::string tag;
};

/// An earlier run of a job under the same scheduler id: the scheduler queued it again itself
/// (preempted, its node failed, or it asked to be after its signal before the time limit).
struct Requeue {
    int attempt = 1;  ///< which attempt it was (MILEX_ATTEMPT)
    std::string job_id;
    std::string state;  ///< how it ended: PREEMPTED, NODE_FAIL, REQUEUED, …
    std::string start;
    std::string end;
    std::string reason;
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
    int attempt = 1;                 ///< 2, 3, … for milex resubmit
    /// The mark given to the scheduler with the job (`milex:<run token>:<job>:<attempt>`); an
    /// entry with a tag and no job_id is a submission that was under way when milex stopped.
    std::string tag;
    std::string array;               ///< the --array spec it was submitted with, if any
    std::string time_limit;          ///< the --time it was submitted with, if any
    /// The scheduler may queue it again under its id (requeue, retries): its earlier runs are
    /// in `requeues`, and its submit time moves with each.
    bool requeue = false;
    int retries = 0;                 ///< the retries on the cluster it was submitted with
    std::vector<Requeue> requeues;
    std::vector<StateChange> states;
    /// For an array whose every task ended: how each did ("3" → …).
    std::map<std::string, StateChange> tasks;
    /// When submitted in parts: each part (job_id is then the first part's).
    std::vector<RunPart> parts;
    /// The code snapshot this job ran, when it had one: {id, commit, branch, remote, dirty,
    /// diff_sha256, path (on the machine)}.
    nlohmann::ordered_json snapshot;

    /// Every SLURM id of this job: its parts', or its own.
    std::vector<std::string> ids() const;
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
    std::string token;     ///< random, unique to this run; part of every job's tag
    /// Container images prepared on the machine: {image, id, sif, conversion_job} each, so
    /// that a resumed run waits for the conversion already submitted instead of another.
    nlohmann::ordered_json images = nlohmann::ordered_json::array();
    std::vector<JobRun> jobs;
    /// When `milex stop` last stopped jobs of this run (ISO 8601 UTC); empty when not stopped or
    /// once `milex resume` went on with it. milex-run does not go on with a stopped run.
    std::string stopped;

    /// The latest attempt of `job`, or nullptr.
    const JobRun* find(const std::string& job) const;
    JobRun* find(const std::string& job);
    /// The latest attempt of each job, in the order they were first submitted.
    std::vector<JobRun*> latest();
    /// Every job of the bundle has been submitted at least once.
    bool complete() const;
    nlohmann::ordered_json to_json() const;
};

/// One job's entry as JSON, and back (json exceptions propagate).
nlohmann::ordered_json job_run_json(const JobRun& run);
JobRun job_run_from_json(const nlohmann::ordered_json& item);

/// Reads a record; the error names `source`.
RunRecord run_from_json(const nlohmann::ordered_json& j, const std::string& source);

} // namespace milex::model
