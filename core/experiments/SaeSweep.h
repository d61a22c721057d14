#pragma once

#include "experiments/SaeExperimentConfig.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

// One sweep of one SAE recipe: a base experiment and the values of its sparsity parameter (λ, or k for the TopK
// recipes), each trained with `seeds` seeds (base.training.seed, +1, ...).
struct SaeSweepSpec {
    std::string name; // what a legend calls this sweep ("TM 2023"); empty: the recipe's name
    SaeExperimentConfig base;
    std::vector<double> values;
    int seeds = 3;

    bool sweepsK() const { return base.sae.selectsTopK(); }
    std::string parameterName() const { return sweepsK() ? "k" : "l1"; }
    std::string displayName() const; // name, or the recipe's name
    // The experiment of one point: base with the value and the seed set.
    SaeExperimentConfig configFor(double value, int seedIndex) const;
    // Throws InputError with one line (1-64 values, k whole and within d_sae, λ in [0, 1000], 1-100 seeds).
    void validate() const;
};

// One trained run of a sweep point: the numbers of `featurescope sae --json` that a sweep reports.
struct SaeSweepRun {
    std::uint64_t seed = 0;
    std::string status; // "finished", "diverged", "cancelled"
    std::map<std::string, double> metrics; // SaeSweep::metricKeys() the run has (ground truth only where known)
};

// One value of the swept parameter: its runs and their mean and sample standard deviation per metric (a metric
// enters the mean only when every run has a finite value of it).
struct SaeSweepPoint {
    double value = 0.0;
    std::vector<SaeSweepRun> runs;
    std::map<std::string, double> mean;
    std::map<std::string, double> std;
    bool pareto = false; // no other point of its sweep has both lower mean L0 and lower mean MSE

    bool has(const std::string& key) const { return mean.count(key) > 0; }
    double meanOf(const std::string& key, double otherwise = 0.0) const;
    double stdOf(const std::string& key, double otherwise = 0.0) const;
};

struct SaeSweepSeries {
    SaeSweepSpec spec;
    std::vector<SaeSweepPoint> points; // in the order of spec.values (only the finished ones while running)
    std::vector<std::size_t> paretoFront;

    // The JSON of `featurescope sae-sweep --json` for this sweep.
    nlohmann::json toJson() const;
    // Reads toJson()'s output back (a session): every key type- and range-checked, InputError naming `where`. The
    // spec keeps what the JSON says (name, recipe, values, seeds, source, d_sae, steps, batch, first seed).
    static SaeSweepSeries fromJson(const nlohmann::json& j, const std::string& where);
};

// Sweeps of SAE recipes (the L0-versus-MSE trade-off), one code path for the Feature activations panel's sweep view
// and `featurescope sae-sweep`. Every run is SaeExperiment::train of that point's config, so a point is exactly the
// `sae` run with those settings; the runs share one SaeSourceFactory (a trained MLP is trained once).
class SaeSweep {
public:
    // The metrics a sweep reports per run.
    static const std::vector<std::string>& metricKeys();

    // Before each run: its number (1-based), the total, the sweep, the value and the seed.
    using RunStarted = std::function<void(int run, int total, const SaeSweepSpec& spec, double value, std::uint64_t seed)>;
    // After each point (all its seeds): every series so far, the last one possibly incomplete.
    using PointFinished = std::function<void(const std::vector<SaeSweepSeries>& soFar)>;

    // Runs every spec in turn. Validates all specs first (InputError); throws Cancelled when `progress` is cancelled.
    static std::vector<SaeSweepSeries> run(const std::vector<SaeSweepSpec>& specs, const ProgressReporter& progress,
                                           const RunStarted& runStarted = {}, const PointFinished& pointFinished = {});

    // Mean and standard deviation of the runs' metrics.
    static SaeSweepPoint aggregate(double value, std::vector<SaeSweepRun> runs);
    // Indices of the points no other point beats on both L0 and MSE (lower is better for both).
    static std::vector<std::size_t> paretoFront(const std::vector<double>& l0, const std::vector<double>& mse);
    // Sets each point's `pareto` flag and the series' front from the points' mean L0 and MSE.
    static void markParetoFront(SaeSweepSeries& series);
};

} // namespace featurescope
