#pragma once

#include <Eigen/Core>

#include <string>
#include <vector>

namespace featurescope {

// One tegum factor of a trained model: a connected group of features and the polytope it looks like.
struct GeometryComponent {
    std::string kind;           // "dedicated", "digon", "triangle", ..., "6-gon", "other (k features)", "not learned"
    std::vector<int> features;  // feature (column) indices, ascending
    double meanDimensionality = 0;
};

struct GeometryOptions {
    float cosineTolerance = 0.1f;         // edge where |Ŵ_i . Ŵ_j| > this
    float learnedNormThreshold = 0.3f;    // a feature is a node only if ||W_i|| > this
    float dimensionalityTolerance = 0.06f; // |D - target| <= this to take a polytope's name
};

// Nodes are the learned features, edges join features whose directions overlap; the connected components are the
// tegum factors, sorted by their smallest feature index and named by size and dimensionality. A named kind also
// requires every member's D_i to be within the tolerance of the component mean (the paper's uniform polytopes),
// and the polygon names (triangle, square, pentagon, k-gon) require a planar arrangement (rank 2); otherwise the
// component is "other (k features)". Unlearned features, if any, form a last component of kind "not learned".
std::vector<GeometryComponent> findFeatureGeometry(const Eigen::MatrixXf& W, const GeometryOptions& options = {});

// The naming rule on size and mean D alone: size 1 D~1 "dedicated", 2 D~1/2 "digon", 3 D~2/3 "triangle",
// 4 D~3/4 "tetrahedron", 4 D~1/2 "square", 5 D~2/5 "pentagon", 8 D~3/8 "square antiprism", any other k >= 3 with
// D~2/k "k-gon"; anything else "other (k features)" ("other (1 feature)" for a singleton). "~" means within tolerance.
std::string geometryKindName(int size, double meanDimensionality, double tolerance);

// A short reading of a geometry for labels: "pentagon", "2 digons", "1 dedicated", "3 not learned", one part per
// kind in order of first appearance ("not learned" last, counting features), joined by `separator`.
// `includeNotLearned` false leaves that part out.
std::string summariseGeometry(const std::vector<GeometryComponent>& components, const std::string& separator,
                              bool includeNotLearned = true);

} // namespace featurescope
