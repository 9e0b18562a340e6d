#include <doctest/doctest.h>

#include "milex/transport/connect.hpp"
#include "milex/transport/openssh_transport.hpp"
#include "milex/transport/ssh_config.hpp"
#include "unit/support.hpp"

using namespace milex;
using transport::parse_ssh_g;

TEST_CASE("ssh -G output gives host, user, port, identity and known_hosts files, proxies") {
    const auto target = parse_ssh_g("host narval\nhostname narval.alliancecan.ca\nuser ada\nport 2200\n"
                                    "identityfile ~/.ssh/id_ed25519\nidentityfile /keys/other\n"
                                    "userknownhostsfile ~/.ssh/known_hosts ~/.ssh/known_hosts2\n"
                                    "proxyjump gateway\nhostkeyalias narval-login\n",
                                    "/home/ada");
    CHECK(target.host == "narval.alliancecan.ca");
    CHECK(target.user == "ada");
    CHECK(target.port == 2200);
    CHECK(target.identity_files == std::vector<std::string>{"/home/ada/.ssh/id_ed25519", "/keys/other"});
    CHECK(target.known_hosts_files == std::vector<std::string>{"/home/ada/.ssh/known_hosts", "/home/ada/.ssh/known_hosts2"});
    CHECK(target.proxy_jump == "gateway");
    CHECK(target.proxied());
    CHECK(target.known_hosts_name() == "narval-login");
    auto plain = parse_ssh_g("hostname 10.0.0.1\nport 22\nproxycommand none\n", "/h");
    CHECK_FALSE(plain.proxied());
    CHECK(plain.known_hosts_name() == "10.0.0.1");
    plain.port = 2222;
    CHECK(plain.known_hosts_name() == "[10.0.0.1]:2222");
}

TEST_CASE("keepalives: ssh_config's ServerAliveInterval, else every 30 s (ssh -G prints 0 when unset)") {
    CHECK(parse_ssh_g("hostname a\nserveraliveinterval 0\n", "/h").server_alive_interval == 30);
    CHECK(parse_ssh_g("hostname a\n", "/h").server_alive_interval == 30);
    CHECK(parse_ssh_g("hostname a\nserveraliveinterval 5\n", "/h").server_alive_interval == 5);
}

TEST_CASE("the machine's own keys win over ~/.ssh/config") {
    const auto config = test::temp_dir() / "ssh_config";
    test::write_file(config, "Host narval\n  HostName narval.example\n  User ada\n  Port 2200\n"
                             "  IdentityFile /keys/from-config\n");
    test::ScopedEnv env("MILEX_SSH_CONFIG", config.string());
    model::Machine machine;
    machine.name = "narval";
    machine.hostname = "narval";
    auto target = transport::resolve_target(machine);
    CHECK(target.host == "narval.example");
    CHECK(target.user == "ada");
    CHECK(target.port == 2200);
    CHECK(target.identity_files == std::vector<std::string>{"/keys/from-config"});
    machine.username = "bob";
    machine.port = 22;
    machine.key_path = "/keys/mine";
    target = transport::resolve_target(machine);
    CHECK(target.user == "bob");
    CHECK(target.port == 22);
    CHECK(target.identity_files == std::vector<std::string>{"/keys/mine"});
}

TEST_CASE("the openssh master gets each option and its value as separate words") {
    test::ScopedEnv env("MILEX_SSH_CONFIG", "/tmp/cfg");
    model::Machine machine;
    machine.name = "m";
    machine.hosturl = "10.0.0.1";
    machine.username = "ada";
    machine.port = 2222;
    machine.key_path = "/keys/id";
    transport::SshTarget target;
    target.identity_files = {"/keys/id"};
    auto argv = transport::openssh_master_argv(machine, target, "/run/x/cm-%C", true);
    const std::vector<std::string> start = {"ssh", "-F", "/tmp/cfg", "-p", "2222", "-l", "ada", "-i", "/keys/id"};
    CHECK(std::vector<std::string>(argv.begin(), argv.begin() + 9) == start);
    CHECK(std::find(argv.begin(), argv.end(), "ControlPath=/run/x/cm-%C") != argv.end());
    CHECK(std::find(argv.begin(), argv.end(), "BatchMode=yes") != argv.end());
    CHECK(argv[argv.size() - 2] == "10.0.0.1");
    CHECK(argv.back() == "exec /bin/sh");
    for (const auto& word : argv) CHECK_MESSAGE((word.find(" ") == std::string::npos || word == "exec /bin/sh"), word);
    CHECK(std::find(argv.begin(), argv.end(), "BatchMode=yes") != argv.end());
    auto interactive = transport::openssh_master_argv(machine, target, "/run/x/cm-%C", false);
    CHECK(std::find(interactive.begin(), interactive.end(), "BatchMode=yes") == interactive.end());
}

TEST_CASE("a shared master kept by the user's ssh_config is used instead of one of milex's own") {
    const auto shared = transport::parse_ssh_g("hostname login.cluster\ncontrolmaster auto\n"
                                               "controlpath /home/ada/.ssh/cm-4f8e05\ncontrolpersist 600\n",
                                               "/home/ada");
    CHECK(shared.shared_control_path == "/home/ada/.ssh/cm-4f8e05");
    // Without ControlPersist the master ends with the user's first session: not one to share.
    CHECK(transport::parse_ssh_g("controlmaster auto\ncontrolpath /c\ncontrolpersist no\n", "/h").shared_control_path.empty());
    CHECK(transport::parse_ssh_g("controlmaster false\ncontrolpath /c\ncontrolpersist 600\n", "/h").shared_control_path.empty());
    model::Machine machine;
    machine.hostname = "cluster";
    auto argv = transport::openssh_master_argv(machine, shared, "/run/x/cm-%C", false);
    CHECK(std::find(argv.begin(), argv.end(), "ControlPath=/home/ada/.ssh/cm-4f8e05") != argv.end());
    CHECK(std::find(argv.begin(), argv.end(), "ControlMaster=auto") != argv.end());
    CHECK(std::find(argv.begin(), argv.end(), "ControlPersist=no") == argv.end());
}

TEST_CASE("auto chooses openssh for proxies, RSA-only keys and a missing libssh2, else libssh2") {
    using model::TransportKind;
    model::Machine machine;
    machine.hostname = "narval";
    transport::SshTarget target;
    CHECK(transport::choose_transport(machine, target, true, false).kind == TransportKind::libssh2);
    CHECK(transport::choose_transport(machine, target, false, false).kind == TransportKind::openssh);
    target.proxy_jump = "gateway";
    CHECK(transport::choose_transport(machine, target, true, false).reason == "ssh -G shows a ProxyJump");
    target.proxy_jump.clear();
    const auto rsa = test::temp_dir() / "id_rsa";
    test::write_file(rsa, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
    target.identity_files = {rsa.string(), "/nonexistent/id_ed25519"};
    CHECK(transport::choose_transport(machine, target, true, false).kind == TransportKind::openssh);
    CHECK(transport::choose_transport(machine, target, true, true).kind == TransportKind::libssh2);
    machine.transport = TransportKind::libssh2;
    CHECK(transport::choose_transport(machine, target, true, false).kind == TransportKind::libssh2);
}
