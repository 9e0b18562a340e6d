#include "milex/scheduler/bundle_loop.hpp"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "milex/util/shell.hpp"
#include "milex/util/text.hpp"
#include "milex/util/path.hpp"

namespace milex::scheduler {

namespace {

constexpr char k_slot = '\x1f';  ///< brackets, in a request's after_ok, the bundle's job whose id goes there

/// `word` quoted for sh, each slot `\x1f<k>\x1f` turned into "$m<k>" (job k's id, set by the loop).
std::string loop_word(const std::string& word) {
    std::string quoted;
    size_t at = 0;
    for (;;) {
        const size_t open = word.find(k_slot, at);
        const size_t close = open == std::string::npos ? std::string::npos : word.find(k_slot, open + 1);
        if (close == std::string::npos) {
            if (at < word.size() || quoted.empty()) quoted += util::shell_quote(word.substr(at));
            return quoted;
        }
        if (open > at) quoted += util::shell_quote(word.substr(at, open - at));
        quoted += "\"$m" + word.substr(open + 1, close - open - 1) + "\"";
        at = close + 1;
    }
}

/// "S 3 1234" → (3, "1234").
std::optional<std::pair<size_t, std::string>> numbered(std::string_view line) {
    const size_t space = line.find(' ', 2);
    size_t k = 0;
    const auto digits = line.substr(2, space == std::string_view::npos ? std::string_view::npos : space - 2);
    if (std::from_chars(digits.data(), digits.data() + digits.size(), k).ec != std::errc()) return std::nullopt;
    return std::pair<size_t, std::string>{k, space == std::string_view::npos ? "" : std::string(line.substr(space + 1))};
}

} // namespace

std::string bundle_script(const std::vector<BundleJob>& jobs, const std::string& lock, const LoopDialect& dialect) {
    // The lock (flock, released by the kernel with the last process holding it: the loop and
    // the submit command it waits for) keeps a resume out until this loop is gone. The command
    // runs in the background so that a signal stops the loop at once: the trap kills it and waits
    // for it, so nothing of the loop submits after the lock is released. The watchdog's empty
    // line every 2 s fails once the connection is gone (sshd sends no SIGHUP without a
    // terminal), and then hangs the loop up.
    std::string script = fmt::format(R"(l={}
command -v flock >/dev/null 2>&1 || {{ echo N; exit 0; }}
exec 9>>"$l" || exit 71
flock -n 9 || {{ echo B; exit 0; }}
d=$(mktemp -d) || exit 72
c=
( trap '' PIPE; while sleep 2 </dev/null >/dev/null 2>&1 && kill -0 $$ 2>/dev/null; do printf '\n' || break; done; kill -HUP $$ 2>/dev/null ) 9>&- </dev/null 2>/dev/null &
w=$!
fin() {{ kill "$w" 2>/dev/null; wait "$w" 2>/dev/null; rm -rf "$d"; exit "$1"; }}
stop() {{ trap '' HUP PIPE TERM INT; [ -z "$c" ] || {{ kill "$c" 2>/dev/null; wait "$c"; }}; fin 129; }}
trap stop HUP PIPE TERM INT
sub() {{
k=$1; shift
"$@" </dev/null >"$d/o" 2>"$d/e" & c=$!
wait "$c"; s=$?; c=
if [ "$s" != 0 ]; then printf 'F %s %s\n' "$k" "$s"; cat "$d/e" >&2; return 1; fi
o=; while IFS= read -r x || [ -n "$x" ]; do [ -z "$x" ] || o=$x; done <"$d/o"
printf 'S %s %s\n' "$k" "$o"
{}
case $i in ''|*[!0-9]*) return 1;; esac
}}
)",
                                     util::shell_quote(lock), dialect.id_from_line);
    for (size_t k = 0; k < jobs.size(); ++k) {
        SubmitRequest request = jobs[k].request;
        for (size_t before : jobs[k].after_jobs) request.after_ok.push_back(fmt::format("{}{}{}", k_slot, before, k_slot));
        std::string line = fmt::format("sub {}", k);
        for (const auto& word : dialect.command(request)) line += " " + loop_word(word);
        script += fmt::format("{} && m{}=$i || fin 0\n", line, k);
    }
    script += "fin 0\n";
    return script;
}

