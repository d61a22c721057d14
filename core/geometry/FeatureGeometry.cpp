#include "FeatureGeometry.h"

#include "FeatureMeasures.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace featurescope {

namespace {

struct NamedShape {
    int size;
    double dimensionality;
    const char* name;
};

// The shapes the paper found; polygons are also covered by the general "k-gon" rule but keep their usual names.
constexpr std::array<NamedShape, 7> kNamedShapes{{
    {1, 1.0, "dedicated"},
    {2, 1.0 / 2.0, "digon"},
    {3, 2.0 / 3.0, "triangle"},
    {4, 3.0 / 4.0, "tetrahedron"},
    {4, 1.0 / 2.0, "square"},
    {5, 2.0 / 5.0, "pentagon"},
    {8, 3.0 / 8.0, "square antiprism"},
}};

// A component counts as planar when its third principal direction carries at most this fraction of the second
// moment of the unit directions (sigma_3 / sigma_1 <= 0.1): trained polygons in m > 2 are planar up to noise.
constexpr double kPlanarEigenvalueRatio = 0.01;

std::string otherName(int size)
{
    return "other (" + std::to_string(size) + (size == 1 ? " feature)" : " features)");
}

bool isPolygonName(const std::string& kind)
{
    return kind == "triangle" || kind == "square" || kind == "pentagon"
        || (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "-gon") == 0);
}

// Rank <= 2 test on the unit directions of the members, via the eigenvalues of their k x k Gram matrix (the same
// non-zero spectrum as the m x m scatter matrix, which is what "lies in a plane" is about).
bool isPlanar(const Eigen::MatrixXd& unitGram, const std::vector<int>& members)
{
    const auto k = static_cast<Eigen::Index>(members.size());
    if (k <= 2)
        return true;
    Eigen::MatrixXd sub(k, k);
    for (Eigen::Index a = 0; a < k; ++a) {
        for (Eigen::Index b = 0; b < k; ++b)
            sub(a, b) = unitGram(members[a], members[b]);
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(sub, Eigen::EigenvaluesOnly);
    const Eigen::VectorXd& eigenvalues = solver.eigenvalues(); // ascending
    const double largest = eigenvalues[k - 1];
    const double third = eigenvalues[k - 3];
    return largest > 0 && third <= kPlanarEigenvalueRatio * largest;
}

} // namespace

std::string geometryKindName(int size, double meanDimensionality, double tolerance)
{
    if (size <= 0)
        return otherName(size);

    // Nearest named shape of this size within the tolerance (only size 4 has two candidates).
    const char* best = nullptr;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (const NamedShape& shape : kNamedShapes) {
        const double distance = std::abs(meanDimensionality - shape.dimensionality);
        if (shape.size == size && distance <= tolerance && distance < bestDistance) {
            best = shape.name;
            bestDistance = distance;
        }
    }
    if (best)
        return best;

    // A regular k-gon in a plane shares 2 dimensions among k features.
    if (size >= 3 && std::abs(meanDimensionality - 2.0 / size) <= tolerance)
        return std::to_string(size) + "-gon";
    return otherName(size);
}

std::vector<GeometryComponent> findFeatureGeometry(const Eigen::MatrixXf& W, const GeometryOptions& options)
{
    const FeatureMeasures measures = computeFeatureMeasures(W);
    const auto n = static_cast<int>(W.cols());

    std::vector<int> learned;
    std::vector<int> unlearned;
    for (int i = 0; i < n; ++i) {
        // "> threshold" with a NaN norm is false, so a broken column lands in "not learned" rather than a shape.
        if (measures.norms[i] > options.learnedNormThreshold)
            learned.push_back(i);
        else
            unlearned.push_back(i);
    }

    // Cosines between the learned directions; unlearned columns stay zero and are never visited.
    Eigen::MatrixXd unit = Eigen::MatrixXd::Zero(W.rows(), n);
    for (int i : learned)
        unit.col(i) = W.col(i).cast<double>() / static_cast<double>(measures.norms[i]);
    const Eigen::MatrixXd unitGram = unit.transpose() * unit;

    std::vector<GeometryComponent> components;
    std::vector<char> visited(static_cast<size_t>(n), 0);
    // Seeds are taken in increasing index order, so components come out sorted by their smallest feature.
    for (int seed : learned) {
        if (visited[seed])
            continue;
        GeometryComponent component;
        std::vector<int> stack{seed};
        visited[seed] = 1;
        while (!stack.empty()) {
            const int i = stack.back();
            stack.pop_back();
            component.features.push_back(i);
            for (int j : learned) {
                if (!visited[j] && std::abs(unitGram(i, j)) > options.cosineTolerance) {
                    visited[j] = 1;
                    stack.push_back(j);
                }
            }
        }
        std::sort(component.features.begin(), component.features.end());

        double sum = 0;
        for (int i : component.features)
            sum += measures.dimensionality[i];
        const auto size = static_cast<int>(component.features.size());
        component.meanDimensionality = sum / size;

        component.kind = geometryKindName(size, component.meanDimensionality, options.dimensionalityTolerance);
        if (component.kind != otherName(size)) {
            // The names describe uniform polytopes: one odd member (or a bent polygon) makes it something else.
            bool uniform = true;
            for (int i : component.features)
                uniform = uniform
                    && std::abs(measures.dimensionality[i] - component.meanDimensionality)
                        <= options.dimensionalityTolerance;
            if (!uniform || (isPolygonName(component.kind) && !isPlanar(unitGram, component.features)))
                component.kind = otherName(size);
        }
        components.push_back(std::move(component));
    }

    if (!unlearned.empty()) {
        GeometryComponent component;
        component.kind = "not learned";
        component.features = unlearned;
        double sum = 0;
        for (int i : unlearned)
            sum += measures.dimensionality[i];
        component.meanDimensionality = sum / static_cast<double>(unlearned.size());
        components.push_back(std::move(component));
    }
    return components;
}

namespace {
std::string pluralKind(const std::string& kind, int count)
{
    if (count == 1)
        return kind;
    const std::string n = std::to_string(count) + " ";
    if (kind == "dedicated" || kind.rfind("other", 0) == 0)
        return n + kind;
    if (kind == "tetrahedron")
        return n + "tetrahedra";
    return n + kind + "s";
}
} // namespace

std::string summariseGeometry(const std::vector<GeometryComponent>& components, const std::string& separator,
                              bool includeNotLearned)
{
    std::vector<std::pair<std::string, int>> counts;
    int notLearned = 0;
    for (const auto& component : components) {
        if (component.kind == "not learned") {
            notLearned += int(component.features.size());
            continue;
        }
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == component.kind; });
        if (it == counts.end())
            counts.emplace_back(component.kind, 1);
        else
            ++it->second;
    }
    std::string out;
    for (const auto& [kind, count] : counts)
        out += (out.empty() ? "" : separator) + pluralKind(kind, count);
    if (includeNotLearned && notLearned > 0)
        out += (out.empty() ? "" : separator) + std::to_string(notLearned) + " not learned";
    return out;
}

} // namespace featurescope
