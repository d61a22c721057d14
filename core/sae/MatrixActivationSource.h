#pragma once

#include "sae/ActivationSource.h"

namespace featurescope {

// A finite set of recorded activations (d x N), with optional labels, images and ground truth. Batches draw rows
// uniformly with replacement; the evaluation set is the rows themselves. The base of the MLP source and of imported
// activation files.
class MatrixActivationSource : public ActivationSource {
public:
    // `data.activations` must be non-empty; labels/images, when given, must have one entry per row.
    explicit MatrixActivationSource(EvaluationSet data, std::string name = "matrix",
                                    Eigen::MatrixXf groundTruth = {}); // throws InputError

    std::string name() const override { return m_name; }
    int dimension() const override { return static_cast<int>(m_data.activations.rows()); }
    int size() const { return m_data.size(); }
    void sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const override;
    // Every row when maxCount <= 0 or maxCount >= size(), else the first maxCount rows.
    EvaluationSet evaluationSet(int maxCount, std::uint64_t seed) const override;
    Eigen::MatrixXf groundTruth() const override { return m_truth; }

    const EvaluationSet& data() const { return m_data; }

private:
    EvaluationSet m_data;
    std::string m_name;
    Eigen::MatrixXf m_truth;
};

} // namespace featurescope
