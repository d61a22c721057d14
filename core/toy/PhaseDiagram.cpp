#include "toy/PhaseDiagram.h"

#include "common/InputError.h"
#include "geometry/FeatureMeasures.h"
#include "toy/ToyTrainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

namespace featurescope {

namespace {
std::vector<double> logSpace(double from, double to, int count)
{
    std::vector<double> v;
    for (int k = 0; k < count; ++k) {
        const double t = count > 1 ? double(k) / (count - 1) : 0.0;
        v.push_back(from * std::pow(to / from, t));
    }
    return v;
}
const char* regionName(PhaseRegion r)
{
    switch (r) {
    case PhaseRegion::NotLearned: return "not learned";
    case PhaseRegion::Dedicated: return "dedicated";
    case PhaseRegion::Superposition: return "superposition";
    }
    return "not learned";
}
} // namespace

PhaseDiagramConfig PhaseDiagramConfig::standard(int features, int size)
{
    PhaseDiagramConfig c;
    c.features = features;
    c.relativeImportance = logSpace(0.1, 10.0, size);
    c.density = logSpace(1.0, 0.01, size);
    return c;
}

void PhaseDiagramConfig::validate() const
{
    if (features != 2 && features != 3)
        throw InputError("phase diagrams are defined for n=2, m=1 and n=3, m=2 (got n=" + std::to_string(features) + ")");
    if (relativeImportance.empty() || density.empty())
        throw InputError("the phase-diagram grid needs at least one importance and one density");
    if (relativeImportance.size() * density.size() > 4096)
        throw InputError("the phase-diagram grid may have at most 4096 cells");
    for (double r : relativeImportance)
        if (!(r > 0.0 && r <= 1e3))
            throw InputError("relative importances must be in (0, 1000]");
    for (double s : density)
        if (!(s > 0.0 && s <= 1.0))
            throw InputError("densities must be in (0, 1]");
}

PhaseRegion PhaseDiagram::analyticRegion(int features, double r, double s)
{
    // Losses (summed over features) of the candidate solutions, docs/ARCHITECTURE.md §4. A dropped feature with density s and
    // values U[0,1] costs s/3 - s²/4 with its best bias s/2; an antipodal pair of importances a, b costs (a+b)s²/6.
    const double drop = s / 3.0 - s * s / 4.0;
    std::vector<std::pair<double, PhaseRegion>> candidates{
        {r * drop, PhaseRegion::NotLearned},            // drop the extra feature
        {drop, PhaseRegion::Dedicated},                 // drop (one of) the first feature(s), extra gets a dimension
        {(1.0 + r) * s * s / 6.0, PhaseRegion::Superposition}, // antipodal pair with the extra feature
    };
    if (features == 3)
        candidates.push_back({2.0 * s * s / 6.0, PhaseRegion::Dedicated}); // first two antipodal, extra dedicated
    return std::min_element(candidates.begin(), candidates.end(),
                            [](const auto& a, const auto& b) { return a.first < b.first; })
        ->second;
}

std::vector<std::vector<std::pair<double, double>>> PhaseDiagram::analyticBoundaries(int features, double xMin,
                                                                                      double xMax, double yMin,
                                                                                      double yMax)
{
    // Scan rows of a fine log grid; every change of region between neighbouring columns is a boundary point, and
    // points are grouped into one polyline per pair of regions.
    constexpr int kFine = 240;
    std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> curves;
    const auto xs = logSpace(xMin, xMax, kFine);
    const auto ys = logSpace(yMin, yMax, kFine);
    for (double y : ys) {
        PhaseRegion previous = analyticRegion(features, xs[0], y);
        for (int k = 1; k < kFine; ++k) {
            const PhaseRegion current = analyticRegion(features, xs[static_cast<std::size_t>(k)], y);
            if (current != previous) {
                const double x = std::sqrt(xs[static_cast<std::size_t>(k - 1)] * xs[static_cast<std::size_t>(k)]);
                curves[{std::min(int(previous), int(current)), std::max(int(previous), int(current))}].push_back({x, y});
            }
            previous = current;
        }
    }
    std::vector<std::vector<std::pair<double, double>>> result;
    for (auto& [key, points] : curves)
        if (points.size() >= 2)
            result.push_back(std::move(points));
    return result;
}

PhaseDiagramResult PhaseDiagram::compute(const PhaseDiagramConfig& config, const TrainingConfig& training,
                                         ProgressReporter* progress)
{
    config.validate();
    ToyModelConfig model;
    model.features = config.features;
    model.hidden = config.hidden();
    model.featureProbability.clear();
    // Each cell's runs are instances of their own (independent initialisations, one training pass for all).
    const int runs = std::max(1, training.restarts);
    for (double s : config.density)
        for (double r : config.relativeImportance)
            for (int run = 0; run < runs; ++run) {
                model.featureProbability.emplace_back(static_cast<std::size_t>(config.features), s);
                std::vector<double> importance(static_cast<std::size_t>(config.features), 1.0);
                importance.back() = r;
                model.instanceImportance.push_back(importance);
            }
    TrainingConfig oneEach = training;
    oneEach.restarts = 1;
    const ToyTrainingResult trained = ToyTrainer::train(model, oneEach, progress);

    std::vector<PhaseRegion> empirical;
    std::vector<float> extraNorm, certainty;
    const int cells = trained.model.instanceCount() / runs;
    for (int cell = 0; cell < cells; ++cell) {
        int best = cell * runs;
        for (int k = cell * runs; k < (cell + 1) * runs; ++k)
            if (trained.finalLoss[static_cast<std::size_t>(k)] < trained.finalLoss[static_cast<std::size_t>(best)])
                best = k;
        float norm = 0.0f;
        const PhaseRegion region = classify(trained.model.instance(best).W, &norm);
        int agreeing = 0;
        for (int k = cell * runs; k < (cell + 1) * runs; ++k)
            agreeing += classify(trained.model.instance(k).W) == region;
        empirical.push_back(region);
        extraNorm.push_back(norm);
        certainty.push_back(float(agreeing) / float(runs));
    }
    return assemble(config, std::move(empirical), std::move(extraNorm), std::move(certainty), runs);
}

PhaseRegion PhaseDiagram::classify(const Eigen::MatrixXf& W, float* extraNorm)
{
    const int extra = int(W.cols()) - 1;
    const auto measures = computeFeatureMeasures(W);
    const float norm = measures.norms[extra];
    if (extraNorm)
        *extraNorm = norm;
    if (!(norm > 0.5f))
        return PhaseRegion::NotLearned;
    return measures.superposition[extra] > 0.2f * norm * norm ? PhaseRegion::Superposition : PhaseRegion::Dedicated;
}

PhaseDiagramResult PhaseDiagram::assemble(const PhaseDiagramConfig& config, std::vector<PhaseRegion> empirical,
                                          std::vector<float> extraNorm, std::vector<float> certainty, int runsPerCell)
{
    config.validate();
    const std::size_t cells = config.relativeImportance.size() * config.density.size();
    if (empirical.size() != cells || extraNorm.size() != cells)
        throw InputError("a phase diagram of " + std::to_string(config.density.size()) + " x " +
                         std::to_string(config.relativeImportance.size()) + " cells needs " + std::to_string(cells) +
                         " regions and norms (got " + std::to_string(empirical.size()) + " and " +
                         std::to_string(extraNorm.size()) + ")");
    for (std::size_t k = 0; k < cells; ++k) {
        const int region = static_cast<int>(empirical[k]);
        if (region < 0 || region > 2)
            throw InputError("phase-diagram cell " + std::to_string(k) + " has an unknown region " + std::to_string(region));
        if (!std::isfinite(extraNorm[k]) || extraNorm[k] < 0.0f)
            throw InputError("phase-diagram cell " + std::to_string(k) + " has an invalid norm");
    }
    if (!certainty.empty() && certainty.size() != cells)
        throw InputError("a phase diagram of " + std::to_string(cells) + " cells needs as many certainties (got " +
                         std::to_string(certainty.size()) + ")");
    for (std::size_t k = 0; k < certainty.size(); ++k)
        if (!(certainty[k] > 0.0f && certainty[k] <= 1.0f))
            throw InputError("phase-diagram cell " + std::to_string(k) + " has a certainty outside (0, 1]");
    if (runsPerCell < 0 || runsPerCell > 1000)
        throw InputError("a phase diagram's runs per cell must be between 0 and 1000");
    PhaseDiagramResult result;
    result.config = config;
    result.empirical = std::move(empirical);
    result.extraNorm = std::move(extraNorm);
    result.certainty = std::move(certainty);
    result.runsPerCell = result.certainty.empty() ? 0 : runsPerCell;
    for (std::size_t cell = 0; cell < cells; ++cell) {
        const std::size_t xi = cell % config.relativeImportance.size();
        const std::size_t yi = cell / config.relativeImportance.size();
        result.analytic.push_back(analyticRegion(config.features, config.relativeImportance[xi], config.density[yi]));
    }
    const auto [xMin, xMax] = std::minmax_element(config.relativeImportance.begin(), config.relativeImportance.end());
    const auto [yMin, yMax] = std::minmax_element(config.density.begin(), config.density.end());
    result.boundaries = analyticBoundaries(config.features, *xMin, *xMax, *yMin, *yMax);
    return result;
}

double PhaseDiagramResult::agreement() const
{
    if (empirical.empty())
        return 0.0;
    std::size_t same = 0;
    for (std::size_t k = 0; k < empirical.size(); ++k)
        same += empirical[k] == analytic[k];
    return double(same) / double(empirical.size());
}

double PhaseDiagramResult::meanCertainty() const
{
    if (certainty.empty())
        return std::numeric_limits<double>::quiet_NaN();
    double sum = 0;
    for (float c : certainty)
        sum += c;
    return sum / double(certainty.size());
}

nlohmann::json PhaseDiagram::toJson(const PhaseDiagramResult& result)
{
    nlohmann::json cells = nlohmann::json::array();
    const auto& c = result.config;
    for (std::size_t k = 0; k < result.empirical.size(); ++k) {
        const std::size_t xi = k % c.relativeImportance.size();
        const std::size_t yi = k / c.relativeImportance.size();
        cells.push_back({{"relative_importance", c.relativeImportance[xi]},
                         {"density", c.density[yi]},
                         {"empirical", regionName(result.empirical[k])},
                         {"analytic", regionName(result.analytic[k])},
                         {"extra_feature_norm", result.extraNorm[k]},
                         {"certainty", result.certainty.empty() ? nlohmann::json(nullptr)
                                                                : nlohmann::json(result.certainty[k])}});
    }
    nlohmann::json boundaries = nlohmann::json::array();
    for (const auto& curve : result.boundaries) {
        nlohmann::json points = nlohmann::json::array();
        for (const auto& [x, y] : curve)
            points.push_back({x, y});
        boundaries.push_back(points);
    }
    return {{"n", c.features},
            {"m", c.hidden()},
            {"relative_importance", c.relativeImportance},
            {"density", c.density},
            {"cells", cells},
            {"agreement", result.agreement()},
            {"runs_per_cell", result.runsPerCell},
            {"mean_certainty", result.certainty.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.meanCertainty())},
            {"analytic_boundaries", boundaries}};
}

} // namespace featurescope
