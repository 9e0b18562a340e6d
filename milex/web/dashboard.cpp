#include "milex/web/dashboard.hpp"

#include <httplib.h>

#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "milex/model/bundle.hpp"
#include "milex/observe/cancel.hpp"
#include "milex/observe/logs.hpp"
#include "milex/observe/status.hpp"
#include "milex/store/bundle_store.hpp"
#include "milex/submit/resubmit_choice.hpp"
#include "milex/submit/submit.hpp"
#include "milex/transport/connect.hpp"
#include "milex/util/text.hpp"
#include "milex/web/api.hpp"
#include "milex/web/assets.hpp"
#include "milex/web/hub.hpp"
#include "milex/web/launch.hpp"
#include "milex/web/machine_card.hpp"
#include "milex/web/security.hpp"

namespace milex::web {

using nlohmann::ordered_json;
using httplib::Request;
using httplib::Response;

namespace {

/// A request the API refuses, with its status (400 unless said otherwise).
class BadRequest : public Error {
public:
    explicit BadRequest(std::string message, int status = 400) : Error(std::move(message)), m_status(status) {}
    int status() const { return m_status; }

private:
    int m_status;
};

/// With its charset: cpp-httplib 0.11 compresses exactly "application/json" for a client that
/// accepts br, with brotli at its slowest quality (11), on every answer: 0.7 s for a 1,000-job
/// run where the JSON itself takes 50 ms (tools/bench dashboard), and nothing gained on 127.0.0.1.
void send_json(Response& res, const ordered_json& body, int status = 200) {
    res.status = status;
    res.set_content(body.dump(), "application/json; charset=utf-8");
}

void send_error(Response& res, int status, const std::string& message) {
    send_json(res, {{"error", message}}, status);
}

/// A file of the front end: gzipped at build time for a client that takes gzip (every browser),
/// so no request pays for compressing it; with an ETag of this build's bytes, so a page opened
/// again asks "changed?" and gets a 304 instead of the file.
void send_asset(const Request& req, Response& res, const Asset& asset) {
    std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a of the file
    for (unsigned char c : asset.body) hash = (hash ^ c) * 1099511628211ULL;
    const std::string etag = fmt::format("\"{:016x}\"", hash);
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Vary", "Accept-Encoding");
    if (req.get_header_value("If-None-Match") == etag) {
        res.status = 304;
        return;
    }
    if (req.get_header_value("Accept-Encoding").find("gzip") == std::string::npos) {
        res.set_content(std::string(asset.body), std::string(asset.type));
        return;
    }
    // A provider of known length: cpp-httplib compresses bodies and chunked providers, not this.
    res.set_header("Content-Encoding", "gzip");
    res.set_content_provider(asset.gzip.size(), std::string(asset.type),
                             [gzip = asset.gzip](size_t offset, size_t length, httplib::DataSink& sink) {
                                 return sink.write(gzip.data() + offset, length);
                             });
}

ordered_json body_json(const Request& req) {
    if (req.body.empty()) return ordered_json::object();
    ordered_json body = ordered_json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) throw BadRequest("the request body is not a JSON object");
    return body;
}

std::vector<std::string> string_list(const ordered_json& body, const std::string& key) {
    std::vector<std::string> out;
    if (!body.contains(key)) return out;
    if (!body[key].is_array()) throw BadRequest(fmt::format("\"{}\" must be a list of job names", key));
    for (const auto& item : body[key]) {
        if (!item.is_string()) throw BadRequest(fmt::format("\"{}\" must be a list of job names", key));
        out.push_back(item.get<std::string>());
    }
    return out;
}

bool is_mutation(const Request& req) { return req.method != "GET" && req.method != "HEAD"; }

} // namespace

struct Dashboard::Impl {
    model::Config config;
    DashboardOptions options;
    std::string token;
    int port = 0;
    Hub hub;
    Api api;
    std::vector<std::unique_ptr<MachineCard>> cards;
    httplib::Server server;

