// The dashboard's HTTP rules, through a real server in this process and httplib::Client: each
// security test fails if its rule is removed from Dashboard's guard.
#include "milex/web/dashboard.hpp"

#include <httplib.h>

#include <thread>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "milex/store/run_store.hpp"
#include "milex/util/document.hpp"
#include "milex/util/error.hpp"
#include "milex/web/assets.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;
using nlohmann::json;

namespace {

const std::string k_token(64, 'a');

/// A run record of bundle `stem` on `local` with one job `job`, last seen in `state`.
void save_record(const std::filesystem::path& dir, const std::string& stem, const std::string& job,
                 const model::StateChange& state) {
    model::RunRecord record;
    record.bundle = stem;
    record.bundle_file = (dir / "jobs" / (stem + ".json")).string();
    record.machine = "local";
    model::JobRun run;
    run.name = job;
    run.job_id = "41";
    run.states.push_back({"SUBMITTED", "2026-11-22T03:00:00Z", "", "", "", ""});
    run.states.push_back(state);
    record.jobs.push_back(run);
    record.job_count = 1;
    std::filesystem::create_directories(dir / "runs");
    store::RunStore(dir / "runs").save(dir / "runs" / (stem + "@local.1.json"), record);
}

/// A dashboard over a config whose local machine keeps one run record (a FAILED job named
/// like markup), serving on a free port for the test's lifetime.
class Served {
public:
    /// `local` adds keys to the local machine's config.
    explicit Served(std::chrono::milliseconds ping = std::chrono::milliseconds(15000),
                    json local = json::object()) {
        const auto dir = test::temp_dir();
        local["path"] = dir.string();
        auto doc = util::parse_document(json{{"local", local}}.dump(), "config.json");
        if (!doc) throw Error(doc.error());
        save_record(dir, "diamond_20261122023840", "<img src=x onerror=alert(1)>",
                    {"FAILED", "2026-11-22T03:01:00Z", "3", "00:00:02", "node1", ""});

        web::DashboardOptions options;
        options.token = k_token;
        options.threads = 4;
        options.ping = ping;
        m_dashboard = std::make_unique<web::Dashboard>(model::config_from_document(std::move(*doc)), options);
        port = m_dashboard->bind();
        m_thread = std::thread([this] { m_dashboard->serve(); });
    }
    ~Served() {
        m_dashboard->stop();
        m_thread.join();
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(10, 0);
        return c;
    }
    std::string host() const { return "127.0.0.1:" + std::to_string(port); }
    std::string cookie() const { return "milex-dashboard-" + std::to_string(port) + "=" + k_token; }

    int port = 0;

private:
    std::unique_ptr<web::Dashboard> m_dashboard;
    std::thread m_thread;
};

std::string error_of(const httplib::Result& res) { return json::parse(res->body).at("error").get<std::string>(); }

} // namespace

TEST_CASE("every request needs the token, reads included") {
    Served s;
    auto c = s.client();
    auto res = c.Get("/api/runs");
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(error_of(res) == "no token: open the URL milex dashboard printed (milex dashboard --list)");
    CHECK(c.Get("/")->status == 401);
    res = c.Get("/api/runs", {{"Authorization", "token " + std::string(64, 'b')}});
    CHECK(res->status == 401);
    res = c.Get("/api/runs", {{"Cookie", "milex-dashboard-" + std::to_string(s.port) + "=" + std::string(64, 'b')}});
    CHECK(res->status == 401);
    // A cookie of another port's dashboard is not this one's.
    res = c.Get("/api/runs", {{"Cookie", "milex-dashboard-1=" + k_token}});
    CHECK(res->status == 401);
    res = c.Get("/api/runs", {{"Authorization", "token " + k_token}});
    CHECK(res->status == 200);
}

TEST_CASE("the token in the URL becomes an HttpOnly SameSite=Strict cookie named with the port, then leaves the URL") {
    Served s;
    auto c = s.client();
    auto res = c.Get("/runs?token=" + k_token);
    REQUIRE(res);
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == "/runs");
    CHECK(res->get_header_value("Set-Cookie") ==
          "milex-dashboard-" + std::to_string(s.port) + "=" + k_token + "; HttpOnly; SameSite=Strict; Path=/");
    CHECK(c.Get("/runs?token=wrong")->status == 401);
    res = c.Get("/runs", {{"Cookie", s.cookie()}});
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "text/html; charset=utf-8");
}

