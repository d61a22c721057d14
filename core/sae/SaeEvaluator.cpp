#include "sae/SaeEvaluator.h"

#include "common/InputError.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace featurescope {

bool SaeDictionaryMetrics::finite() const
{
    for (double v : {l0, mse, explainedVariance, deadFraction, ultraRareFraction, denseFraction, mmcs, mcc,
                     precisionMean, recallMean, f1Mean, shrinkage, absorptionRate, meanLabelPurity, meanCoherence})
        if (!std::isfinite(v))
            return false;
    return true;
}

void SaeDictionaryMetrics::requireFinite(const std::string& inputs) const
{
    if (finite())
        return;
    std::ostringstream message;
    message << inputs << ": evaluating the SAE gave NaN or infinite metrics (MSE " << mse << ", L0 " << l0
            << "): values this large overflow float arithmetic; rescale the activations";
    throw InputError(message.str());
}

void SaeEvaluator::countHealth(const std::vector<double>& evaluationDensities, std::int64_t evaluationInputs,
                               const SaeEvaluationOptions& options, SaeDictionaryMetrics& m)
{
    const std::size_t dsae = evaluationDensities.size();
    m.denseThreshold = options.denseThreshold;
    m.ultraRareThreshold = options.ultraRareThreshold;
    if (dsae == 0)
        return;
    int silent = 0;
    for (double d : evaluationDensities)
        silent += d == 0.0 ? 1 : 0;
    m.silentFraction = double(silent) / double(dsae);
    const SaeTrainingActivity& t = options.training;
    const bool fromTraining = !t.empty() && t.fires.size() == dsae;
    m.healthInputs = fromTraining ? t.inputs : evaluationInputs;
    m.healthSteps = fromTraining ? t.steps : 0;
    int dead = 0, rare = 0, dense = 0;
    for (std::size_t j = 0; j < dsae; ++j) {
        const double density = fromTraining ? double(t.fires[j]) / double(t.inputs) : evaluationDensities[j];
        if (density <= 0.0)
            ++dead;
        else if (density < options.ultraRareThreshold)
            ++rare;
        if (density > options.denseThreshold)
            ++dense;
    }
    m.deadFraction = double(dead) / double(dsae);
    m.ultraRareFraction = double(rare) / double(dsae);
    m.denseFraction = double(dense) / double(dsae);
}

namespace {
constexpr int kChunk = 1024;
}

std::vector<double> SaeDensityHistogram::edges() const
{
    std::vector<double> e;
    for (std::size_t b = 0; b <= counts.size(); ++b)
        e.push_back(low + double(b) * binWidth);
    return e;
}

SaeDensityHistogram SaeDensityHistogram::of(const std::vector<double>& densities, double low, double binWidth)
{
    SaeDensityHistogram h;
    h.low = low;
    h.binWidth = binWidth;
    const int bins = std::max(1, int(std::lround(-low / binWidth)));
    h.counts.assign(std::size_t(bins), 0);
    for (double density : densities) {
        if (density <= 0.0) {
            ++h.dead;
            continue;
        }
        const int bin = std::clamp(int(std::floor((std::log10(density) - low) / binWidth)), 0, bins - 1);
        ++h.counts[std::size_t(bin)];
    }
    return h;
}

