#include "milex/scheduler/slurm_parse.hpp"

#include <charconv>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "milex/util/text.hpp"

namespace milex::scheduler::slurm {

namespace {

std::vector<std::string> fields(const std::string& line, size_t count) {
    auto parts = util::split(line, '|');
    if (parts.size() < count) parts.resize(count);
    return parts;
}

bool digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A run of digits as a number of type T; nullopt when it is not one or does not fit.
template <class T>
std::optional<T> number_of(const std::string& s) {
    T value{};
    if (!digits(s)) return std::nullopt;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

/// A count of CPUs or GPUs on one node; 0 when it is not one (or past any real node's, so that
/// sums over a partition cannot overflow).
int count_of(const std::string& s) {
    const auto n = number_of<int>(s);
    return n && *n <= 1000000 ? *n : 0;
}

/// "123", "123_4", "123_[4-9%2]" → ("123", "4" or "4-9%2").
std::pair<std::string, std::string> split_id(const std::string& id) {
    const auto underscore = id.find('_');
    if (underscore == std::string::npos) return {id, ""};
    std::string tasks = id.substr(underscore + 1);
    if (!tasks.empty() && tasks.front() == '[') tasks = tasks.substr(1, tasks.size() - 2);
    return {id.substr(0, underscore), tasks};
}

std::string exit_text(const std::string& sacct_exit) {
    // sacct prints status:signal.
    const auto colon = sacct_exit.find(':');
    if (colon == std::string::npos) return sacct_exit;
    const std::string signal = sacct_exit.substr(colon + 1);
    if (signal != "0" && !signal.empty()) return "signal " + signal;
    return sacct_exit.substr(0, colon);
}

std::string clean(const std::string& value) {
    if (value == "None" || value == "None assigned" || value == "N/A" || value == "(null)" || value == "Unknown")
        return "";
    return value;
}

} // namespace

std::string queue_format() { return "%i|%F|%K|%j|%T|%r|%M|%N|%V"; }

State state_of(const std::string& slurm_state) {
    const std::string s = slurm_state.substr(0, slurm_state.find(' '));  // "CANCELLED by 0"
    if (s == "PENDING" || s == "CONFIGURING" || s == "REQUEUED" || s == "REQUEUE_HOLD" || s == "RESV_DEL_HOLD" ||
        s == "REQUEUE_FED")
        return State::pending;
    if (s == "RUNNING" || s == "COMPLETING" || s == "SUSPENDED" || s == "STOPPED" || s == "SIGNALING" ||
        s == "STAGE_OUT" || s == "RESIZING")
        return State::running;
    if (s == "COMPLETED") return State::completed;
    if (s == "FAILED" || s == "BOOT_FAIL" || s == "SPECIAL_EXIT") return State::failed;
    if (s == "TIMEOUT" || s == "DEADLINE") return State::timeout;
    if (s == "CANCELLED" || s == "REVOKED") return State::cancelled;
    if (s == "OUT_OF_MEMORY") return State::out_of_memory;
    if (s == "NODE_FAIL") return State::node_fail;
    if (s == "PREEMPTED") return State::preempted;
    return State::unknown;
}

std::vector<QueueRow> parse_queue(const std::string& text) {
    std::vector<QueueRow> rows;
    for (const auto& line : util::split(text, '\n')) {
        if (util::trim(line).empty()) continue;
        auto f = fields(std::string(util::trim(line)), 9);
        QueueRow row;
        row.job_id = f[1].empty() ? split_id(f[0]).first : f[1];
        row.tasks = f[2] == "N/A" ? "" : f[2];
        row.name = f[3];
        row.state.state = state_of(f[4]);
        row.state.reason = clean(f[5]);
        if (row.state.state == State::pending && row.state.reason == "DependencyNeverSatisfied")
            row.state.state = State::never_ran;
        row.state.elapsed = f[6];
        row.state.node = clean(f[7]);
        row.submitted = f[8];
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string accounting_fields() { return "JobID,JobName,State,ExitCode,Elapsed,NodeList,Submit,Start,End,Reason"; }

std::vector<AccountingRow> parse_accounting(const std::string& text) {
    std::vector<AccountingRow> rows;
    for (const auto& line : util::split(text, '\n')) {
        if (util::trim(line).empty()) continue;
        auto f = fields(std::string(util::trim(line)), 10);
        AccountingRow row;
        std::tie(row.job_id, row.tasks) = split_id(f[0]);
        row.name = f[1];
        row.state.state = state_of(f[2]);
        row.state.exit_code = exit_text(f[3]);
        row.state.elapsed = f[4];
        row.state.node = clean(f[5]);
        row.submitted = f[6];
        row.state.start = clean(f[7]);
        row.state.end = clean(f[8]);
        row.state.reason = clean(f[9]);
        // Cancelled before it started because a dependency failed (kill_invalid_depend).
        if (row.state.state == State::cancelled && row.state.start.empty() &&
            row.state.reason == "DependencyNeverSatisfied")
            row.state.state = State::never_ran;
        // sacct keeps the last pending reason ("Dependency") after the job ran: noise by then;
        // and the exit code of a job stopped by SLURM says nothing more than its state.
        if (is_final(row.state.state) && row.state.state != State::never_ran) row.state.reason.clear();
        if (row.state.state == State::timeout || row.state.state == State::cancelled ||
            row.state.state == State::never_ran)
            row.state.exit_code.clear();
        rows.push_back(std::move(row));
    }
    return rows;
}

namespace {

std::optional<long long> epoch_of_uncached(const std::string& time, bool utc) {
    std::string t = time;
    if (!t.empty() && t.back() == 'Z') t.pop_back();
    std::tm tm{};
    if (t.size() < 19 || !strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return std::nullopt;
    tm.tm_isdst = -1;
    const std::time_t seconds = utc ? timegm(&tm) : std::mktime(&tm);
    if (seconds == -1) return std::nullopt;
    return seconds;
}

} // namespace

std::optional<long long> epoch_of(const std::string& time, bool utc) {
    // squeue gives a thousand jobs submitted in the same few seconds, and mktime looks at the time
    // zone each time: the last answer of each kind (UTC, local) is kept.
    struct Last {
        std::string time;
        std::optional<long long> seconds;
    };
    thread_local Last last[2];
    Last& mine = last[utc ? 1 : 0];
    if (time.empty() || time != mine.time) mine = {time, epoch_of_uncached(time, utc)};
    return mine.seconds;
}


std::optional<size_t> config_count(const std::string& config, const std::string& key) {
    for (const auto& line : util::split(config, '\n')) {
        auto eq = line.find('=');
        if (eq == std::string::npos || util::trim(std::string_view(line).substr(0, eq)) != key) continue;
        const std::string value(util::trim(std::string_view(line).substr(eq + 1)));
        if (auto n = number_of<size_t>(value)) return n;
    }
    return std::nullopt;
}

std::string duration_text(long long seconds) {
    if (seconds < 0) seconds = 0;
    const long long days = seconds / 86400;
    seconds %= 86400;
    std::string hms = fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
    return days > 0 ? fmt::format("{}-{}", days, hms) : hms;
}

std::optional<JobState> parse_status_file(const std::string& text) {
    std::optional<long long> start, end;
    std::string exit;
    std::string signal;
    std::string never;
    bool timed_out = false;  // the direct runner stopped it at its time limit
    for (const auto& line : util::split(text, '\n')) {
        auto words = util::split(std::string(util::trim(line)), ' ');
        if (words.size() >= 2 && words[0] == "start")
            if (auto t = number_of<long long>(words[1])) start = t;
        if (words.size() >= 4 && words[0] == "end" && number_of<long long>(words[1]) && words[2] == "exit") {
            end = number_of<long long>(words[1]);
            exit = words[3];
            if (words.size() >= 6 && words[4] == "signal") signal = words[5];
        }
        if (words.size() >= 2 && words[0] == "never-ran") never = words[1];
        if (!words.empty() && words[0] == "timeout") timed_out = true;
    }
    if (!never.empty()) {
        JobState s;
        s.state = State::never_ran;
        s.reason = "dependency " + never + " failed";
        return s;
    }
    if (!start) return std::nullopt;
    JobState s;
    char buffer[32];
    auto iso = [&](long long t) {
        std::time_t tt = t;
        std::tm tm{};
        gmtime_r(&tt, &tm);
        std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return std::string(buffer);
    };
    s.start = iso(*start);
    if (!end) {
        s.state = State::running;
        s.reason = "started; no end written yet";
        return s;
    }
    s.end = iso(*end);
    s.elapsed = duration_text(*end - *start);
    s.exit_code = exit;
    s.state = exit == "0" ? State::completed : State::failed;
    if (!signal.empty()) s.reason = "stopped by SIG" + signal;
    if (timed_out) {
        s.state = State::timeout;
        s.reason = "stopped at its time limit (SIG" + (signal.empty() ? std::string("TERM") : signal) + ")";
    }
    return s;
}

std::vector<PartitionResources> parse_resources(const std::string& nodes, const std::string& pending) {
    // Key: partition + GPU type.
    std::map<std::pair<std::string, std::string>, PartitionResources> table;
    for (const auto& line : util::split(nodes, '\n')) {
        if (util::trim(line).empty()) continue;
        std::map<std::string, std::string> node;
        for (const auto& word : util::split(std::string(util::trim(line)), ' ')) {
            const auto eq = word.find('=');
            if (eq != std::string::npos) node[word.substr(0, eq)] = word.substr(eq + 1);
        }
        const std::string state = node["State"];
        if (state.find("DRAIN") != std::string::npos || state.find("DOWN") != std::string::npos ||
            state.find("FAIL") != std::string::npos || state.find("MAINT") != std::string::npos ||
            state.find("NOT_RESPONDING") != std::string::npos || state.find('*') != std::string::npos)
            continue;
        const int cpus = count_of(node["CPUTot"]);
        const int cpus_used = count_of(node["CPUAlloc"]);
        // Gres=gpu:a100:4(S:0-1),gpu:v100:2   GresUsed=gpu:a100:1(IDX:0),gpu:v100:0(IDX:N/A)
        std::map<std::string, int> gpus, used;
        auto read_gres = [](const std::string& text, std::map<std::string, int>& into) {
            for (const auto& item : util::split(text, ',')) {
                std::string entry = item.substr(0, item.find('('));
                auto parts = util::split(entry, ':');
                if (parts.empty() || parts[0] != "gpu") continue;
                std::string type = parts.size() >= 3 ? parts[1] : "";
                std::string count = parts.size() >= 3 ? parts[2] : (parts.size() == 2 ? parts[1] : "0");
                if (parts.size() == 2 && !digits(parts[1])) {
                    type = parts[1];
                    count = "1";
                }
                into[type] += count_of(count);
            }
        };
        read_gres(node["Gres"], gpus);
        read_gres(node["GresUsed"], used);
        if (gpus.empty()) gpus[""] = 0;
        for (const auto& partition : util::split(node["Partitions"], ',')) {
            if (partition.empty()) continue;
            for (const auto& [type, total] : gpus) {
                auto& row = table[{partition, type}];
                row.partition = partition;
                row.gpu_type = type;
                row.gpus_total += total;
                row.gpus_free += std::max(0, total - used[type]);
                row.cpus_total += cpus;
                row.cpus_free += std::max(0, cpus - cpus_used);
                if (total - used[type] > 0) row.nodes_with_free_gpus.push_back(node["NodeName"]);
            }
        }
    }
    for (const auto& line : util::split(pending, '\n')) {
        auto f = fields(std::string(util::trim(line)), 2);
        if (f[0].empty() || f[1].find("gpu") == std::string::npos) continue;
        // gres:gpu:1, gres:gpu:a100:2, gres/gpu:1
        std::string gres = f[1];
        std::replace(gres.begin(), gres.end(), '/', ':');
        auto parts = util::split(gres, ':');
        std::string type;
        const auto gpu = static_cast<size_t>(std::find(parts.begin(), parts.end(), "gpu") - parts.begin());
        if (gpu + 3 == parts.size()) type = parts[gpu + 1];  // gpu:TYPE:COUNT
        for (const auto& partition : util::split(f[0], ',')) {
            bool counted = false;
            for (auto& [key, row] : table) {
                if (key.first != partition || key.second.empty()) continue;
                if (!type.empty() && key.second != type) continue;
                ++row.pending_gpu_jobs;
                counted = true;
                break;
            }
            if (!counted) {
                auto& row = table[{partition, type}];
                row.partition = partition;
                row.gpu_type = type;
                ++row.pending_gpu_jobs;
            }
        }
    }
    std::vector<PartitionResources> out;
    for (auto& [key, row] : table) out.push_back(std::move(row));
    return out;
}

std::optional<size_t> parse_submit_limit(const std::string& text) {
    std::optional<size_t> limit;
    for (const auto& line : util::split(text, '\n')) {
        const std::string value(util::trim(line));
        // A number too large for size_t is no limit at all.
        const auto n = number_of<size_t>(value);
        if (n && (!limit || *n < *limit)) limit = n;
    }
    return limit;
}

std::string usage_job_fields() { return "Account,ElapsedRaw,AllocTRES"; }
std::string usage_share_fields() { return "Account,User,RawShares,NormShares,RawUsage,EffectvUsage,FairShare"; }
std::string usage_assoc_fields() {
    return "Cluster,Account,User,Partition,GrpTRES,GrpTRESMins,GrpJobs,GrpSubmit,MaxJobs,MaxSubmit,MaxTRES,MaxWall,QOS";
}
std::string usage_qos_fields() { return "Name,MaxWall,MaxTRESPU,MaxJobsPU,MaxSubmitPU,GrpTRES,GrpTRESMins"; }

namespace {

/// `cpu=8,mem=1G,gres/gpu=2` → the count of `key`; typed GPUs (`gres/gpu:a100=2`) count when
/// the untyped total is not there.
double tres_count(const std::string& tres, const std::string& key) {
    double exact = 0, typed = 0;
    bool has_exact = false;
    for (const auto& item : util::split(tres, ',')) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos) continue;
        const std::string name = item.substr(0, eq);
        const double value = std::strtod(item.c_str() + eq + 1, nullptr);
        if (name == key) {
            exact = value;
            has_exact = true;
        } else if (name.rfind(key + ":", 0) == 0) {
            typed += value;
        }
    }
    return has_exact ? exact : typed;
}

std::optional<double> number(const std::string& text) {
    const std::string t(util::trim(text));
    if (t.empty()) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(t.c_str(), &end);
    if (end == t.c_str() || *end != '\0') return std::nullopt;
    return value;
}

} // namespace

tl::expected<Usage, std::string> parse_usage(const std::string& text) {
    Usage usage;
    std::map<std::string, std::vector<std::string>> sections;
    std::map<std::string, int> status;
    std::string section;
    for (const auto& line : util::split(text, '\n')) {
        if (line.rfind("@user ", 0) == 0) usage.user = std::string(util::trim(line.substr(6)));
        else if (line.rfind("@cluster", 0) == 0) usage.cluster = std::string(util::trim(line.substr(8)));
        else if (line.rfind("@status ", 0) == 0) status[section] = std::atoi(line.c_str() + 8);
        else if (line.size() > 1 && line[0] == '@' && line.find(' ') == std::string::npos) section = line.substr(1);
        else if (!util::trim(line).empty() && !section.empty()) sections[section].push_back(line);
    }
    auto failed = [&](const std::string& name, const char* command) -> std::optional<std::string> {
        if (!status.count(name)) return fmt::format("{} did not run (the machine's shell stopped before it)", command);
        if (status[name] == 0) return std::nullopt;
        const auto& lines = sections[name];
        return fmt::format("{} failed (exit {}): {}", command, status[name], lines.empty() ? "" : lines.back());
    };
    if (auto problem = failed("jobs", "sacct"))
        return tl::unexpected(*problem + "; milex usage needs SLURM's accounting (slurmdbd)");
    if (auto problem = failed("shares", "sshare")) return tl::unexpected(*problem);

    auto account = [&](const std::string& name) -> AccountUsage& {
        for (auto& a : usage.accounts)
            if (a.account == name) return a;
        usage.accounts.push_back(AccountUsage{});
        usage.accounts.back().account = name;
        return usage.accounts.back();
    };
    // The user's associations first, in sacctmgr's order, so that unused accounts show too.
    std::map<std::string, std::vector<std::string>> qos_of;
    const std::vector<std::string> assoc_names = util::split(usage_assoc_fields(), ',');
    for (const auto& line : sections["assoc"]) {
        const auto f = util::split(line, '|');
        if (f.size() != assoc_names.size()) continue;
        if (!usage.cluster.empty() && f[0] != usage.cluster) continue;
        const bool users_own = f[2] == usage.user;
        if (!users_own && !f[2].empty()) continue;  // another user's association in the account
        AccountUsage& a = account(f[1]);
        const std::string from = users_own ? (f[3].empty() ? "you" : "you in partition " + f[3]) : "account";
        for (size_t i = 4; i + 1 < f.size(); ++i)
            if (!f[i].empty()) a.limits.push_back({assoc_names[i], f[i], from});
        if (users_own)
            for (const auto& qos : util::split(f.back(), ','))
                if (!qos.empty()) qos_of[f[1]].push_back(qos);
    }
    const std::vector<std::string> qos_names = util::split(usage_qos_fields(), ',');
    std::map<std::string, std::vector<UsageLimit>> qos_limits;
    for (const auto& line : sections["qos"]) {
        const auto f = util::split(line, '|');
        if (f.size() != qos_names.size()) continue;
        for (size_t i = 1; i < f.size(); ++i)
            if (!f[i].empty()) qos_limits[f[0]].push_back({qos_names[i], f[i], "qos " + f[0]});
    }
    for (auto& a : usage.accounts) {
        std::vector<std::string> seen;
        for (const auto& qos : qos_of[a.account]) {
            if (std::find(seen.begin(), seen.end(), qos) != seen.end()) continue;
            seen.push_back(qos);
            for (const auto& limit : qos_limits[qos]) a.limits.push_back(limit);
        }
    }

    for (const auto& line : sections["jobs"]) {
        const auto f = util::split(line, '|');
        if (f.size() != 3 || f[2].empty()) continue;  // never allocated: still pending, or cancelled before
        AccountUsage& a = account(f[0]);
        const double hours = std::strtod(f[1].c_str(), nullptr) / 3600.0;
        a.jobs += 1;
        a.cpu_hours += hours * tres_count(f[2], "cpu");
        a.gpu_hours += hours * tres_count(f[2], "gres/gpu");
    }

    // sshare: the account's row (no user) and the user's row under it.
    std::map<std::string, double> account_raw, user_raw;
    for (const auto& line : sections["shares"]) {
        const auto f = util::split(line, '|');
        if (f.size() != 7) continue;
        const std::string name(util::trim(f[0]));
        if (f[1].empty()) {
            if (auto raw = number(f[4])) account_raw[name] = *raw;
        } else if (f[1] == usage.user) {
            AccountUsage& a = account(name);
            a.fair_share = number(f[6]);
            if (auto raw = number(f[4])) user_raw[name] = *raw;
        }
    }
    for (auto& a : usage.accounts) {
        auto raw = user_raw.find(a.account);
        auto whole = account_raw.find(a.account);
        if (raw != user_raw.end() && whole != account_raw.end())
            a.share_of_account = whole->second > 0 ? raw->second / whole->second : 0.0;
    }
    return usage;
}

} // namespace milex::scheduler::slurm
