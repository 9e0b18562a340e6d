#pragma once
/// A job's resource request: the `slurm` section of a bundle job and the `sbatch` defaults of a
/// machine. Keys are spelled as the Python milex spells them (`cpus_per_task`); each becomes one
/// `#SBATCH --cpus-per-task=…` line.
#include <optional>
#include <string>
#include <vector>

namespace milex::model {

struct SlurmOption {
    std::string key;
    std::string value;
    bool operator==(const SlurmOption&) const = default;
};

/// In the order they were written; a key appears at most once.
using SlurmOptions = std::vector<SlurmOption>;

/// Whether the options are a job's (a bundle stays user-agnostic: no account) or a machine's.
enum class OptionOwner { job, machine };

/// Every key accepted for `owner`, for validation and "did you mean".
const std::vector<std::string>& known_slurm_keys(OptionOwner owner);

/// Checks one value; returns what is wrong with it and how to write it, or nullopt when fine.
/// The message reads after the key, e.g. `"1h" is not a SLURM time; use minutes, …`.
std::optional<std::string> check_slurm_value(const std::string& key, const std::string& value);

/// The sbatch long option for a key: `cpus_per_task` → `--cpus-per-task`, `tasks` → `--ntasks`.
std::string sbatch_option(const std::string& key);

/// The value for `key`, if set.
const std::string* find_option(const SlurmOptions& options, const std::string& key);
/// Never on a temporary: the pointer would outlive the options it points into.
const std::string* find_option(SlurmOptions&& options, const std::string& key) = delete;

/// Sets (or replaces, keeping its place) `key`.
void set_option(SlurmOptions& options, const std::string& key, const std::string& value);

/// `base` overlaid by `over`: the machine's defaults, then the job's own request.
SlurmOptions merged(const SlurmOptions& base, const SlurmOptions& over);

// The grammars of the request's values, one each: check_slurm_value validates with them, and
// the schedulers read values through them.

/// The indices an array spec names: "0-3" → 0 1 2 3, "1,5-9:2%3" → 1 5 7 9. At most `limit`.
std::vector<std::string> array_indices(const std::string& spec, size_t limit = 1000000);

/// Indices as an array spec, ranges folded: 0 1 2 3 7 9 10 → "0-3,7,9-10".
std::string fold_indices(const std::vector<size_t>& sorted_indices);

/// A `signal` value, SLURM's form [B:|R:]SIGNAL[@SECONDS]: the signal's name without SIG
/// ("USR1"; numbers are read as their names), how long before the time limit it comes (60 when
/// not given, as SLURM does), and the prefix as written ("", "B", "R"). nullopt when it is not one.
struct SignalSpec {
    std::string prefix;
    std::string name;
    long long seconds = 60;
};
std::optional<SignalSpec> parse_signal(const std::string& value);

/// A SLURM time limit ("90", "1:30:00", "2-12") in seconds; 0 when there is none (UNLIMITED).
long long time_limit_seconds(const std::string& limit);

} // namespace milex::model
