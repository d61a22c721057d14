#include "lmfeatures/FeatureDashboard.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "common/TaskPool.h"
#include "lm/LanguageModel.h"
#include "sae/ImportedSae.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

namespace featurescope {

FeatureDashboard::FeatureDashboard(const LanguageModel& lm, const ImportedSae& sae, const GptHookPoint& hook,
                                   const TransformerLensProcessing& processing)
    : m_lm(lm), m_sae(sae), m_hook(hook), m_processing(processing), m_logits(lm.model(), hook, processing)
{
    const int width = hook.width(lm.model().config());
    if (width != sae.inputDim())
        throw InputError("the SAE reads " + std::to_string(sae.inputDim()) + " values but " + hook.name() + " has " +
                         std::to_string(width));
    m_processing.prependBos = processing.prependBos && lm.tokenizer().bosId().has_value();
}

int FeatureDashboard::features() const { return m_sae.latentDim(); }

void FeatureDashboard::captureCodes(const std::vector<int>& ids, int batch, int tokens, Eigen::MatrixXf& codes) const
{
    GptHooks hooks;
    m_processing.applyTo(hooks);
    RowMatrixF captured;
    hooks.add(m_hook, [&captured](RowMatrixMap a, int, int) { captured = a; });
    GptActivations activations;
    m_lm.model().forward(ids.data(), batch, tokens, activations, &hooks);
    codes = m_sae.encode(captured.transpose());
}

void FeatureDashboard::scan(const std::vector<int>& textIds, const DashboardSettings& settings,
                            const ProgressReporter* progress)
{
    const int positions = m_lm.model().config().positions;
    const int context = settings.context > 0 ? settings.context : std::min(positions, 128);
    if (context > positions)
        throw InputError("the context of " + std::to_string(context) + " tokens is longer than the model's n_positions = " +
                         std::to_string(positions));
    const bool bos = m_processing.prependBos;
    const int body = context - (bos ? 1 : 0);
    if (body < 1)
        throw InputError("the context must leave room for at least one token after BOS");
    const std::uint64_t available = textIds.size() / std::uint64_t(body);
    const std::uint64_t wanted = std::max<std::uint64_t>(1, settings.maxTokens / std::uint64_t(context));
    const std::int64_t windows = std::int64_t(std::min(available, wanted));
    if (windows < 1)
        throw InputError("the text has " + std::to_string(textIds.size()) + " tokens, fewer than one window of " +
                         std::to_string(body));
    if (std::uint64_t(windows) * std::uint64_t(context) > std::uint64_t(INT32_MAX))
        throw InputError("too many tokens to scan at once");
    const int batch = std::max(1, settings.batch);

    m_context = context;
    m_truncated = false;
    m_tokens.clear();
    m_byFeature.assign(std::size_t(m_sae.latentDim()), {});
    m_rowStart.assign(1, 0);
    m_rowFeatures.clear();
    const int vocabulary = m_lm.model().config().vocabSize;
    for (std::int64_t i = 0; i < windows * body; ++i)
        if (textIds[std::size_t(i)] < 0 || textIds[std::size_t(i)] >= vocabulary)
            throw InputError("token id " + std::to_string(textIds[std::size_t(i)]) + " is outside the vocabulary [0, " +
                             std::to_string(vocabulary) + ")");
    // Rounds of `threads` batches: each worker runs and encodes one batch; the main thread then appends them in
    // order, so the kept codes do not depend on the number of threads.
    const int threads = std::max(1, settings.threads);
    TaskPool pool(threads);
    const auto workers = static_cast<std::size_t>(threads);
    std::vector<std::vector<int>> ids(workers);
    std::vector<Eigen::MatrixXf> codes(workers);
    std::vector<std::exception_ptr> failures(workers);
    for (std::int64_t round = 0; round < windows; round += std::int64_t(batch) * threads) {
        if (progress) {
            if (progress->isCancelled())
                throw Cancelled();
            progress->report(double(round) / double(windows), "encoding");
        }
        const int jobs = int(std::min<std::int64_t>(threads, (windows - round + batch - 1) / batch));
        pool.run(jobs, [&](int t) {
            try {
                const std::int64_t first = round + std::int64_t(t) * batch;
                const int n = int(std::min<std::int64_t>(batch, windows - first));
                std::vector<int>& batchIds = ids[std::size_t(t)];
                batchIds.resize(std::size_t(n) * std::size_t(context));
                for (int w = 0; w < n; ++w) {
                    int* row = batchIds.data() + std::size_t(w) * std::size_t(context);
                    if (bos)
                        *row++ = *m_lm.tokenizer().bosId();
                    std::copy_n(textIds.data() + (first + w) * body, body, row);
                }
                captureCodes(batchIds, n, context, codes[std::size_t(t)]);
            } catch (...) {
                failures[std::size_t(t)] = std::current_exception();
            }
        });
        for (int t = 0; t < jobs; ++t)
            if (failures[std::size_t(t)])
                std::rethrow_exception(failures[std::size_t(t)]);
        for (int t = 0; t < jobs; ++t) {
            const Eigen::MatrixXf& batchCodes = codes[std::size_t(t)];
            const std::uint64_t nonZero = std::uint64_t((batchCodes.array() != 0.0f).count());
            if (m_rowFeatures.size() + nonZero > settings.maxStoredActivations) {
                m_truncated = true;
                if (m_tokens.empty())
                    throw InputError("one batch of windows already has more non-zero codes than the " +
                                     std::to_string(settings.maxStoredActivations) + " the dashboard may keep");
                break;
            }
            const auto firstRow = std::int32_t(m_tokens.size());
            m_tokens.insert(m_tokens.end(), ids[std::size_t(t)].begin(), ids[std::size_t(t)].end());
            for (Eigen::Index r = 0; r < batchCodes.cols(); ++r) {
                const float* column = batchCodes.data() + r * batchCodes.rows();
                for (Eigen::Index f = 0; f < batchCodes.rows(); ++f)
                    if (column[f] != 0.0f) {
                        m_byFeature[std::size_t(f)].push_back({firstRow + std::int32_t(r), column[f]});
                        m_rowFeatures.push_back(std::int32_t(f));
                    }
                m_rowStart.push_back(std::int64_t(m_rowFeatures.size()));
            }
        }
        if (m_truncated)
            break;
    }
    if (progress)
        progress->report(1.0, "encoding");
}

DashboardExample FeatureDashboard::example(int feature, std::int32_t row, int contextTokens) const
{
    const std::vector<Entry>& entries = m_byFeature[std::size_t(feature)];
    DashboardExample e;
    e.sequence = row / m_context;
    e.position = row % m_context;
    const std::int32_t windowStart = std::int32_t(e.sequence) * m_context;
    const std::int32_t from = std::max(windowStart, row - contextTokens);
    const std::int32_t to = std::min(windowStart + m_context, row + contextTokens + 1);
    e.first = from - windowStart;
    e.tokenIds.assign(m_tokens.begin() + from, m_tokens.begin() + to);
    e.activations.assign(std::size_t(to - from), 0.0f);
    auto it = std::lower_bound(entries.begin(), entries.end(), from, [](const Entry& a, std::int32_t r) { return a.row < r; });
    for (; it != entries.end() && it->row < to; ++it)
        e.activations[std::size_t(it->row - from)] = it->value;
    e.maxActivation = e.activations[std::size_t(row - from)];
    return e;
}

FeatureCard FeatureDashboard::card(int feature, const CardOptions& options) const
{
    if (feature < 0 || feature >= m_sae.latentDim())
        throw InputError("feature " + std::to_string(feature) + " is outside the SAE's " +
                         std::to_string(m_sae.latentDim()) + " features");
    FeatureCard c;
    c.index = feature;
    // A conditional with a temporary on one side would copy the feature's whole list on every card.
    static const std::vector<Entry> kNone;
    const std::vector<Entry>& entries = m_byFeature.empty() ? kNone : m_byFeature[std::size_t(feature)];
    c.activeTokens = std::int64_t(entries.size());
    c.density = tokensScanned() > 0 ? double(c.activeTokens) / double(tokensScanned()) : 0.0;

    // Strongest first (ties: earlier token first), at most one example per window.
    std::vector<Entry> sorted = entries;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) { return a.value > b.value; });
    if (!sorted.empty())
        c.maxActivation = sorted.front().value;
    std::vector<std::int64_t> usedWindows;
    for (const Entry& e : sorted) {
        if (int(c.topExamples.size()) >= options.topExamples)
            break;
        const std::int64_t window = e.row / m_context;
        if (std::find(usedWindows.begin(), usedWindows.end(), window) != usedWindows.end())
            continue;
        usedWindows.push_back(window);
        c.topExamples.push_back(example(feature, e.row, options.contextTokens));
    }

    // Quantile groups: the active tokens split into bands of equal count, weakest first; examples spread evenly.
    const int groups = std::min<int>(options.quantileGroups, int(sorted.size()));
    for (int g = 0; g < groups; ++g) {
        // sorted is strongest first: band g (weakest first) is a slice from the end.
        const std::size_t n = sorted.size();
        const std::size_t hi = n - n * std::size_t(g) / std::size_t(groups);
        const std::size_t lo = n - n * std::size_t(g + 1) / std::size_t(groups);
        QuantileGroup q;
        q.lower = sorted[hi - 1].value;
        q.upper = sorted[lo].value;
        q.count = std::int64_t(hi - lo);
        const int take = std::min<int>(options.examplesPerGroup, int(hi - lo));
        for (int i = 0; i < take; ++i)
            q.examples.push_back(example(feature, sorted[lo + (hi - lo) * std::size_t(i) / std::size_t(take)].row,
                                         options.contextTokens));
        c.quantileGroups.push_back(std::move(q));
    }

    // Histogram of log10 activation over the non-zero (positive) codes, bins of 0.1 decade or wider.
    double lowest = INFINITY, highest = -INFINITY;
    for (const Entry& e : entries)
        if (e.value > 0.0f) {
            lowest = std::min(lowest, std::log10(double(e.value)));
            highest = std::max(highest, std::log10(double(e.value)));
        }
    if (std::isfinite(lowest)) {
        const double from = std::floor(lowest * 10.0) / 10.0;
        const double to = std::max(from + 0.1, std::ceil(highest * 10.0 + 1e-9) / 10.0);
        const int bins = std::clamp(int(std::lround((to - from) / 0.1)), 1, 60);
        const double width = (to - from) / bins;
        for (int b = 0; b <= bins; ++b)
            c.histogramEdges.push_back(from + b * width);
        c.histogramCounts.assign(std::size_t(bins), 0);
        for (const Entry& e : entries)
            if (e.value > 0.0f)
                ++c.histogramCounts[std::size_t(std::clamp(int((std::log10(double(e.value)) - from) / width), 0, bins - 1))];
    }

    c.logitsAvailable = m_logits.available();
    if (c.logitsAvailable && options.logits > 0)
        LogitEffects::extremes(m_logits.effects(m_sae.decoderWeights().col(feature)), options.logits, c.topLogits,
                               c.bottomLogits);

    if (options.neighbours <= 0)
        return c;
    // Nearest by decoder cosine.
    const Eigen::MatrixXf& decoder = m_sae.decoderWeights();
    const float ownNorm = decoder.col(feature).norm();
    std::vector<std::pair<int, float>> cosines;
    for (int g = 0; g < decoder.cols(); ++g)
        if (g != feature) {
            const float norms = ownNorm * decoder.col(g).norm();
            cosines.push_back({g, norms > 0.0f ? decoder.col(g).dot(decoder.col(feature)) / norms : 0.0f});
        }
    const int neighbours = std::min<int>(options.neighbours, int(cosines.size()));
    auto higher = [](const std::pair<int, float>& a, const std::pair<int, float>& b) {
        return a.second > b.second || (a.second == b.second && a.first < b.first);
    };
    std::partial_sort(cosines.begin(), cosines.begin() + neighbours, cosines.end(), higher);
    c.nearest.assign(cosines.begin(), cosines.begin() + neighbours);

    // Co-firing: Jaccard index |A ∩ B| / |A ∪ B| of the sets of tokens where each is active.
    std::vector<std::int64_t> both(std::size_t(m_sae.latentDim()), 0);
    for (const Entry& e : entries)
        for (std::int64_t i = m_rowStart[std::size_t(e.row)]; i < m_rowStart[std::size_t(e.row) + 1]; ++i)
            ++both[std::size_t(m_rowFeatures[std::size_t(i)])];
    std::vector<std::pair<int, float>> jaccard;
    for (int g = 0; g < m_sae.latentDim(); ++g)
        if (g != feature && both[std::size_t(g)] > 0) {
            const double all = double(c.activeTokens + std::int64_t(m_byFeature[std::size_t(g)].size()) - both[std::size_t(g)]);
            jaccard.push_back({g, float(double(both[std::size_t(g)]) / all)});
        }
    const int coFiring = std::min<int>(options.neighbours, int(jaccard.size()));
    std::partial_sort(jaccard.begin(), jaccard.begin() + coFiring, jaccard.end(), higher);
    c.coFiring.assign(jaccard.begin(), jaccard.begin() + coFiring);
    return c;
}

Eigen::MatrixXf FeatureDashboard::encodeSequence(const std::vector<int>& ids) const
{
    std::vector<int> sequence = ids;
    if (m_processing.prependBos)
        sequence.insert(sequence.begin(), *m_lm.tokenizer().bosId());
    if (sequence.empty())
        throw InputError("nothing to encode: the text is empty");
    Eigen::MatrixXf codes;
    captureCodes(sequence, 1, int(sequence.size()), codes);
    return codes;
}

} // namespace featurescope