bool submit_in_one_go(transport::Transport& transport, const std::vector<BundleJob>& jobs, const std::string& lock,
                      const LoopDialect& dialect, const BundleSubmitted& submitted) {
    if (jobs.empty()) return true;
    bool no_flock = false, busy = false;
    size_t next = 0;  // the first job whose id has not come back
    std::optional<JobRefused> refused;
    std::optional<std::pair<size_t, int>> failed;
    auto on_line = [&](std::string_view line) {
        if (line.empty()) return;  // the watchdog's
        if (line == "N") no_flock = true;
        else if (line == "B") busy = true;
        const auto item = line.size() > 2 && (line[0] == 'S' || line[0] == 'F') ? numbered(line) : std::nullopt;
        if (!item) return;
        if (item->first != next || next >= jobs.size())
            throw Error(fmt::format("the submission loop on {} reported job {} when job {} was due", transport.where(),
                                    item->first, next));
        const auto& request = jobs[next].request;
        if (line[0] == 'F') {
            int status = 1;
            std::from_chars(item->second.data(), item->second.data() + item->second.size(), status);
            failed = {next, status};
            return;
        }
        util::ProcessResult result;
        result.exit_code = 0;
        result.out = item->second;
        Submission submission;
        try {
            submission = dialect.result(request, result);
        } catch (const Error& e) {
            refused.emplace(e, next);  // no id in what it printed: the loop stops here too
            return;
        }
        ++next;
        submitted(next - 1, submission);
    };
    const auto timeout = std::chrono::seconds(120 + 10 * jobs.size());
    auto result = transport.run_lines({"/bin/sh", "-c", bundle_script(jobs, lock, dialect)}, timeout, on_line);
    if (no_flock) return false;
    if (busy)
        throw Error(fmt::format("another submission of this run is still under way on {} (it holds {}); wait for it "
                                "to end, then run again",
                                transport.where(), lock));
    if (refused) throw *refused;
    if (failed) {
        util::ProcessResult refusal;
        refusal.exit_code = failed->second;
        refusal.err = result.err;
        try {
            dialect.result(jobs[failed->first].request, refusal);
        } catch (const Error& e) {
            throw JobRefused(e, failed->first);
        }
        throw JobRefused(Error(fmt::format("job \"{}\" was refused", jobs[failed->first].request.job_name)),
                         failed->first);
    }
    if (next == jobs.size()) return true;
    // Stopped without saying why: what it was submitting may or may not be queued.
    const std::string why = result.timed_out ? fmt::format("the submission did not end within {} s", timeout.count())
                                             : fmt::format("the submission loop stopped: {}", !util::last_line(result.err).empty()
                                                                                                ? util::last_line(result.err)
                                                                                                : result.describe_end());
    throw transport::ConnectionLost(
        fmt::format("connection to {} lost ({} after {} of {} jobs)", transport.where(), why, next, jobs.size()), why);
}

void wait_for_lock(transport::Transport& transport, const std::string& lock) {
    const auto wait = util::seconds_from_environment("MILEX_LOCK_WAIT", std::chrono::milliseconds(60000));
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait).count();
    const std::string script =
        fmt::format("l={}; [ -e \"$l\" ] || exit 0; command -v flock >/dev/null 2>&1 || exit 0; exec flock -w {} \"$l\" true",
                    util::shell_quote(lock), seconds);
    auto result = transport.run({"/bin/sh", "-c", script}, wait + std::chrono::seconds(30));
    if (!result.succeeded())
        throw Error(fmt::format("an earlier submission of this run still runs on {} ({} is locked; a loop whose "
                                "connection dropped stops within seconds)",
                                transport.where(), lock))
            .with_details(result.err);
}

} // namespace milex::scheduler