TEST_CASE("answers carry the CSP, nosniff and, on the API, no-store; never a CORS header") {
    Served s;
    auto res = s.client().Get("/api/runs", {{"Cookie", s.cookie()}});
    REQUIRE(res);
    CHECK(res->get_header_value("Content-Security-Policy") == "default-src 'self'; frame-ancestors 'none'");
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(res->get_header_value("Cache-Control") == "no-store");
    CHECK_FALSE(res->has_header("Access-Control-Allow-Origin"));
    res = s.client().Get("/app.js", {{"Cookie", s.cookie()}});
    CHECK(res->get_header_value("Content-Security-Policy") == "default-src 'self'; frame-ancestors 'none'");
    CHECK(res->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
}

TEST_CASE("API answers are sent as they are, not brotli-compressed for a browser (slow on a large run)") {
    Served s;
    auto res = s.client().Get("/api/runs", {{"Authorization", "token " + k_token}, {"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "application/json; charset=utf-8");
    CHECK_FALSE(res->has_header("Content-Encoding"));
}

TEST_CASE("the front end's files go out gzipped at build time, byte for byte, and a page opened again gets a 304") {
    Served s;
    auto c = s.client();
    c.set_decompress(false);
    const auto app = web::find_asset("/app.js");
    REQUIRE(app);
    auto res = c.Get("/app.js", {{"Cookie", s.cookie()}, {"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Encoding") == "gzip");
    CHECK(res->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
    CHECK(res->body == app->gzip);
    CHECK(app->gzip.size() < app->body.size() / 2);
    // Unpacked by a client, it is the file.
    auto plain = s.client().Get("/app.js", {{"Cookie", s.cookie()}, {"Accept-Encoding", "gzip"}});
    CHECK(plain->body == app->body);
    // A client that takes no gzip gets the file as it is.
    res = c.Get("/app.js", {{"Cookie", s.cookie()}});
    CHECK(res->body == app->body);
    CHECK_FALSE(res->has_header("Content-Encoding"));
    const std::string etag = res->get_header_value("ETag");
    REQUIRE(etag.size() == 18);
    res = c.Get("/app.js", {{"Cookie", s.cookie()}, {"If-None-Match", etag}});
    CHECK(res->status == 304);
    CHECK(res->body.empty());
    CHECK(c.Get("/style.css", {{"Cookie", s.cookie()}, {"If-None-Match", etag}})->status == 200);
}

TEST_CASE("a Host that is not this machine's loopback is refused (DNS rebinding), with any port allowed") {
    Served s;
    auto c = s.client();
    auto res = c.Get("/api/runs", {{"Authorization", "token " + k_token}, {"Host", "evil.example:" + std::to_string(s.port)}});
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(error_of(res) == "host \"evil.example:" + std::to_string(s.port) +
                               "\" refused: open the dashboard as 127.0.0.1 or localhost");
    CHECK(c.Get("/api/runs", {{"Authorization", "token " + k_token}, {"Host", "localhost:9000"}})->status == 200);
    CHECK(c.Get("/api/runs", {{"Authorization", "token " + k_token}, {"Host", "[::1]:9000"}})->status == 200);
}

TEST_CASE("a change authenticated by the cookie needs the page's own Origin and JSON; a script's header needs neither") {
    Served s;
    auto c = s.client();
    const std::string origin = "http://" + s.host();
    const std::string path = "/api/runs/nothing@local.1/cancel";
    auto res = c.Post(path, {{"Cookie", s.cookie()}}, "{}", "application/json");
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(error_of(res) == "refused: a change must come from the dashboard's own page (Origin)");
    CHECK(c.Post(path, {{"Cookie", s.cookie()}, {"Origin", "http://evil.example"}}, "{}", "application/json")->status ==
          403);
    res = c.Post(path, {{"Cookie", s.cookie()}, {"Origin", origin}}, "{}", "text/plain");
    CHECK(res->status == 415);
    CHECK(error_of(res) == "refused: a change must be sent as application/json");
    // Past the guard: the run is unknown.
    res = c.Post(path, {{"Cookie", s.cookie()}, {"Origin", origin}}, "{}", "application/json");
    CHECK(res->status == 404);
    CHECK(error_of(res) == "no run \"nothing@local.1\"");
    res = c.Post(path, {{"Authorization", "token " + k_token}}, "{}", "text/plain");
    CHECK(res->status == 404);
}

TEST_CASE("the API answers unknown runs, jobs and paths with 404 and a JSON error naming them") {
    Served s;
    auto c = s.client();
    const httplib::Headers auth = {{"Authorization", "token " + k_token}};
    auto res = c.Get("/api/runs/nope", auth);
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(error_of(res) == "no run \"nope\"");
    res = c.Get("/api/runs/diamond_20261122023840@local.1/jobs/nojob/logs", auth);
    CHECK(res->status == 404);
    CHECK(error_of(res) == "run diamond_20261122023840@local.1 has no job \"nojob\"");
    res = c.Get("/api/runs/diamond_20261122023840@local.1/jobs/..%2F..%2Fetc/logs", auth);
    CHECK(res->status == 404);
    res = c.Get("/api/nothing", auth);
    CHECK(res->status == 404);
    CHECK(error_of(res) == "no API at /api/nothing");
    res = c.Get("/api/machines/nowhere", auth);
    CHECK(res->status == 404);
}

TEST_CASE("the runs API lists the record with its counts, and the run API its jobs with names as data") {
    Served s;
    const httplib::Headers auth = {{"Authorization", "token " + k_token}};
    auto res = s.client().Get("/api/runs", auth);
    REQUIRE(res);
    const auto runs = json::parse(res->body);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["id"] == "diamond_20261122023840@local.1");
    CHECK(runs[0]["name"] == "diamond");
    CHECK(runs[0]["counts"] == json{{"FAILED", 1}});
    CHECK(runs[0]["live"] == false);
    res = s.client().Get("/api/runs/diamond_20261122023840@local.1", auth);
    REQUIRE(res->status == 200);
    const auto run = json::parse(res->body);
    CHECK(run["jobs"][0]["name"] == "<img src=x onerror=alert(1)>");
    CHECK(run["jobs"][0]["state"] == "FAILED");
    CHECK(run["jobs"][0]["exit_code"] == "3");
}

TEST_CASE("a launch the application refuses answers 400 with its message and the field, and writes nothing") {
    const auto dir = test::temp_dir();
    test::write_script(dir / "bin", "fakeapp-cli", R"(v=
for a in "$@"; do case "$a" in --count=*) v=${a#--count=};; esac; done
case "$v" in ''|*[!0-9]*) echo "fakeapp-cli: error: argument --count: invalid int value: '$v'" >&2; exit 2;; esac
echo "{\"count\": $v}")");
    test::ScopedEnv path("PATH", (dir / "bin").string() + ":" + std::getenv("PATH"));
    std::filesystem::create_directories(dir / "jobs");
    test::write_file(dir / "jobs" / "counted_20261122023840.json",
                     R"({"J": {"name": "J", "script": "fakeapp", "script_args": {"count": 1},
                         "script_options": {"count": "--count"}, "dependencies": [], "pre_commands": [], "slurm": {}}})");
    Served s;
    save_record(dir, "counted_20261122023840", "J", {"COMPLETED", "2026-11-22T03:01:00Z", "0", "00:00:01", "node1", ""});
    const httplib::Headers auth = {{"Authorization", "token " + k_token}};
    auto res = s.client().Get("/api/runs/counted_20261122023840@local.1/jobs/J/launch", auth);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const auto form = json::parse(res->body);
    CHECK(form["args"][0] == json{{"key", "count"}, {"value", 1}, {"kind", "number"}, {"editable", true}});
    CHECK(form["machines"] == json{"local"});

    const json launch = {{"run", "counted_20261122023840@local.1"}, {"job", "J"}, {"machine", "local"},
                         {"args", {{"count", "x"}}}};
    res = s.client().Post("/api/launch", auth, launch.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 400);
    const auto body = json::parse(res->body);
    CHECK(body["field"] == "args.count");
    CHECK(body["error"] == "the words milex would run fakeapp with (--count=x) are refused: fakeapp-cli exited with "
                           "status 2: fakeapp-cli: error: argument --count: invalid int value: 'x'");
    size_t bundles = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir / "jobs")) ++bundles;
    CHECK(bundles == 1);  // no new bundle

    const json bad_time = {{"run", "counted_20261122023840@local.1"}, {"job", "J"}, {"machine", "local"},
                           {"slurm", {{"time", "1h"}}}};
    res = s.client().Post("/api/launch", auth, bad_time.dump(), "application/json");
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["field"] == "slurm.time");
    const json elsewhere = {{"run", "counted_20261122023840@local.1"}, {"job", "J"}, {"machine", "narval"}};
    res = s.client().Post("/api/launch", auth, elsewhere.dump(), "application/json");
    CHECK(res->status == 400);
    CHECK(json::parse(res->body) == json{{"error", "no machine \"narval\" in this dashboard"}, {"field", "machine"}});
}