    Impl(model::Config c, DashboardOptions o) : config(std::move(c)), options(std::move(o)), api(config) {
        token = options.token.empty() ? new_token() : options.token;
        std::vector<std::string> names = options.machines.empty() ? config.names() : options.machines;
        for (const auto& name : names) {
            config.get(name);  // an unknown machine is the config's error, with its did-you-mean
            cards.push_back(std::make_unique<MachineCard>(config, name, hub, options.interval));
        }
        const size_t threads = options.threads;
        server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
        routes();
    }

    MachineCard& card(const std::string& name) {
        for (auto& c : cards)
            if (c->name() == name) return *c;
        throw NotFound(fmt::format("no machine \"{}\" in this dashboard", name));
    }

    /// Every request passes here first: Host, token, Origin; then the headers every answer has.
    httplib::Server::HandlerResponse guard(const Request& req, Response& res) {
        res.set_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("Referrer-Policy", "no-referrer");
        if (req.path.starts_with("/api/")) {
            res.set_header("Cache-Control", "no-store");
            // What the answer was read at (taken before it is read): a page that holds an answer
            // this new does not fetch it again when the event stream names the same version.
            res.set_header("X-Milex-Version", std::to_string(hub.version()));
        }

        const std::string host = req.get_header_value("Host");
        if (!host_allowed(host)) {
            send_error(res, 403, fmt::format("host \"{}\" refused: open the dashboard as 127.0.0.1 or localhost",
                                             util::excerpt(host)));
            return httplib::Server::HandlerResponse::Handled;
        }
        if (req.has_param("token")) {
            if (!same_secret(req.get_param_value("token"), token)) {
                send_error(res, 401, "wrong token: open the URL milex dashboard printed (milex dashboard --list)");
                return httplib::Server::HandlerResponse::Handled;
            }
            // Exchanged for the cookie, then out of the URL (and of the history).
            res.set_header("Set-Cookie", fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/", cookie_name(port),
                                                     token));
            res.set_redirect(req.path, 303);
            return httplib::Server::HandlerResponse::Handled;
        }
        if (req.has_header("Authorization")) {
            auto given = authorization_token(req.get_header_value("Authorization"));
            if (!given || !same_secret(*given, token)) {
                send_error(res, 401, "wrong token in the Authorization header (use \"Authorization: token ...\")");
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;  // a script: no Origin to check
        }
        auto cookie = cookie_value(req.get_header_value("Cookie"), cookie_name(port));
        if (!cookie || !same_secret(*cookie, token)) {
            send_error(res, 401, "no token: open the URL milex dashboard printed (milex dashboard --list)");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (is_mutation(req)) {
            if (!origin_allowed(req.get_header_value("Origin"), host)) {
                send_error(res, 403, "refused: a change must come from the dashboard's own page (Origin)");
                return httplib::Server::HandlerResponse::Handled;
            }
            if (!req.get_header_value("Content-Type").starts_with("application/json")) {
                send_error(res, 415, "refused: a change must be sent as application/json");
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        return httplib::Server::HandlerResponse::Unhandled;
    }

    /// Runs a handler; the library's errors become JSON answers.
    template <class F>
    auto handle(F f) {
        return [f](const Request& req, Response& res) {
            try {
                f(req, res);
            } catch (const NotFound& e) {
                send_error(res, 404, e.what());
            } catch (const LaunchRefused& e) {
                send_json(res, {{"error", e.what()}, {"field", e.field()}}, 400);
            } catch (const BadRequest& e) {
                send_error(res, e.status(), e.what());
            } catch (const Error& e) {
                send_error(res, 400, e.what());
            } catch (const std::exception& e) {
                send_error(res, 500, e.what());
            }
        };
    }

    ordered_json logs(const Request& req, const std::string& id, const std::string& job_name) {
        const store::StoredRun run = api.load(id);
        const model::JobRun* job_run = run.record.find(job_name);
        if (!job_run) throw NotFound(fmt::format("run {} has no job \"{}\"", id, job_name));
        std::optional<std::string> task;
        if (req.has_param("task") && !req.get_param_value("task").empty()) {
            task = req.get_param_value("task");
            if (task->find_first_not_of("0123456789") != std::string::npos)
                throw BadRequest(fmt::format("task \"{}\" is not an array index", util::excerpt(*task)));
        }
        const bool err = req.has_param("err") && req.get_param_value("err") == "1";
        size_t lines = 200;
        std::optional<size_t> offset;
        try {
            if (req.has_param("lines")) lines = std::stoul(req.get_param_value("lines"));
            if (req.has_param("offset")) offset = std::stoul(req.get_param_value("offset"));
        } catch (const std::exception&) {
            throw BadRequest("lines and offset must be numbers");
        }
        const model::Bundle bundle = store::read_bundle(run.record.bundle_file);
        const model::Job* definition = bundle.find(job_name);
        if (!definition) throw NotFound(fmt::format("{} no longer has a job \"{}\"", run.record.bundle_file, job_name));

        ordered_json out = {{"run", id}, {"job", job_name}};
        card(run.record.machine).with_access([&](observe::MachineAccess& access) {
            // The paths come from the record and the bundle, never from the client.
            const auto files = observe::log_files(*definition, access.machine, *job_run, err, task);
            out["stream"] = err ? "stderr" : "stdout";
            // The page offers stderr beside stdout only where the job writes it apart.
            out["separate_stderr"] = files.separate_stderr;
            if (files.note) out["note"] = *files.note;
            out["paths"] = files.paths;
            observe::LogReader reader(*access.transport);
            std::string text;
            bool exists = false;
            size_t end = 0;
            for (const auto& path : files.paths) {
                auto content = reader.read_from(path, files.paths.size() == 1 ? offset.value_or(0) : 0);
                if (!content) continue;
                exists = true;
                if (files.paths.size() > 1) text += fmt::format("==> {} <==\n", path);
                end = (files.paths.size() == 1 ? offset.value_or(0) : 0) + content->size();
                text += *content;
            }
            if (!offset) {
                // The last `lines` lines first.
                size_t cut = text.size(), seen = 0;
                if (!text.empty() && text.back() == '\n') --cut;
                while (cut > 0 && seen < lines) {
                    cut = text.rfind('\n', cut - 1);
                    if (cut == std::string::npos) {
                        cut = 0;
                        break;
                    }
                    ++seen;
                }
                if (seen == lines && cut > 0) text = text.substr(cut + 1);
            }
            out["exists"] = exists;
            out["text"] = text;
            out["offset"] = end;
        });
        if (auto url = observe::wandb_url(out["text"].get<std::string>())) out["wandb"] = *url;
        const auto jobs = observe::recorded(run.record);
        for (const auto& j : jobs)
            if (j.name == job_name) {
                out["state"] = scheduler::state_name(j.state.state);
                out["ended"] = scheduler::is_final(j.state.state);
            }
        return out;
    }

    /// The job `job_name` of run `id`, as its bundle defines it now.
    model::Job job_of(const store::StoredRun& run, const std::string& id, const std::string& job_name) {
        if (!run.record.find(job_name)) throw NotFound(fmt::format("run {} has no job \"{}\"", id, job_name));
        const model::Bundle bundle = store::read_bundle(run.record.bundle_file);
        const model::Job* job = bundle.find(job_name);
        if (!job) throw NotFound(fmt::format("{} no longer has a job \"{}\"", run.record.bundle_file, job_name));
        return *job;
    }

    /// The launch: the changed job verified by its -cli, a new bundle, submitted like milex-run.
    ordered_json launch(const ordered_json& body) {
        for (const char* key : {"run", "job", "machine"})
            if (!body.contains(key) || !body[key].is_string())
                throw BadRequest(fmt::format("\"{}\" is missing from the launch", key));
        const std::string id = body["run"].get<std::string>();
        const store::StoredRun source = api.load(id);
        const model::Job original = job_of(source, id, body["job"].get<std::string>());
        const std::string machine_name = body["machine"].get<std::string>();
        bool served = false;
        for (const auto& c : cards) served = served || c->name() == machine_name;
        if (!served) throw LaunchRefused("machine", fmt::format("no machine \"{}\" in this dashboard", machine_name));
        const model::Job job = changed_job(original, body);
        check_allowed(job, config.get(machine_name));
        const std::string name = store::parse_bundle_file_name(source.record.bundle + ".json")
                                     ? store::parse_bundle_file_name(source.record.bundle + ".json")->name
                                     : source.record.bundle;
        const auto written = write_launch_bundle(config, name, job);
        ordered_json out = {{"bundle_file", written.string()}};
        card(machine_name).with_access([&](observe::MachineAccess& access) {
            const store::BundleStore bundles(config.local().path + "/jobs");
            submit::RunSession session(config, access.machine, submit::plan_bundle(bundles, written.string()));
            const store::StoredRun run = session.submit(*access.transport, *access.scheduler, submit::Again::no, {});
            out["run"] = run_id(run.path);
            if (!run.record.jobs.empty()) out["job_id"] = run.record.jobs.front().job_id;
        });
        hub.bump();
        return out;
    }

    void routes() {
        server.set_pre_routing_handler([this](const Request& req, Response& res) { return guard(req, res); });

        server.Get("/api/runs", handle([this](const Request&, Response& res) { send_json(res, api.runs()); }));
        server.Get(R"(/api/runs/([^/]+))",
                   handle([this](const Request& req, Response& res) { send_json(res, api.run(req.matches[1])); }));
        server.Get(R"(/api/runs/([^/]+)/jobs/([^/]+)/logs)", handle([this](const Request& req, Response& res) {
                       send_json(res, logs(req, req.matches[1], req.matches[2]));
                   }));
        server.Post(R"(/api/runs/([^/]+)/cancel)", handle([this](const Request& req, Response& res) {
                        const ordered_json body = body_json(req);
                        const auto names = string_list(body, "jobs");
                        store::StoredRun run = api.load(req.matches[1]);
                        std::vector<std::string> cancelled;
                        card(run.record.machine).with_access([&](observe::MachineAccess& access) {
                            cancelled = observe::cancel_jobs(run, api.store(), *access.scheduler, names,
                                                             "cancelled from milex dashboard");
                        });
                        hub.bump();
                        send_json(res, {{"cancelled", cancelled}});
                    }));
        server.Get(R"(/api/runs/([^/]+)/jobs/([^/]+)/launch)", handle([this](const Request& req, Response& res) {
                       const std::string id = req.matches[1];
                       const store::StoredRun run = api.load(id);
                       ordered_json form = launch_form(job_of(run, id, req.matches[2]));
                       form["run"] = id;
                       form["machine"] = run.record.machine;
                       ordered_json machines = ordered_json::array();
                       ordered_json allowed = ordered_json::object();
                       for (const auto& c : cards) {
                           machines.push_back(c->name());
                           if (auto offers = allowed_offers(config.get(c->name())); !offers.empty())
                               allowed[c->name()] = offers;
                       }
                       form["machines"] = machines;
                       // What the form may offer per machine (allowed_partitions, allowed_gpu_types).
                       form["allowed"] = allowed;
                       send_json(res, form);
                   }));
        server.Post("/api/launch", handle([this](const Request& req, Response& res) {
                        send_json(res, launch(body_json(req)));
                    }));
        server.Post(R"(/api/runs/([^/]+)/resubmit)", handle([this](const Request& req, Response& res) {
                        const ordered_json body = body_json(req);
                        submit::ResubmitChoice choice;
                        choice.failed = body.value("failed", false);
                        choice.timeout = body.value("timeout", false);
                        choice.names = string_list(body, "jobs");
                        if (!choice.failed && !choice.timeout && choice.names.empty())
                            throw BadRequest("say which jobs: \"failed\", \"timeout\" and/or \"jobs\"");
                        store::StoredRun run = api.load(req.matches[1]);
                        std::vector<std::string> again;
                        card(run.record.machine).with_access([&](observe::MachineAccess& access) {
                            again = submit::resubmit_chosen(config, run, api.store(), access.machine, *access.transport,
                                                            *access.scheduler, choice, {}, {});
                        });
                        hub.bump();
                        send_json(res, {{"resubmitted", again}});
                    }));
        server.Get("/api/machines", handle([this](const Request&, Response& res) {
                       ordered_json out = ordered_json::array();
                       for (const auto& c : cards) out.push_back(c->card());
                       send_json(res, out);
                   }));
        server.Post(R"(/api/machines/([^/]+)/test)", handle([this](const Request& req, Response& res) {
                        MachineCard& machine = card(req.matches[1]);
                        const model::Machine& settings = config.get(machine.name());
                        ordered_json out = {{"machine", machine.name()},
                                            {"how", settings.remote() ? transport::describe_connection(settings)
                                                                      : std::string("no SSH: commands run here")}};
                        try {
                            machine.with_access([&](observe::MachineAccess& access) {
                                const auto result = access.transport->run({"true"}, std::chrono::seconds(20));
                                out["ok"] = result.succeeded();
                                out["where"] = access.transport->where();
                                out["via"] = access.transport->via();
                                if (access.machine.remote()) out["host_key"] = "known (checked strictly)";
                            });
                        } catch (const Error& e) {
                            out["ok"] = false;
                            out["error"] = e.what();
                        }
                        send_json(res, out);
                    }));
        server.Get("/api/projects", handle([this](const Request&, Response& res) { send_json(res, api.projects()); }));
        server.Get("/api/events", [this](const Request&, Response& res) { events(res); });
        server.Get(".*", [](const Request& req, Response& res) {
            if (req.path.starts_with("/api/")) {
                send_error(res, 404, fmt::format("no API at {}", util::excerpt(req.path)));
                return;
            }
            // A page of the app (its URL says where in it) or one of its files.
            auto asset = find_asset(req.path);
            if (!asset) asset = find_asset("/index.html");
            send_asset(req, res, *asset);
        });
        server.set_error_handler([](const Request&, Response& res) {
            if (res.body.empty()) send_error(res, res.status, fmt::format("HTTP {}", res.status));
        });
    }

    /// The event stream of one tab: an `update` with the version whenever something changed,
    /// `: ping` when idle, `retry:` so a dropped stream comes back.
    void events(Response& res) {
        struct Stream {
            bool started = false;
            std::uint64_t seen = 0;
        };
        auto stream = std::make_shared<Stream>();
        res.set_chunked_content_provider("text/event-stream", [this, stream](size_t, httplib::DataSink& sink) {
            std::string out;
            if (!stream->started) {
                stream->started = true;
                stream->seen = hub.version();
                out = fmt::format("retry: 3000\n\nevent: update\ndata: {{\"version\":{}}}\n\n", stream->seen);
            } else {
                const auto now = hub.wait(stream->seen, options.ping);
                if (hub.stopped()) {
                    sink.done();
                    return false;
                }
                if (now == stream->seen) {
                    out = ": ping\n\n";
                } else {
                    stream->seen = now;
                    out = fmt::format("event: update\ndata: {{\"version\":{}}}\n\n", now);
                }
            }
            return sink.write(out.data(), out.size());
        });
    }
};

Dashboard::Dashboard(model::Config config, DashboardOptions options)
    : m(std::make_unique<Impl>(std::move(config), std::move(options))) {}

Dashboard::~Dashboard() {
    stop();
    for (auto& c : m->cards) c->stop();
}

void Dashboard::open_machines() {
    for (auto& c : m->cards) c->open();
}

int Dashboard::bind() {
    if (m->options.port > 0) {
        if (!m->server.bind_to_port("127.0.0.1", m->options.port))
            throw Error(fmt::format("cannot listen on 127.0.0.1:{} (in use?); pick another --port", m->options.port));
        m->port = m->options.port;
    } else {
        m->port = m->server.bind_to_any_port("127.0.0.1");
        if (m->port < 0) throw Error("cannot listen on 127.0.0.1");
    }
    return m->port;
}

void Dashboard::start_polling() {
    for (auto& c : m->cards) c->start();
}

void Dashboard::serve() { m->server.listen_after_bind(); }

void Dashboard::stop() {
    m->hub.stop();
    m->server.stop();
}

const std::string& Dashboard::token() const { return m->token; }
int Dashboard::port() const { return m->port; }
std::string Dashboard::url() const { return fmt::format("http://127.0.0.1:{}/?token={}", m->port, m->token); }

} // namespace milex::web
