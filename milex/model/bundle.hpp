#pragma once
/// A bundle: jobs keyed by name, in file order, as one JSON file under `<local path>/jobs/`.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/model/job.hpp"

namespace milex::model {

struct Bundle {
    std::vector<Job> jobs;

    const Job* find(const std::string& name) const;
    std::vector<std::string> names() const;
    nlohmann::ordered_json to_json() const;
    /// The file content: 4-space indented like the Python milex, with a final newline.
    std::string dump() const;
};

/// Reads a bundle written by milex or the Python milex (`"pre-commands"`, null slurm values,
/// a trailing `"id"`). Every problem in the file is thrown together as one Error, each line
/// naming `source` and the job. Dependencies are checked later, by graph/.
Bundle parse_bundle(const std::string& text, const std::string& source);

/// parse_bundle that collects instead of throwing, for a caller that adds problems of its own
/// (the dependency order) and reports them all in one go: `bundle` holds every job as far as it
/// could be read (a job that is not even an object keeps its name, so that a dependency on it is
/// not called unknown) and must not be used unless `problems` is empty. Text that is not JSON
/// still throws: nothing else can be said about it.
struct BundleReading {
    Bundle bundle;
    std::vector<std::string> problems;
};
BundleReading read_bundle_text(const std::string& text, const std::string& source);

} // namespace milex::model
