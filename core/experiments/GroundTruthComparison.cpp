#include "experiments/GroundTruthComparison.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"
#include "experiments/SaeExperiment.h"

#include <cmath>
#include <limits>

namespace featurescope {

GroundTruthComparison GroundTruthComparison::of(const SparseAutoencoder& sae, const SaeEvaluator& evaluator,
                                                const Eigen::MatrixXf& truth,
                                                const std::vector<std::pair<int, int>>& hierarchy)
{
    const int F = int(truth.cols());
    if (F == 0 || truth.rows() != sae.inputDim())
        throw InputError("the ground-truth view needs a source with known true features of the SAE's input dimension");
    const GroundTruthRecovery& recovery = evaluator.recovery();
    GroundTruthComparison c;
    c.matchedLatent = recovery.latentOfTrueFeature();
    c.matchedCosine = recovery.matchedCosine();
    if (int(c.matchedLatent.size()) != F)
        throw InputError("the evaluator was not built with these true features");
    const Eigen::MatrixXf unitTruth = SaeExperiment::unitColumns(truth);
    const Eigen::MatrixXf encoderRows = SaeExperiment::unitColumns(Eigen::MatrixXf(sae.encoderColumns())); // d x K
    const Eigen::MatrixXf decoderColumns = SaeExperiment::unitColumns(Eigen::MatrixXf(sae.decoderWeights()));
    const float nan = std::numeric_limits<float>::quiet_NaN();
    c.encoderCosine = Eigen::MatrixXf::Constant(F, F, nan);
    c.decoderCosine = Eigen::MatrixXf::Constant(F, F, nan);
    for (int j = 0; j < F; ++j) {
        const int latent = c.matchedLatent[std::size_t(j)];
        if (latent < 0)
            continue;
        c.encoderCosine.col(j) = unitTruth.transpose() * encoderRows.col(latent);
        c.decoderCosine.col(j) = unitTruth.transpose() * decoderColumns.col(latent);
    }
    const SaeDictionaryMetrics& m = evaluator.metrics();
    c.mcc = recovery.mcc();
    c.f1Mean = recovery.hasDetection() ? recovery.f1Mean() : -1.0;
    c.shrinkageMean = recovery.hasDetection() ? recovery.shrinkage() : -1.0;
    c.explainedVariance = m.explainedVariance;
    c.l0 = m.l0;
    if (recovery.hasDetection()) {
        c.f1 = recovery.f1();
        c.shrinkage = recovery.featureShrinkage();
    }
    c.parentOf.assign(std::size_t(F), -1);
    c.absorption.assign(std::size_t(F), -1.0);
    const Eigen::MatrixXf& trueActivations = evaluator.evaluationSet().trueActivations;
    double sum = 0.0;
    int defined = 0;
    for (const auto& [parent, child] : hierarchy) {
        if (parent < 0 || parent >= F || child < 0 || child >= F)
            continue;
        c.parentOf[std::size_t(child)] = parent;
        if (trueActivations.rows() != F)
            continue;
        const double rate = recovery.absorptionRate(trueActivations, [&](int j) { return evaluator.activations(j); },
                                                    parent, child);
        c.absorption[std::size_t(child)] = rate;
        if (rate >= 0.0) {
            sum += rate;
            ++defined;
        }
    }
    c.absorptionRate = defined ? sum / defined : -1.0;
    return c;
}

nlohmann::json GroundTruthComparison::toJson() const
{
    auto matrix = [](const Eigen::MatrixXf& m) {
        nlohmann::json rows = nlohmann::json::array();
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
            nlohmann::json row = nlohmann::json::array();
            for (Eigen::Index j = 0; j < m.cols(); ++j)
                row.push_back(std::isfinite(m(i, j)) ? nlohmann::json(m(i, j)) : nlohmann::json(nullptr));
            rows.push_back(std::move(row));
        }
        return rows;
    };
    nlohmann::json features = nlohmann::json::array();
    for (int i = 0; i < featureCount(); ++i) {
        nlohmann::json f = {{"true_feature", i},
                            {"latent", matchedLatent[std::size_t(i)]},
                            {"cosine", matchedCosine[std::size_t(i)]}};
        if (hasDetection()) {
            f["f1"] = f1[std::size_t(i)];
            f["shrinkage"] = shrinkage[std::size_t(i)];
        }
        if (parentOf[std::size_t(i)] >= 0) {
            f["parent"] = parentOf[std::size_t(i)];
            f["absorption_rate"] = absorption[std::size_t(i)];
        }
        features.push_back(std::move(f));
    }
    return {{"mcc", mcc},
            {"f1_mean", f1Mean},
            {"shrinkage", shrinkageMean},
            {"absorption_rate", absorptionRate},
            {"explained_variance", explainedVariance},
            {"l0", l0},
            {"features", std::move(features)},
            {"encoder_cosine", matrix(encoderCosine)},
            {"decoder_cosine", matrix(decoderCosine)}};
}

