#pragma once
/// The dashboard's JSON, built from the run records and bundles on disk (which the machine
/// pollers keep current); nothing here asks a scheduler. The HTTP layer (dashboard.cpp) only
/// routes to these.
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "milex/model/machine.hpp"
#include "milex/store/run_store.hpp"
#include "milex/util/error.hpp"

namespace milex::web {

/// An unknown run, job or machine: the API answers 404 with its message.
class NotFound : public Error {
public:
    explicit NotFound(std::string message) : Error(std::move(message)) {}
};

/// A run's id in URLs: its record's file stem, `<bundle stem>@<machine>.<submission>`.
std::string run_id(const std::filesystem::path& record);

/// The modification times of a record and its journal: what changed since the last look.
std::string record_stamp(const std::filesystem::path& record);

class Api {
public:
    explicit Api(const model::Config& config);

    /// Every run, newest first: {id, bundle, name, machine, submission, created, jobs, counts:
    /// {STATE: n}, live, applications}. Each record is read again only when its file changed.
    nlohmann::ordered_json runs();

    /// One run: what `milex status --json` says (from the record) plus each job's dependencies
    /// (by name), script, submit time and array; the machine settings, the applications' git
    /// metadata, the bundle file.
    nlohmann::ordered_json run(const std::string& id) const;

    /// The record of run `id`; NotFound when there is none.
    store::StoredRun load(const std::string& id) const;

    /// The applications of every run: {script, git: {...} of the newest run, bundles: [...],
    /// runs, jobs_completed, jobs_ended, success_rate}.
    nlohmann::ordered_json projects();

    const store::RunStore& store() const { return m_runs; }

private:
    struct Summary {
        std::string stamp;
        nlohmann::ordered_json json;
    };
    model::Config m_config;
    store::RunStore m_runs;
    std::mutex m_mutex;
    std::map<std::string, Summary> m_summaries;  ///< by record path
};

} // namespace milex::web
