#include "milex/scheduler/sge_parse.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "milex/util/text.hpp"

namespace milex::scheduler::sge {

namespace {

bool only_digits(std::string_view s) {
    return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string text_of(const pugi::xml_node& node, const char* child) { return node.child(child).text().as_string(); }

/// "1-4:1", "2,3", "7", "1-9:2,12" → the task ids.
std::vector<size_t> task_ids(const std::string& spec) {
    std::vector<size_t> out;
    for (const auto& item : util::split(spec, ',')) {
        const auto dash = item.find('-');
        if (dash == std::string::npos) {
            if (only_digits(item)) out.push_back(std::stoull(item));
            continue;
        }
        std::string last = item.substr(dash + 1), step = "1";
        if (const auto colon = last.find(':'); colon != std::string::npos) {
            step = last.substr(colon + 1);
            last = last.substr(0, colon);
        }
        const std::string first = item.substr(0, dash);
        if (!only_digits(first) || !only_digits(last) || !only_digits(step) || std::stoull(step) == 0) continue;
        for (size_t i = std::stoull(first); i <= std::stoull(last) && out.size() < 1000000; i += std::stoull(step))
            out.push_back(i);
    }
    return out;
}

} // namespace

std::optional<std::string> parse_terse(const std::string& output) {
    // The id is on the last line; an array's is "23.1-3:1".
    std::string line = util::last_line(output);
    line = line.substr(0, line.find('.'));
    if (!only_digits(line)) return std::nullopt;
    return line;
}

JobState state_of(const std::string& state) {
    JobState s;
    if (state.find('E') != std::string::npos) {
        // Error: it stays so until someone clears it (qmod -cj) or deletes it.
        s.state = State::pending;
        s.reason = "in Grid Engine's error state (" + state + "): qstat -j shows why; fix it and qmod -cj, or cancel it";
    } else if (state.find('d') != std::string::npos) {
        s.state = State::cancelled;
        s.reason = "being deleted";
    } else if (state.find('r') != std::string::npos || state.find('t') != std::string::npos ||
               state.find('R') != std::string::npos) {
        s.state = state.find('s') != std::string::npos || state.find('S') != std::string::npos ||
                          state.find('T') != std::string::npos
                      ? State::pending
                      : State::running;
        if (s.state == State::pending) s.reason = "suspended (" + state + ")";
    } else if (state.find('h') != std::string::npos) {
        s.state = State::pending;
        s.reason = "held: waiting for its dependencies (" + state + ")";
    } else {
        s.state = State::pending;
        s.reason = state == "qw" ? "waiting for a free slot" : state;
    }
    return s;
}

std::vector<QueueEntry> parse_qstat(const std::string& xml) {
    std::vector<QueueEntry> out;
    pugi::xml_document doc;
    if (!doc.load_string(xml.c_str())) return out;
    for (const auto& hit : doc.select_nodes("//job_list")) {
        const pugi::xml_node job = hit.node();
        QueueEntry entry;
        entry.job_id = text_of(job, "JB_job_number");
        entry.name = text_of(job, "JB_name");
        entry.state = text_of(job, "state");
        entry.start = text_of(job, "JAT_start_time");
        std::string queue = text_of(job, "queue_name");
        if (queue.empty()) queue = job.parent().child("name").text().as_string();  // qstat -f
        if (const auto at = queue.find('@'); at != std::string::npos) entry.node = queue.substr(at + 1);
        if (const std::string tasks = text_of(job, "tasks"); !tasks.empty()) entry.tasks = task_ids(tasks);
        if (!entry.job_id.empty()) out.push_back(std::move(entry));
    }
    return out;
}

std::vector<AccountingEntry> parse_qacct(const std::string& text) {
    std::vector<AccountingEntry> out;
    std::map<std::string, std::string> block;
    auto flush = [&] {
        if (block.count("jobnumber")) {
            AccountingEntry entry;
            entry.job_id = block["jobnumber"];
            entry.name = block["jobname"];
            entry.task = block["taskid"] == "undefined" ? "" : block["taskid"];
            const std::string failed = block["failed"].substr(0, block["failed"].find(' '));
            const std::string exit = block["exit_status"].substr(0, block["exit_status"].find(' '));
            JobState& s = entry.state;
            s.node = block["hostname"];
            s.exit_code = exit;
            if (failed == "0" && exit == "0") {
                s.state = State::completed;
            } else if (failed == "37" || failed == "38") {
                s.state = State::timeout;  // "qmaster enforced h_rt limit", h_cpu
                s.reason = "killed at its time limit (failed " + block["failed"] + ")";
            } else if (failed == "100" && (exit == "137" || exit == "143")) {
                s.state = State::cancelled;
                s.reason = "deleted while running (qdel)";
            } else if (failed != "0") {
                s.state = State::failed;
                s.reason = "Grid Engine: failed " + block["failed"];
            } else {
                s.state = State::failed;
            }
            if (!block["maxvmem"].empty() && s.reason.empty()) s.reason = "maxvmem " + block["maxvmem"];
            out.push_back(std::move(entry));
        }
        block.clear();
    };
    for (const auto& line : util::split(text, '\n')) {
        if (line.starts_with("====")) {
            flush();
            continue;
        }
        const std::string trimmed(util::trim(line));
        const auto space = trimmed.find(' ');
        if (space == std::string::npos) continue;
        block[trimmed.substr(0, space)] = std::string(util::trim(std::string_view(trimmed).substr(space)));
    }
    flush();
    return out;
}

std::map<std::string, std::string> parse_tags(const std::string& xml) {
    std::map<std::string, std::string> out;
    pugi::xml_document doc;
    if (!doc.load_string(xml.c_str())) return out;
    for (const auto& hit : doc.select_nodes("//djob_info/element")) {
        const pugi::xml_node job = hit.node();
        const std::string id = text_of(job, "JB_job_number");
        for (const auto& variable : job.child("JB_context").children())
            if (std::string(variable.child("VA_variable").text().as_string()) == "milex_tag")
                out[id] = variable.child("VA_value").text().as_string();
    }
    return out;
}

std::vector<PartitionResources> parse_resources(const std::string& queues, const std::string& hosts,
                                                const std::string& pending) {
    // GPUs per host: `complex_values gpu=2,...` of each exec host.
    std::map<std::string, int> host_gpus;
    std::string host;
    for (const auto& line : util::split(hosts, '\n')) {
        const std::string trimmed(util::trim(line));
        if (trimmed.starts_with("hostname ")) host = std::string(util::trim(std::string_view(trimmed).substr(9)));
        if (!trimmed.starts_with("complex_values ")) continue;
        for (const auto& item : util::split(std::string(util::trim(std::string_view(trimmed).substr(15))), ',')) {
            if (!item.starts_with("gpu=")) continue;
            const std::string n = item.substr(4);
            if (only_digits(n)) host_gpus[host] = std::stoi(n);
        }
    }
    std::map<std::string, PartitionResources> table;
    std::vector<std::string> order;
    pugi::xml_document doc;
    if (doc.load_string(queues.c_str())) {
        for (const auto& hit : doc.select_nodes("//Queue-List")) {
            const pugi::xml_node instance = hit.node();
            const std::string name = text_of(instance, "name");
            const auto at = name.find('@');
            const std::string queue = name.substr(0, at), node = at == std::string::npos ? "" : name.substr(at + 1);
            // Alarm, unknown, disabled, error, suspended instances take no jobs.
            const std::string state = text_of(instance, "state");
            if (state.find_first_of("auEdDsSco") != std::string::npos) continue;
            if (!table.count(queue)) order.push_back(queue);
            PartitionResources& r = table[queue];
            r.partition = queue;
            const int total = instance.child("slots_total").text().as_int();
            const int used = instance.child("slots_used").text().as_int() + instance.child("slots_resv").text().as_int();
            r.cpus_total += total;
            r.cpus_free += std::max(0, total - used);
            for (const auto& resource : instance.children("resource")) {
                if (std::string(resource.attribute("name").as_string()) != "gpu") continue;
                const int free = static_cast<int>(resource.text().as_double());
                r.gpu_type = "gpu";
                r.gpus_total += host_gpus.count(node) ? host_gpus[node] : free;
                r.gpus_free += free;
                if (free > 0) r.nodes_with_free_gpus.push_back(node);
            }
        }
    }
    pugi::xml_document waiting;
    if (waiting.load_string(pending.c_str())) {
        for (const auto& hit : waiting.select_nodes("//job_list[@state='pending']")) {
            const pugi::xml_node job = hit.node();
            bool gpu = false;
            std::string queue;
            for (const auto& request : job.children("hard_request"))
                if (std::string(request.attribute("name").as_string()) == "gpu") gpu = request.text().as_double() > 0;
            queue = text_of(job, "hard_req_queue");
            if (!gpu) continue;
            for (auto& [name, r] : table)
                if (!r.gpu_type.empty() && (queue.empty() || queue == name)) ++r.pending_gpu_jobs;
        }
    }
    std::vector<PartitionResources> out;
    for (const auto& name : order) out.push_back(table[name]);
    return out;
}

std::optional<size_t> config_limit(const std::string& config, const std::string& key) {
    for (const auto& line : util::split(config, '\n')) {
        const std::string trimmed(util::trim(line));
        if (!trimmed.starts_with(key + " ")) continue;
        const std::string value(util::trim(std::string_view(trimmed).substr(key.size())));
        if (only_digits(value) && std::stoull(value) > 0) return std::stoull(value);
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace milex::scheduler::sge
