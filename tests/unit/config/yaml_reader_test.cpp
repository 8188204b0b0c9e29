// Typed YAML reads (config/yaml_reader.hpp).
#include <catch2/catch.hpp>

#include "meshgate/config/yaml_reader.hpp"

using namespace meshgate::config;

namespace {

yaml_reader::lookup_fn env_with(std::string name, std::string value) {
  return [name = std::move(name), value = std::move(value)](std::string_view n) -> std::optional<std::string> {
    if (n == name) return value;
    return std::nullopt;
  };
}

slot value_slot(const std::string& yaml) { return slot{YAML::Load(yaml)["v"], "v", 1}; }

}  // namespace

TEST_CASE("parse_number accepts decimal and exponent forms only") {
  CHECK(parse_number("600") == 600);
  CHECK(parse_number("3e-7") == 3e-7);
  CHECK(parse_number(" 1.5 ") == 1.5);
  CHECK(parse_number("+2") == 2);
  CHECK(parse_number("-0.5") == -0.5);
  CHECK_FALSE(parse_number(""));
  CHECK_FALSE(parse_number("+"));
  CHECK_FALSE(parse_number("0x10"));
  CHECK_FALSE(parse_number("inf"));
  CHECK_FALSE(parse_number("nan"));
  CHECK_FALSE(parse_number("1e999"));
  CHECK_FALSE(parse_number("12abc"));
  CHECK_FALSE(parse_number("+-1"));
}

TEST_CASE("paths join keys with dots and indexes with brackets") {
  CHECK(child_path("", "model_list") == "model_list");
  CHECK(child_path(item_path("model_list", 3), "litellm_params") == "model_list[3].litellm_params");
}

TEST_CASE("the first error is kept and formatted with file, line and path") {
  yaml_reader rd("c.yaml", nullptr);
  CHECK(rd.ok());
  rd.fail(3, "a.b", "first");
  rd.fail(4, "c", "second");
  CHECK(rd.error() == "c.yaml:3: a.b: first");
  yaml_reader no_line("c.yaml", nullptr);
  no_line.fail(0, "", "whole file");
  CHECK(no_line.error() == "c.yaml: whole file");
}

TEST_CASE("section variables shadow the injected environment") {
  yaml_reader rd("c.yaml", env_with("A", "process"));
  CHECK(rd.lookup("A") == "process");
  rd.set_section_variables({{"A", "section"}});
  CHECK(rd.lookup("A") == "section");
  CHECK_FALSE(rd.lookup("B"));
}

TEST_CASE("a scalar from os.environ remembers its variable and is not resolved twice") {
  yaml_reader rd("c.yaml", env_with("A", "os.environ/B"));
  auto v = rd.scalar(value_slot("v: os.environ/A"), "must be a string");
  REQUIRE(v);
  CHECK(v->text == "os.environ/B");
  CHECK(v->env_name == "A");
}

TEST_CASE("null and absent values read as unset without error") {
  yaml_reader rd("c.yaml", nullptr);
  CHECK_FALSE(rd.text(value_slot("v: ~")));
  CHECK_FALSE(rd.seconds(slot{}));
  auto e = rd.entries(value_slot("v:"));
  REQUIRE(e);
  CHECK(e->empty());
  CHECK(rd.ok());
}

TEST_CASE("whole numbers accept integral floats and strings") {
  yaml_reader rd("c.yaml", nullptr);
  CHECK(rd.whole(value_slot("v: 3.0"), 0, 5) == 3);
  CHECK(rd.whole(value_slot("v: '4'"), 0, 5) == 4);
  CHECK(rd.ok());
}

TEST_CASE("merge keys expand in place; explicit keys and earlier sources win") {
  yaml_reader rd("c.yaml", nullptr);
  auto root = YAML::Load("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nv:\n  w: 0\n  <<: [*a, *b]\n  x: 9\n");
  auto e = rd.entries(slot{root["v"], "v", 3});
  REQUIRE(e);
  std::vector<std::string> keys;
  for (const auto& x : *e) keys.push_back(x.key + "=" + x.value.node.Scalar());
  CHECK(keys == std::vector<std::string>{"w=0", "y=1", "z=2", "x=9"});
  CHECK(e->at(1).value.path == "v.y");
  CHECK(e->at(1).value.line == 1);
}

TEST_CASE("a quoted << is an ordinary key") {
  yaml_reader rd("c.yaml", nullptr);
  auto e = rd.entries(value_slot("v: {\"<<\": 1}"));
  REQUIRE(e);
  REQUIRE(e->size() == 1);
  CHECK(e->at(0).key == "<<");
}

TEST_CASE("map keys must be strings") {
  yaml_reader rd("c.yaml", nullptr);
  CHECK_FALSE(rd.entries(slot{YAML::Load("v:\n  [a]: 1\n")["v"], "v", 1}));
  CHECK(rd.error() == "c.yaml:2: v: keys must be strings");
}