TEST_CASE("a launch asking for a partition or GPU type the machine does not allow answers 400 at its field") {
    const auto dir = test::temp_dir();
    test::write_script(dir / "bin", "allowedapp-cli", R"(echo '{"count": 1}')");
    test::ScopedEnv path("PATH", (dir / "bin").string() + ":" + std::getenv("PATH"));
    std::filesystem::create_directories(dir / "jobs");
    test::write_file(dir / "jobs" / "limited_20261122023840.json",
                     R"({"J": {"name": "J", "script": "allowedapp", "script_args": {"count": 1},
                         "script_options": {"count": "--count"}, "dependencies": [], "pre_commands": [],
                         "slurm": {"partition": "debug"}}})");
    Served s(std::chrono::milliseconds(15000),
             {{"allowed_partitions", {"debug", "long"}}, {"allowed_gpu_types", {"fake"}}});
    save_record(dir, "limited_20261122023840", "J", {"COMPLETED", "2026-11-22T03:01:00Z", "0", "00:00:01", "node1", ""});
    const httplib::Headers auth = {{"Authorization", "token " + k_token}};
    auto res = s.client().Get("/api/runs/limited_20261122023840@local.1/jobs/J/launch", auth);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    CHECK(json::parse(res->body)["allowed"] ==
          json{{"local", {{"partitions", {"debug", "long"}}, {"gpu_types", {"fake"}}}}});

    auto launch = [&](const json& slurm) {
        const json body = {{"run", "limited_20261122023840@local.1"}, {"job", "J"}, {"machine", "local"},
                           {"slurm", slurm}};
        return s.client().Post("/api/launch", auth, body.dump(), "application/json");
    };
    res = launch({{"partition", "gpu"}});
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body) ==
          json{{"error", "--partition \"gpu\" is not allowed on machine \"local\"; its allowed_partitions are debug, long"},
               {"field", "slurm.partition"}});
    res = launch({{"gres", "gpu:v100:1"}});
    CHECK(res->status == 400);
    CHECK(json::parse(res->body) ==
          json{{"error", "--gres \"gpu:v100:1\": GPU type \"v100\" is not allowed on machine \"local\"; its "
                         "allowed_gpu_types are fake"},
               {"field", "slurm.gres"}});
    res = launch({{"partition", ""}});
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["field"] == "slurm.partition");
    size_t bundles = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir / "jobs")) ++bundles;
    CHECK(bundles == 1);  // nothing written
}

TEST_CASE("the event stream starts with retry: and an update, then pings while nothing changes") {
    Served s(std::chrono::milliseconds(100));
    auto c = s.client();
    std::string received;
    c.Get("/api/events", {{"Authorization", "token " + k_token}},
          [&](const char* data, size_t length) {
              received.append(data, length);
              return received.find(": ping") == std::string::npos;  // enough: stop reading
          });
    CHECK(received.starts_with("retry: 3000\n\nevent: update\ndata: {\"version\":1}\n\n"));
    CHECK(received.find(": ping\n\n") != std::string::npos);
}