GroundTruthComparison GroundTruthComparison::fromJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object())
        throw InputError(where + ": the ground-truth comparison must be a JSON object");
    const SettingsReader r(j, where);
    GroundTruthComparison c;
    c.mcc = r.number("mcc", -1.0, 1.0);
    c.f1Mean = r.number("f1_mean", -1.0, 1.0);
    c.shrinkageMean = r.number("shrinkage", -1.0, 1e6);
    c.absorptionRate = r.number("absorption_rate", -1.0, 1.0);
    c.explainedVariance = r.number("explained_variance", -1e30, 1.0);
    c.l0 = r.number("l0", 0.0, 1e9);
    const nlohmann::json& features = r.raw("features");
    if (!features.is_array() || features.empty() || features.size() > 1024)
        throw InputError(where + ": \"features\" must be an array of 1 to 1024 true features");
    const int F = int(features.size());
    bool detection = true;
    for (int i = 0; i < F; ++i) {
        if (!features[std::size_t(i)].is_object())
            throw InputError(where + ": true feature " + std::to_string(i) + " is not an object");
        const SettingsReader f(features[std::size_t(i)], where + ", true feature " + std::to_string(i));
        c.matchedLatent.push_back(int(f.integer("latent", -1, 1 << 20)));
        c.matchedCosine.push_back(f.number("cosine", 0.0, 1.0));
        detection = detection && f.has("f1");
        c.f1.push_back(f.has("f1") ? f.number("f1", -1.0, 1.0) : -1.0);
        c.shrinkage.push_back(f.has("shrinkage") ? f.number("shrinkage", -1.0, 1e6) : -1.0);
        c.parentOf.push_back(f.has("parent") ? int(f.integer("parent", 0, F - 1)) : -1);
        c.absorption.push_back(f.has("absorption_rate") ? f.number("absorption_rate", -1.0, 1.0) : -1.0);
    }
    if (!detection) {
        c.f1.clear();
        c.shrinkage.clear();
    }
    auto matrix = [&](const char* key) {
        const nlohmann::json& rows = r.raw(key);
        if (!rows.is_array() || int(rows.size()) != F)
            throw InputError(where + ": \"" + key + "\" must have a row per true feature");
        Eigen::MatrixXf m(F, F);
        for (int i = 0; i < F; ++i) {
            const nlohmann::json& row = rows[std::size_t(i)];
            if (!row.is_array() || int(row.size()) != F)
                throw InputError(where + ": \"" + key + "\" must be square");
            for (int k = 0; k < F; ++k) {
                const nlohmann::json& v = row[std::size_t(k)];
                if (!(v.is_null() || (v.is_number() && std::abs(v.get<double>()) <= 1.0001)))
                    throw InputError(where + ": \"" + key + "\" holds a value that is not a cosine");
                m(i, k) = v.is_null() ? std::numeric_limits<float>::quiet_NaN() : v.get<float>();
            }
        }
        return m;
    };
    c.encoderCosine = matrix("encoder_cosine");
    c.decoderCosine = matrix("decoder_cosine");
    return c;
}

} // namespace featurescope
