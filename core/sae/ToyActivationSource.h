#pragma once

#include "sae/ActivationSource.h"
#include "sae/SparseCombinationSampler.h"
#include "toy/ToyModel.h"

namespace featurescope {

// Hidden activations h = W x of one instance of a trained toy model (ReLU(W x) for the models with a hidden ReLU),
// with x drawn from the model's own feature distribution. The true features are W's columns, normalised.
class ToyActivationSource : public ActivationSource {
public:
    ToyActivationSource(const ToyModel& model, int instance = 0); // throws InputError

    std::string name() const override { return "toy"; }
    int dimension() const override { return m_sampler.dimension(); }
    void sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const override;
    EvaluationSet evaluationSet(int maxCount, std::uint64_t seed) const override;
    Eigen::MatrixXf groundTruth() const override { return m_truth; }
    double meanActiveFeatures() const override { return m_sampler.meanActive(); }
    double densestTrueFeatureRate() const override
    {
        double top = 0.0;
        for (double p : m_sampler.probability())
            top = p > top ? p : top;
        return top;
    }

private:
    SparseCombinationSampler m_sampler;
    Eigen::MatrixXf m_truth;
    bool m_hiddenRelu;
};

} // namespace featurescope
