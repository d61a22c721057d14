#include "sae/GroundTruthRecovery.h"

#include "common/InputError.h"
#include "math/LinearAssignment.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace featurescope {

namespace {
Eigen::MatrixXd unitColumns(const Eigen::MatrixXf& m)
{
    Eigen::MatrixXd unit = m.cast<double>();
    for (Eigen::Index j = 0; j < unit.cols(); ++j) {
        const double norm = unit.col(j).norm();
        unit.col(j) *= norm > 1e-30 ? 1.0 / norm : 0.0;
    }
    return unit;
}
} // namespace

GroundTruthRecovery GroundTruthRecovery::match(const Eigen::MatrixXf& truth, const Eigen::MatrixXf& decoder)
{
    if (truth.rows() != decoder.rows())
        throw InputError("ground-truth matching: the true features have dimension " + std::to_string(truth.rows()) +
                         ", the decoder " + std::to_string(decoder.rows()));
    if (!truth.allFinite() || !decoder.allFinite())
        throw InputError("ground-truth matching: the true features or the decoder have NaN or infinite values");
    GroundTruthRecovery r;
    const Eigen::MatrixXd cosine = (unitColumns(truth).transpose() * unitColumns(decoder)).cwiseAbs();
    const LinearAssignment assignment = LinearAssignment::maximise(cosine);
    r.m_latentOfTrue = assignment.rowToColumn;
    r.m_matchedCosine.assign(r.m_latentOfTrue.size(), 0.0);
    int matched = 0;
    for (std::size_t i = 0; i < r.m_latentOfTrue.size(); ++i)
        if (r.m_latentOfTrue[i] >= 0) {
            r.m_matchedCosine[i] = cosine(Eigen::Index(i), r.m_latentOfTrue[i]);
            ++matched;
        }
    if (matched > 0)
        r.m_mcc = assignment.cost / matched;
    return r;
}

void GroundTruthRecovery::score(const Eigen::MatrixXf& trueActivations, const LatentActivations& latentActivations,
                                const Eigen::VectorXf& decoderNorms)
{
    if (std::size_t(trueActivations.rows()) != m_latentOfTrue.size())
        throw InputError("ground-truth scoring: " + std::to_string(trueActivations.rows()) +
                         " true activation rows for " + std::to_string(m_latentOfTrue.size()) + " true features");
    const Eigen::Index n = trueActivations.cols();
    m_f1.assign(m_latentOfTrue.size(), 0.0);
    m_featureShrinkage.assign(m_latentOfTrue.size(), -1.0);
    double precisionSum = 0.0, recallSum = 0.0, f1Sum = 0.0, shrinkageSum = 0.0;
    int pairs = 0, shrinkagePairs = 0;
    for (std::size_t i = 0; i < m_latentOfTrue.size(); ++i) {
        const int j = m_latentOfTrue[i];
        if (j < 0)
            continue;
        if (j >= decoderNorms.size())
            throw InputError("ground-truth scoring: no decoder norm for latent " + std::to_string(j));
        const Eigen::VectorXf codes = latentActivations(j);
        if (codes.size() != n)
            throw InputError("ground-truth scoring: latent " + std::to_string(j) + " has " +
                             std::to_string(codes.size()) + " codes for " + std::to_string(n) + " inputs");
        std::int64_t tp = 0, fp = 0, fn = 0;
        double reconstructed = 0.0, original = 0.0;
        for (Eigen::Index s = 0; s < n; ++s) {
            const float truth = trueActivations(Eigen::Index(i), s);
            const bool trueActive = truth != 0.0f;
            const bool fires = codes[s] > 0.0f;
            tp += trueActive && fires ? 1 : 0;
            fp += !trueActive && fires ? 1 : 0;
            fn += trueActive && !fires ? 1 : 0;
            if (trueActive) {
                original += std::abs(double(truth));
                reconstructed += fires ? double(codes[s]) * double(decoderNorms[j]) : 0.0;
            }
        }
        const double precision = tp + fp > 0 ? double(tp) / double(tp + fp) : 0.0;
        const double recall = tp + fn > 0 ? double(tp) / double(tp + fn) : 0.0;
        const double f1 = precision + recall > 0.0 ? 2.0 * precision * recall / (precision + recall) : 0.0;
        m_f1[i] = f1;
        precisionSum += precision;
        recallSum += recall;
        f1Sum += f1;
        ++pairs;
        if (original > 0.0) {
            m_featureShrinkage[i] = reconstructed / original;
            shrinkageSum += m_featureShrinkage[i];
            ++shrinkagePairs;
        }
    }
    if (pairs > 0) {
        m_precisionMean = precisionSum / pairs;
        m_recallMean = recallSum / pairs;
        m_f1Mean = f1Sum / pairs;
    }
    m_shrinkage = shrinkagePairs > 0 ? shrinkageSum / shrinkagePairs : -1.0;
    m_scored = true;
}

double GroundTruthRecovery::absorptionRate(const Eigen::MatrixXf& trueActivations,
                                           const LatentActivations& latentActivations, int parent, int child) const
{
    const int f = int(m_latentOfTrue.size());
    if (parent < 0 || parent >= f || child < 0 || child >= f || trueActivations.rows() != f)
        throw InputError("absorption: parent " + std::to_string(parent) + " or child " + std::to_string(child) +
                         " is not one of the " + std::to_string(f) + " true features");
    const int latent = m_latentOfTrue[std::size_t(parent)];
    if (latent < 0)
        return -1.0;
    const Eigen::VectorXf parentCodes = latentActivations(latent);
    if (parentCodes.size() != trueActivations.cols())
        throw InputError("absorption: the parent's latent has " + std::to_string(parentCodes.size()) + " codes for " +
                         std::to_string(trueActivations.cols()) + " inputs");
    // "Some other latent fires": the child's matched latent, or any latent when the child has none.
    const int childLatent = m_latentOfTrue[std::size_t(child)];
    const Eigen::VectorXf childCodes = childLatent >= 0 ? latentActivations(childLatent) : Eigen::VectorXf();
    std::int64_t childActive = 0, absorbed = 0;
    for (Eigen::Index s = 0; s < trueActivations.cols(); ++s) {
        if (trueActivations(child, s) == 0.0f)
            continue;
        ++childActive;
        const bool otherFires = childLatent < 0 || childCodes[s] > 0.0f;
        absorbed += parentCodes[s] <= 0.0f && otherFires ? 1 : 0;
    }
    return childActive > 0 ? double(absorbed) / double(childActive) : -1.0;
}

} // namespace featurescope
