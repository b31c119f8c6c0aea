// Per-call instruction counts from a callgrind output file written with
// --combine-dumps=yes by a driver that calls the allocator through the
// measured sites of heap_subjects.hpp (a tool of test/bench/run.sh).
//
//   cg_percall FILE [OFFSET_ALLOC OFFSET_FREE]
//
// In every dump (a "part" of the file) each site was used at most once, so
// the inclusive cost on a site's call arc(s) is one call's instruction count.
// The OFFSETs, if given, are subtracted from every count (the noop baseline's
// per-call count, when net figures are wanted; run.sh passes 0 0: the arc
// cost has no measurement overhead to remove).
//
// Prints one CSV line per dump label (the driver's phase, "workload:phase")
// and per workload ("workload:*"), and per operation:
//   label,op,calls,median,p99,max,mean
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

struct Part {
  std::string label = "start";
  std::unordered_map<long, unsigned long long> cost;  // per site function id
  std::unordered_map<long, unsigned long long> calls;
};

std::unordered_map<long, std::string> names; // compressed id -> name
std::map<std::pair<std::string, std::string>, std::vector<unsigned long long>> samples;
long long offset[2];
unsigned long multi_calls;

// "(id) name" or "(id)": returns id, records the name.
long name_ref(const char *s) {
  if (*s != '(') return -1;
  char *end;
  const long id = strtol(s + 1, &end, 10);
  if (*end == ')' && end[1] == ' ') names[id] = end + 2;
  return id;
}

void flush(Part &part) {
  for (const auto &[id, c] : part.cost) {
    const std::string &n = names[id];
    const char *op = n.find("alloc_site<") != std::string::npos  ? "alloc"
                     : n.find("free_site<") != std::string::npos ? "free"
                                                                  : nullptr;
    if (op == nullptr) continue;
    const unsigned long long k = part.calls[id];
    if (k != 1) ++multi_calls;
    long long v = static_cast<long long>(c / (k ? k : 1)) - offset[op[0] == 'f'];
    if (v < 0) v = 0;
    for (unsigned long long i = 0; i < k; ++i) samples[{part.label, op}].push_back(static_cast<unsigned long long>(v));
  }
  part = Part{};
}

void print(const std::string &label, const char *op, std::vector<unsigned long long> &v) {
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  size_t i99 = (n * 99 + 99) / 100;
  if (i99 > 0) --i99;
  long double sum = 0;
  for (unsigned long long x : v) sum += x;
  printf("%s,%s,%zu,%llu,%llu,%llu,%.2Lf\n", label.c_str(), op, n, v[(n - 1) / 2], v[i99], v.back(),
         sum / n);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2 && argc != 4) {
    fprintf(stderr, "usage: %s CALLGRIND_FILE [OFFSET_ALLOC OFFSET_FREE]\n", argv[0]);
    return 2;
  }
  if (argc == 4) {
    offset[0] = atoll(argv[2]);
    offset[1] = atoll(argv[3]);
  }
  FILE *f = fopen(argv[1], "r");
  if (f == nullptr) {
    perror(argv[1]);
    return 1;
  }
  static char line[1 << 16];
  Part part;
  long fn = -1;
  bool cost_next = false;
  unsigned long long call_count = 0;
  static const char trigger[] = "desc: Trigger: Client Request: ";
  while (fgets(line, sizeof line, f) != nullptr) {
    line[strcspn(line, "\n")] = '\0';
    if (cost_next) { // "<position> <inclusive cost>" after a calls= line
      cost_next = false;
      const char *last = strrchr(line, ' ');
      if (last != nullptr && fn >= 0) {
        part.cost[fn] += strtoull(last + 1, nullptr, 10);
        part.calls[fn] += call_count;
      }
      continue;
    }
    if (strncmp(line, "calls=", 6) == 0) {
      call_count = strtoull(line + 6, nullptr, 10);
      cost_next = true;
    } else if (strncmp(line, "fn=", 3) == 0) {
      fn = name_ref(line + 3);
    } else if (strncmp(line, "cfn=", 4) == 0) {
      name_ref(line + 4);
    } else if (strncmp(line, "part:", 5) == 0) {
      flush(part);
      fn = -1;
    } else if (strncmp(line, trigger, sizeof trigger - 1) == 0) {
      part.label = line + sizeof trigger - 1;
    } else if (strncmp(line, "desc: Trigger:", 14) == 0) {
      part.label = "end";
    }
  }
  flush(part);
  fclose(f);
  std::map<std::pair<std::string, std::string>, std::vector<unsigned long long>> groups;
  for (auto &[key, v] : samples) {
    const std::string w = key.first.substr(0, key.first.find(':')) + ":*";
    auto &g = groups[{w, key.second}];
    g.insert(g.end(), v.begin(), v.end());
  }
  for (auto &[key, v] : samples) print(key.first, key.second.c_str(), v);
  for (auto &[key, v] : groups) print(key.first, key.second.c_str(), v);
  if (multi_calls != 0) fprintf(stderr, "cg_percall: %lu site arcs with more than one call per dump\n", multi_calls);
  return 0;
}
