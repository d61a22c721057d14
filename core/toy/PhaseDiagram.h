#pragma once

#include "common/ProgressReporter.h"
#include "toy/TrainingConfig.h"

#include <Eigen/Core>
#include <nlohmann/json_fwd.hpp>

#include <utility>
#include <vector>

namespace featurescope {

// What happened to the extra feature in one cell of a phase diagram (TMS Figure "phase change").
enum class PhaseRegion { NotLearned = 0, Dedicated = 1, Superposition = 2 };

struct PhaseDiagramConfig {
    int features = 3;                         // 2 (with m = 1) or 3 (with m = 2); the last feature is the extra one
    std::vector<double> relativeImportance;   // x: importance of the extra feature relative to the others
    std::vector<double> density;              // y: feature density 1 - S, shared by all features

    int hidden() const { return features - 1; }
    // Log-spaced 0.1..10 and 1..0.01, `size` values each.
    static PhaseDiagramConfig standard(int features, int size);
    void validate() const;
};

struct PhaseDiagramResult {
    PhaseDiagramConfig config;
    std::vector<PhaseRegion> empirical;       // row-major [density][importance]
    std::vector<PhaseRegion> analytic;        // same grid, from the closed-form losses
    std::vector<float> extraNorm;             // ||W_extra|| per cell
    // Per cell: the share of its independently trained runs that ended in the region shown (the lowest-loss run's);
    // 1 = every run agrees. Empty when unknown (sessions from before it was measured).
    std::vector<float> certainty;
    int runsPerCell = 0;                      // how many runs each certainty counts (0 = unknown)
    std::vector<std::vector<std::pair<double, double>>> boundaries; // analytic region boundaries, (x, y) polylines
    double agreement() const;                 // fraction of cells where empirical == analytic
    double meanCertainty() const;             // mean of certainty (NaN when unknown)
};

// Phase diagrams of docs/ARCHITECTURE.md §4: an empirical grid (toy models per cell, trained in parallel as instances of one
// model) beside the analytic regions, each the minimum of the closed-form losses of the candidate solutions.
// training.restarts is the number of independent runs per cell (each its own instance, so they cost one pass): the
// cell shows the run with the lowest final loss, and its certainty is the share of runs that agree with it.
class PhaseDiagram {
public:
    static PhaseDiagramResult compute(const PhaseDiagramConfig& config, const TrainingConfig& training,
                                      ProgressReporter* progress = nullptr);
    // A result from its trained part (e.g. read from a session): checks the config and the sizes (InputError), and
    // adds the analytic regions and boundaries, which are cheap to recompute.
    static PhaseDiagramResult assemble(const PhaseDiagramConfig& config, std::vector<PhaseRegion> empirical,
                                       std::vector<float> extraNorm, std::vector<float> certainty = {},
                                       int runsPerCell = 0);
    // The region a trained model put the extra feature (the last column of W) in.
    static PhaseRegion classify(const Eigen::MatrixXf& W, float* extraNorm = nullptr);
    // The region with the lowest analytic loss for activation probability s and relative weight r.
    static PhaseRegion analyticRegion(int features, double r, double s);
    // Boundaries of the analytic regions over the config's x and y ranges, traced on a fine grid.
    static std::vector<std::vector<std::pair<double, double>>> analyticBoundaries(int features, double xMin,
                                                                                   double xMax, double yMin,
                                                                                   double yMax);
    static nlohmann::json toJson(const PhaseDiagramResult& result);
};

} // namespace featurescope