SaeEvaluator::SaeEvaluator(const SparseAutoencoder& sae, EvaluationSet set, Eigen::MatrixXf groundTruth,
                           SaeEvaluationOptions options)
    : m_set(std::move(set)), m_truth(std::move(groundTruth)), m_options(options)
{
    m_options.topK = std::max(m_options.topK, 1);
    m_options.quantiles = std::max(m_options.quantiles, 0);
    m_options.nearest = std::max(m_options.nearest, 0);
    if (!(m_options.histogramBinWidth > 0.0))
        m_options.histogramBinWidth = 0.25;
    if (!(m_options.histogramLow < 0.0))
        m_options.histogramLow = -6.0;
    const int dsae = sae.latentDim();
    const int n = m_set.size();
    m_codes.assign(std::size_t(dsae), {});
    m_unitDecoder = sae.decoderWeights();
    for (int j = 0; j < dsae; ++j) {
        const float norm = m_unitDecoder.col(j).norm();
        m_unitDecoder.col(j) *= norm > 1e-30f ? 1.0f / norm : 0.0f;
    }

    // Encode and reconstruct in chunks; keep only the non-zero codes.
    double squaredError = 0.0;
    std::size_t active = 0;
    const Eigen::VectorXd mean =
        n ? Eigen::VectorXd(m_set.activations.cast<double>().rowwise().mean()) : Eigen::VectorXd::Zero(sae.inputDim());
    double variance = 0.0;
    for (int begin = 0; begin < n; begin += kChunk) {
        const int count = std::min(kChunk, n - begin);
        const Eigen::MatrixXf X = m_set.activations.middleCols(begin, count);
        Eigen::MatrixXf F;
        const Eigen::MatrixXf Xhat = sae.reconstruct(X, &F);
        squaredError += (Xhat - X).cast<double>().squaredNorm();
        variance += (X.cast<double>().colwise() - mean).squaredNorm();
        for (int s = 0; s < count; ++s)
            for (int j = 0; j < dsae; ++j)
                if (F(j, s) > 0.0f) {
                    m_codes[std::size_t(j)].push_back({begin + s, F(j, s)});
                    ++active;
                }
    }
    auto& m = m_metrics;
    m.evaluationCount = n;
    if (n == 0) {
        m.densityHistogram = SaeDensityHistogram::of({}, m_options.histogramLow, m_options.histogramBinWidth);
        return;
    }
    m.l0 = double(active) / n;
    m.mse = squaredError / (double(n) * sae.inputDim());
    m.explainedVariance = variance > 0.0 ? 1.0 - squaredError / variance : 0.0;
    std::vector<double> densities(static_cast<std::size_t>(dsae));
    for (int j = 0; j < dsae; ++j)
        densities[std::size_t(j)] = double(m_codes[std::size_t(j)].size()) / n;
    m.densityHistogram = SaeDensityHistogram::of(densities, m_options.histogramLow, m_options.histogramBinWidth);
    countHealth(densities, n, m_options, m);
    if (m_truth.size() > 0 && m_truth.rows() == m_unitDecoder.rows()) {
        m.mmcs = mmcs(m_truth, m_unitDecoder, &m_trueBest);
        // A non-finite decoder leaves NaN, which finite() reports, as it does for MMCS.
        if (m_unitDecoder.allFinite() && m_truth.allFinite())
            m_recovery = GroundTruthRecovery::match(m_truth, m_unitDecoder);
        m.mcc = m_recovery.mcc() >= 0.0 ? m_recovery.mcc() : std::nan("");
        if (m.mcc >= 0.0 && m_set.trueActivations.rows() == m_truth.cols() && m_set.trueActivations.cols() == n) {
            // Contributions in the inputs' units: x̂ = (W_dec f + b_dec) / s.
            const Eigen::VectorXf norms = sae.decoderWeights().colwise().norm().transpose() / sae.inputScale();
            m_recovery.score(m_set.trueActivations, [this](int j) { return activations(j); }, norms);
            m.precisionMean = m_recovery.precisionMean();
            m.recallMean = m_recovery.recallMean();
            m.f1Mean = m_recovery.f1Mean();
            m.shrinkage = m_recovery.shrinkage();
            double sum = 0.0;
            int pairs = 0;
            for (const auto& [parent, child] : m_options.hierarchy) {
                const double rate = m_recovery.absorptionRate(m_set.trueActivations,
                                                              [this](int j) { return activations(j); }, parent, child);
                if (rate >= 0.0) {
                    sum += rate;
                    ++pairs;
                }
            }
            if (pairs > 0)
                m.absorptionRate = sum / pairs;
        }
    }

    double puritySum = 0.0, coherenceSum = 0.0;
    int purityCount = 0, coherenceCount = 0;
    for (int j = 0; j < dsae; ++j) {
        if (int(m_codes[std::size_t(j)].size()) < m_options.topK)
            continue;
        const auto sorted = sortedEntries(j);
        const double purity = featureLabelPurity(sorted);
        if (purity >= 0.0) {
            puritySum += purity;
            ++purityCount;
        }
        if (m_options.topK >= 2) {
            coherenceSum += featureCoherence(sorted);
            ++coherenceCount;
        }
    }
    if (purityCount)
        m.meanLabelPurity = puritySum / purityCount;
    if (coherenceCount)
        m.meanCoherence = coherenceSum / coherenceCount;
}

std::vector<SaeEvaluator::Entry> SaeEvaluator::sortedEntries(int j) const
{
    std::vector<Entry> sorted = m_codes[std::size_t(j)];
    // Highest first; ties by example index so results do not depend on the sort implementation.
    std::sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
        return a.value != b.value ? a.value > b.value : a.example < b.example;
    });
    return sorted;
}

