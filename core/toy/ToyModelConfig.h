#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>

#include <string>
#include <vector>

namespace featurescope {

class SettingsReader;

// The four toy models of Elhage et al. (2022), "Toy Models of Superposition".
enum class ToyModelKind {
    Linear,      // x' = WᵀW x + b
    ReluOutput,  // x' = ReLU(WᵀW x + b)            (tied weights; the paper's main model)
    ReluHidden,  // h = ReLU(W x), x' = ReLU(Wᵀh + b)  (privileged hidden basis)
    UntiedAbs,   // h = ReLU(W₁x), y = ReLU(W₂h + b), x_i ~ U[-1,1], target |x|  (computation in superposition)
};

std::string toyModelKindName(ToyModelKind kind);       // "linear", "relu-output", "relu-hidden", "untied-abs"
ToyModelKind toyModelKindFromName(const std::string& name); // throws InputError

// What the model is and what data it sees. Each instance is an independent model with its own feature probabilities
// (a sparsity sweep puts one sparsity per instance).
struct ToyModelConfig {
    int features = 5;   // n
    int hidden = 2;     // m
    ToyModelKind kind = ToyModelKind::ReluOutput;
    double importanceDecay = 1.0; // I_i = r^i
    // Optional per-instance importance [instance][feature] (phase diagrams vary it); overrides the decay when set.
    std::vector<std::vector<double>> instanceImportance;
    // featureProbability[instance][feature]: probability that the feature is non-zero (1 - S).
    std::vector<std::vector<double>> featureProbability{std::vector<double>(5, 0.05)};

    // Smallest feature probability accepted. Below it a batch almost never holds an active feature (so nothing
    // trains), and the sampler's geometric gaps leave every integer range.
    static constexpr double kMinFeatureProbability = 1e-9;

    int instances() const { return static_cast<int>(featureProbability.size()); }
    bool tied() const { return kind != ToyModelKind::UntiedAbs; }
    double importance(int instance, int feature) const;

    // The same probability p for every feature of `instances` instances.
    static std::vector<std::vector<double>> sharedProbability(int features, int instances, double p);
    // A sparsity sweep: instance k gets p = pMin^(t_k), t evenly spaced in [0, 1] (p from 1 down to pMin).
    static std::vector<std::vector<double>> sweepProbabilities(int features, int instances, double pMin);

    // Throws InputError with a one-line message when a parameter is out of range.
    void validate() const;

    // The scalar part of a config as written by to_json (sessions, model files and CLI reports share this one
    // spelling); model files written before it used "n", "m" and "model", which are still read. The per-instance
    // probabilities and importances are stored as arrays by the caller, so `featureProbability` comes back empty
    // and `instances` says how many rows the caller must supply before calling validate().
    static ToyModelConfig headerFromJson(const SettingsReader& settings, std::int64_t& instances);
};

// {"features", "hidden", "kind", "importance_decay", "instances"}.
void to_json(nlohmann::json& j, const ToyModelConfig& config);

} // namespace featurescope
