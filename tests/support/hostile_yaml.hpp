// YAML that attacks the config loader, shared by the unit and end-to-end tests.
#pragma once

#include <string>

namespace outboxd::test {

// `levels` lines of nine aliases each under a first line of nine scalars: 9^(levels+1) nodes once
// the aliases are followed, from a few hundred bytes. Keys l0..l<levels>, each line indented by
// `indent` (the body of a `config:` mapping). Seven levels took 562 MB to convert before the loader
// had a node budget; one more ended in std::bad_alloc.
inline std::string alias_bomb_yaml(const std::string &indent, int levels = 7) {
  std::string y = indent + "l0: &l0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= levels; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    y += indent + "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) y += (k ? ", " : "") + prev;
    y += "]\n";
  }
  return y;
}

}  // namespace outboxd::test