double SaeEvaluator::featureLabelPurity(const std::vector<Entry>& sorted) const
{
    if (!m_set.hasLabels() || int(sorted.size()) < m_options.topK)
        return -1.0;
    std::vector<int> labels;
    for (int t = 0; t < m_options.topK; ++t)
        labels.push_back(m_set.labels[std::size_t(sorted[std::size_t(t)].example)]);
    return labelPurity(labels, m_set.classCount);
}

double SaeEvaluator::featureCoherence(const std::vector<Entry>& sorted) const
{
    const int k = m_options.topK;
    if (int(sorted.size()) < k || k < 2)
        return -1.0;
    const bool images = m_options.coherenceOnImages && m_set.hasImages();
    const int dim = images ? m_set.imageRows * m_set.imageCols : int(m_set.activations.rows());
    Eigen::MatrixXf vectors(dim, k);
    for (int t = 0; t < k; ++t) {
        const int example = sorted[std::size_t(t)].example;
        if (images) {
            const std::uint8_t* pixels = m_set.image(example);
            for (int p = 0; p < dim; ++p)
                vectors(p, t) = pixels[p];
        } else {
            vectors.col(t) = m_set.activations.col(example);
        }
    }
    return meanPairwiseCosine(vectors);
}

double SaeEvaluator::labelPurity(const std::vector<int>& labels, int classCount)
{
    if (labels.empty())
        return -1.0;
    int classes = classCount;
    for (int label : labels)
        classes = std::max(classes, label + 1);
    if (classes <= 1)
        return 1.0;
    std::vector<int> counts(std::size_t(classes), 0);
    for (int label : labels)
        if (label >= 0)
            ++counts[std::size_t(label)];
    double entropy = 0.0;
    const double total = double(labels.size());
    for (int c : counts)
        if (c > 0) {
            const double p = c / total;
            entropy -= p * std::log(p);
        }
    return 1.0 - entropy / std::log(double(classes));
}

double SaeEvaluator::meanPairwiseCosine(const Eigen::MatrixXf& vectors)
{
    const Eigen::Index k = vectors.cols();
    if (k < 2)
        return -1.0;
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(vectors.rows());
    double selfSum = 0.0;
    for (Eigen::Index t = 0; t < k; ++t) {
        const Eigen::VectorXd v = vectors.col(t).cast<double>();
        const double norm = v.norm();
        if (norm > 0.0) {
            sum += v / norm;
            selfSum += 1.0;
        }
    }
    // Σ_{a≠b} cos(a, b) = ‖Σ v̂‖² − Σ ‖v̂‖².
    return (sum.squaredNorm() - selfSum) / (double(k) * double(k - 1));
}

double SaeEvaluator::mmcs(const Eigen::MatrixXf& truth, const Eigen::MatrixXf& dictionary,
                          std::vector<float>* bestPerTruth)
{
    if (truth.cols() == 0 || dictionary.cols() == 0 || truth.rows() != dictionary.rows())
        return -1.0;
    auto unit = [](Eigen::MatrixXf m) {
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            const float norm = m.col(j).norm();
            m.col(j) *= norm > 1e-30f ? 1.0f / norm : 0.0f;
        }
        return m;
    };
    const Eigen::MatrixXf cosines = unit(truth).transpose() * unit(dictionary);
    const Eigen::VectorXf best = cosines.rowwise().maxCoeff();
    if (bestPerTruth)
        bestPerTruth->assign(best.data(), best.data() + best.size());
    return double(best.cast<double>().mean());
}

