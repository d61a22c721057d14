#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <vector>

namespace featurescope {

class SettingsReader;

// How a toy model is trained. Defaults are the reference notebook's.
struct TrainingConfig {
    int steps = 10000;
    int batch = 1024;
    double learningRate = 1e-3;
    bool adamW = false;
    double weightDecay = 0.01; // used only with AdamW
    std::uint64_t seed = 0;
    int restarts = 1;          // best of k restarts, per instance, by final loss
    int snapshotCount = 40;    // W and b are stored at this many (log-spaced) steps for replay
    int threads = 1;           // instances train in parallel on this many threads

    // Memory guard: refuse configurations whose working set would not fit comfortably.
    static constexpr double kMaxWorkingSetBytes = 4.0e9;

    void validate(int features, int hidden, int instances) const;
    // From session JSON written by to_json (hostile: every key is checked; InputError names it).
    static TrainingConfig fromJson(const SettingsReader& settings);
    std::vector<int> snapshotSteps() const;
};

void to_json(nlohmann::json& j, const TrainingConfig& config);

} // namespace featurescope
