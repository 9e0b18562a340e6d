#include <doctest/doctest.h>

#include "milex/util/document.hpp"
#include "unit/support.hpp"

using namespace milex::util;

TEST_CASE("JSON keys remember their lines") {
    auto doc = parse_json_document("{\n  \"local\": {\n    \"path\": \"/x\",\n\n    \"acount\": 1\n  }\n}\n", "c.json");
    REQUIRE(doc);
    CHECK(doc->where("/local") == "c.json:2");
    CHECK(doc->where("/local/path") == "c.json:3");
    CHECK(doc->where("/local/acount") == "c.json:5");
    CHECK(doc->where("/nowhere") == "c.json");
}

TEST_CASE("a JSON syntax error names line and column") {
    auto doc = parse_json_document("{\n  \"local\": {\n    \"path\" \"/x\"\n  }\n}\n", "c.json");
    REQUIRE_FALSE(doc);
    CHECK(doc.error() ==
          "c.json:3:15: invalid JSON: syntax error while parsing object separator - unexpected string literal; "
          "expected ':'");
}

TEST_CASE("a key given twice is refused") {
    auto doc = parse_json_document("{\"a\": {\"path\": 1,\n \"path\": 2}}", "c.json");
    REQUIRE_FALSE(doc);
    CHECK(doc.error() == "c.json:2: key \"a.path\" is given twice; keep one");
}

TEST_CASE("YAML reads into the same tree, typed, with lines") {
    auto doc = parse_yaml_document("local:\n  path: ~/milex\n  port: 22\n  name: '22'\n  flag: true\n  modules: [a, b]\n",
                                   "c.yaml");
    REQUIRE(doc);
    CHECK(doc->root["local"]["path"] == "~/milex");
    CHECK(doc->root["local"]["port"] == 22);
    CHECK(doc->root["local"]["name"] == "22");
    CHECK(doc->root["local"]["flag"] == true);
    CHECK(doc->root["local"]["modules"] == nlohmann::ordered_json::array({"a", "b"}));
    CHECK(doc->where("/local/port") == "c.yaml:3");
    auto numbers = parse_yaml_document("a: 1.5\nb: -3\nc: 1e3\nd: 0x10\ne: inf\nf: 12abc\n", "n.yaml");
    REQUIRE(numbers);
    CHECK(numbers->root["a"] == 1.5);
    CHECK(numbers->root["b"] == -3);
    CHECK(numbers->root["c"] == 1000.0);
    CHECK(numbers->root["d"] == "0x10");
    CHECK(numbers->root["e"] == "inf");
    CHECK(numbers->root["f"] == "12abc");
}

TEST_CASE("a YAML syntax error names line and column") {
    auto doc = parse_yaml_document("local:\n  path: [unclosed\n", "c.yaml");
    REQUIRE_FALSE(doc);
    CHECK(doc.error().rfind("c.yaml:3:1: invalid YAML: ", 0) == 0);
}

TEST_CASE("strings that YAML would read as another type are written quoted, and read back as strings") {
    const std::vector<std::string> values = {
        "true", "false", "True", "FALSE", "yes", "no", "No", "on", "off", "y", "n", "null", "Null", "~", "",
        "1e3", "1", "-3", "+7", "0.5", ".5", "-.5", "0x10", "0o17", "0b101", "017", "1_000", "2026-01-01",
        "2026-01-01T10:00:00Z", "1:30", "01:00:00", ".inf", "-.inf", ".NaN", "8G", "inf", "nan",
        "a: b", "#not a comment", "- dash", "'single'", "\"double\"", "[list]", "{map}", "*alias", "&anchor",
        "!tag", "%directive", "@at", "`tick", "|pipe", ">fold", "x #y", "trailing ", " leading", "two\nlines",
        "tab\there", "ünïcödé", "~/milex", "$SCRATCH/milex", "source ~/venv/bin/activate", "cuda/12",
    };
    nlohmann::ordered_json root = {{"local", nlohmann::ordered_json::object()}};
    for (size_t i = 0; i < values.size(); ++i) root["local"]["k" + std::to_string(i)] = values[i];
    root["local"]["list"] = values;
    root["local"]["number"] = 22;
    root["local"]["real"] = 0.25;
    root["local"]["flag"] = true;
    root["local"]["nothing"] = nullptr;
    root["yes"] = {{"path", "/x"}};  // a key too
    const std::string text = dump_yaml(root);
    auto back = parse_yaml_document(text, "c.yaml");
    REQUIRE_MESSAGE(back, text);
    CHECK_MESSAGE(back->root == root, text);
    CHECK(text.find(": \"no\"\n") != std::string::npos);
    CHECK(text.find(": \"2026-01-01\"\n") != std::string::npos);
    CHECK(text.find("\"yes\":\n  path: /x\n") != std::string::npos);
    // What reads as a string anywhere stays plain, so the file stays easy to read.
    CHECK(text.find(": ~/milex\n") != std::string::npos);
    CHECK(text.find(": source ~/venv/bin/activate\n") != std::string::npos);
    CHECK(text.find("  number: 22\n  real: 0.25\n  flag: true\n") != std::string::npos);
}

TEST_CASE("which plain scalars are not strings to some YAML reader") {
    for (const char* text :
         {"true", "Off", "Y", "null", "~", "", "12", "1e3", "0x1F", "2026-01-01", "-1", ".5", ".inf"})
        CHECK_MESSAGE(yaml_plain_is_not_a_string(text), text);
    for (const char* text : {"train", "truely", "nope", "x1", "-x", ".hidden", "~/milex", "inf", "gpu:1"})
        CHECK_FALSE_MESSAGE(yaml_plain_is_not_a_string(text), text);
}

TEST_CASE("one rule tells YAML from JSON: the name's extension, else the first character") {
    CHECK(is_yaml("c.yaml", "{}"));
    CHECK(is_yaml("c.yml", ""));
    CHECK_FALSE(is_yaml("sweep.json", "lr: [1]"));
    CHECK_FALSE(is_yaml("~/.milexconfig", "\n  {\"local\": {}}"));
    CHECK_FALSE(is_yaml("~/.milexconfig", "[1]"));
    CHECK(is_yaml("~/.milexconfig", "local:\n  path: ~/milex\n"));
    CHECK(is_yaml("sweep", "lr: [0.1, 0.2]\n"));
}

TEST_CASE("YAML that is not UTF-8 is refused at its first bad byte") {
    // Found by fuzzing (fuzz_sweep): yaml-cpp passes the byte on, and nlohmann's dump threw
    // type_error 316 when a message quoted the value.
    auto doc = parse_yaml_document("combinations:\n  - {lr: 0.1}\n  - {\xecr: 0.01}\n", "s.yaml");
    REQUIRE_FALSE(doc);
    CHECK(doc.error() == "s.yaml:3:6: invalid YAML: byte 0xec is not UTF-8 text; save the file as UTF-8");
}

TEST_CASE("a number too large for JSON is an invalid-JSON error, not an exception of the parser") {
    // Found by fuzzing (fuzz_sweep, crash-73c4efad88ef7bda8ef766f719e05970123023cf): nlohmann throws
    // out_of_range 406, not parse_error, and it went through the catch.
    auto doc = parse_json_document(std::string("8888889e8888889e\0\0\x93ze\0\0\x93zez", 27), "sweep.json");
    REQUIRE_FALSE(doc);
    CHECK(doc.error() == "sweep.json: invalid JSON: number overflow parsing '8888889e8888889'");
}