SaeFeatureSummary SaeEvaluator::feature(int j) const
{
    SaeFeatureSummary summary;
    summary.feature = j;
    if (j < 0 || j >= latentDim())
        return summary;
    const auto sorted = sortedEntries(j);
    const int n = m_set.size();
    summary.density = n ? double(sorted.size()) / n : 0.0;
    summary.maxActivation = sorted.empty() ? 0.0f : sorted.front().value;
    for (std::size_t t = 0; t < sorted.size() && int(t) < m_options.topK; ++t) {
        summary.topExamples.push_back(sorted[t].example);
        summary.topActivations.push_back(sorted[t].value);
    }
    if (!sorted.empty() && m_options.quantiles > 0) {
        const int q = m_options.quantiles;
        int previous = -1;
        for (int t = 0; t < q; ++t) {
            // Ascending order: position from the end of the descending list.
            const double fraction = q > 1 ? double(t) / (q - 1) : 1.0;
            const int ascending = int(std::lround(fraction * double(sorted.size() - 1)));
            if (ascending == previous)
                continue;
            previous = ascending;
            const Entry& e = sorted[sorted.size() - 1 - std::size_t(ascending)];
            summary.quantileExamples.push_back(e.example);
            summary.quantileActivations.push_back(e.value);
        }
    }
    summary.labelPurity = featureLabelPurity(sorted);
    summary.coherence = featureCoherence(sorted);
    if (m_options.nearest > 0 && latentDim() > 1) {
        const Eigen::VectorXf cosines = m_unitDecoder.transpose() * m_unitDecoder.col(j);
        std::vector<int> order;
        for (int i = 0; i < latentDim(); ++i)
            if (i != j)
                order.push_back(i);
        const int count = std::min<int>(m_options.nearest, int(order.size()));
        std::partial_sort(order.begin(), order.begin() + count, order.end(), [&](int a, int b) {
            return cosines[a] != cosines[b] ? cosines[a] > cosines[b] : a < b;
        });
        for (int t = 0; t < count; ++t) {
            summary.nearestFeatures.push_back(order[std::size_t(t)]);
            summary.nearestCosines.push_back(cosines[order[std::size_t(t)]]);
        }
    }
    if (m_truth.size() > 0 && m_truth.rows() == m_unitDecoder.rows()) {
        Eigen::VectorXf cosines = m_truth.transpose() * m_unitDecoder.col(j);
        for (Eigen::Index i = 0; i < m_truth.cols(); ++i) {
            const float norm = m_truth.col(i).norm();
            cosines[i] = norm > 0.0f ? cosines[i] / norm : 0.0f;
        }
        Eigen::Index best = 0;
        summary.bestTrueCosine = cosines.maxCoeff(&best);
        summary.bestTrueFeature = int(best);
    }
    return summary;
}

std::vector<double> SaeEvaluator::densities() const
{
    std::vector<double> result;
    const int n = std::max(m_set.size(), 1);
    for (const auto& codes : m_codes)
        result.push_back(double(codes.size()) / n);
    return result;
}

std::vector<float> SaeEvaluator::maxActivations() const
{
    std::vector<float> result;
    for (const auto& codes : m_codes) {
        float best = 0.0f;
        for (const auto& e : codes)
            best = std::max(best, e.value);
        result.push_back(best);
    }
    return result;
}

std::vector<double> SaeEvaluator::labelPurities() const
{
    std::vector<double> result;
    for (int j = 0; j < latentDim(); ++j)
        result.push_back(int(m_codes[std::size_t(j)].size()) < m_options.topK ? -1.0
                                                                               : featureLabelPurity(sortedEntries(j)));
    return result;
}

std::vector<double> SaeEvaluator::coherences() const
{
    std::vector<double> result;
    for (int j = 0; j < latentDim(); ++j)
        result.push_back(int(m_codes[std::size_t(j)].size()) < m_options.topK ? -1.0
                                                                               : featureCoherence(sortedEntries(j)));
    return result;
}

Eigen::VectorXf SaeEvaluator::activations(int j) const
{
    Eigen::VectorXf a = Eigen::VectorXf::Zero(m_set.size());
    if (j >= 0 && j < latentDim())
        for (const auto& e : m_codes[std::size_t(j)])
            a[e.example] = e.value;
    return a;
}

std::vector<float> SaeEvaluator::weightedMeanImage(int j) const
{
    if (!m_set.hasImages() || j < 0 || j >= latentDim())
        return {};
    const std::size_t pixels = std::size_t(m_set.imageRows) * m_set.imageCols;
    std::vector<double> sum(pixels, 0.0);
    double weight = 0.0;
    for (const auto& e : m_codes[std::size_t(j)]) {
        const std::uint8_t* image = m_set.image(e.example);
        for (std::size_t p = 0; p < pixels; ++p)
            sum[p] += double(e.value) * image[p];
        weight += e.value;
    }
    std::vector<float> result(pixels, 0.0f);
    if (weight > 0.0)
        for (std::size_t p = 0; p < pixels; ++p)
            result[p] = float(sum[p] / weight);
    return result;
}

} // namespace featurescope
