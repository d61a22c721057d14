#include "sae/ImportedSaeEvaluator.h"

#include "common/ProgressReporter.h"

#include <algorithm>
#include <cmath>

namespace featurescope {

ImportedSaeEvaluator::ImportedSaeEvaluator(const ImportedSae& sae, const EvaluationSet& set,
                                           const Eigen::MatrixXf& groundTruth, SaeEvaluationOptions options,
                                           const ProgressReporter* progress)
{
    // The same option sanitising as SaeEvaluator.
    options.topK = std::max(options.topK, 1);
    if (!(options.histogramBinWidth > 0.0))
        options.histogramBinWidth = 0.25;
    if (!(options.histogramLow < 0.0))
        options.histogramLow = -6.0;
    constexpr int kChunk = 1024;
    const int dsae = sae.latentDim();
    const int n = set.size();
    struct Entry {
        int example;
        float value;
    };
    std::vector<std::vector<Entry>> codes(static_cast<std::size_t>(dsae));
    double squaredError = 0.0, variance = 0.0;
    std::size_t active = 0;
    const Eigen::VectorXd mean =
        n ? Eigen::VectorXd(set.activations.cast<double>().rowwise().mean()) : Eigen::VectorXd::Zero(sae.inputDim());
    int done = 0;
    for (int begin = 0; begin < n; begin += kChunk) {
        if (progress && progress->isCancelled()) {
            m_cancelled = true;
            break;
        }
        const int count = std::min(kChunk, n - begin);
        const Eigen::MatrixXf X = set.activations.middleCols(begin, count);
        Eigen::MatrixXf F;
        const Eigen::MatrixXf Xhat = sae.reconstruct(X, &F);
        squaredError += (Xhat - X).cast<double>().squaredNorm();
        variance += (X.cast<double>().colwise() - mean).squaredNorm();
        for (int s = 0; s < count; ++s)
            for (int j = 0; j < dsae; ++j)
                if (F(j, s) > 0.0f) {
                    codes[std::size_t(j)].push_back({begin + s, F(j, s)});
                    ++active;
                }
        done = begin + count;
        if (progress)
            progress->report(double(done) / n, "evaluating the SAE");
    }
    auto& m = m_metrics;
    m.evaluationCount = done;
    m.densityHistogram.low = options.histogramLow;
    m.densityHistogram.binWidth = options.histogramBinWidth;
    const int bins = std::max(1, int(std::lround(-options.histogramLow / options.histogramBinWidth)));
    m.densityHistogram.counts.assign(std::size_t(bins), 0);
    m_densities.assign(std::size_t(dsae), 0.0);
    m_maxActivations.assign(std::size_t(dsae), 0.0f);
    if (done == 0)
        return;
    m.l0 = double(active) / done;
    m.mse = squaredError / (double(done) * sae.inputDim());
    m.explainedVariance = variance > 0.0 ? 1.0 - squaredError / variance : 0.0;
    int dead = 0;
    for (int j = 0; j < dsae; ++j) {
        const auto& c = codes[std::size_t(j)];
        const double density = double(c.size()) / done;
        m_densities[std::size_t(j)] = density;
        for (const auto& e : c)
            m_maxActivations[std::size_t(j)] = std::max(m_maxActivations[std::size_t(j)], e.value);
        if (density == 0.0) {
            ++dead;
            continue;
        }
        int bin = int(std::floor((std::log10(density) - options.histogramLow) / options.histogramBinWidth));
        ++m.densityHistogram.counts[std::size_t(std::clamp(bin, 0, bins - 1))];
    }
    m.densityHistogram.dead = dead;
    SaeEvaluator::countHealth(m_densities, done, options, m);
    if (groundTruth.size() > 0 && groundTruth.rows() == sae.inputDim()) {
        m.mmcs = SaeEvaluator::mmcs(groundTruth, sae.decoderWeights());
        // A non-finite decoder leaves NaN for requireFinite() to report, as MMCS does.
        m.mcc = sae.decoderWeights().allFinite() && groundTruth.allFinite()
                    ? GroundTruthRecovery::match(groundTruth, sae.decoderWeights()).mcc()
                    : std::nan("");
    }

    // Label purity and coherence of each feature's top-k examples (highest first, ties by example index).
    double puritySum = 0.0, coherenceSum = 0.0;
    int purityCount = 0, coherenceCount = 0;
    const int k = options.topK;
    const bool images = options.coherenceOnImages && set.hasImages();
    for (int j = 0; j < dsae; ++j) {
        auto& c = codes[std::size_t(j)];
        if (int(c.size()) < k)
            continue;
        std::partial_sort(c.begin(), c.begin() + k, c.end(), [](const Entry& a, const Entry& b) {
            return a.value != b.value ? a.value > b.value : a.example < b.example;
        });
        if (set.hasLabels()) {
            std::vector<int> labels;
            for (int t = 0; t < k; ++t)
                labels.push_back(set.labels[std::size_t(c[std::size_t(t)].example)]);
            const double purity = SaeEvaluator::labelPurity(labels, set.classCount);
            if (purity >= 0.0) {
                puritySum += purity;
                ++purityCount;
            }
        }
        if (k >= 2) {
            const int dim = images ? set.imageRows * set.imageCols : int(set.activations.rows());
            Eigen::MatrixXf vectors(dim, k);
            for (int t = 0; t < k; ++t) {
                const int example = c[std::size_t(t)].example;
                if (images) {
                    const std::uint8_t* pixels = set.image(example);
                    for (int p = 0; p < dim; ++p)
                        vectors(p, t) = pixels[p];
                } else {
                    vectors.col(t) = set.activations.col(example);
                }
            }
            coherenceSum += SaeEvaluator::meanPairwiseCosine(vectors);
            ++coherenceCount;
        }
    }
    if (purityCount)
        m.meanLabelPurity = puritySum / purityCount;
    if (coherenceCount)
        m.meanCoherence = coherenceSum / coherenceCount;
}

} // namespace featurescope
