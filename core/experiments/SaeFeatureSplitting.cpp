#include "experiments/SaeFeatureSplitting.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "common/SettingsReader.h"
#include "experiments/SaeExperiment.h"

#include <algorithm>
#include <map>

namespace featurescope {

void SaeSplittingSpec::validate() const
{
    if (multipliers.empty() || multipliers.size() > 6 || multipliers.front() != 1)
        throw InputError("feature splitting takes 1 to 6 widths, the first 1 (e.g. 1,2,4,8)");
    for (std::size_t i = 1; i < multipliers.size(); ++i)
        if (multipliers[i] <= multipliers[i - 1] || multipliers[i] > 64)
            throw InputError("the width multipliers must increase and stay at most 64 (e.g. 1,2,4,8)");
    if (std::int64_t(base.sae.latentDim) * multipliers.back() > 65536)
        throw InputError("the widest SAE would have more than 65536 latents: lower --d-sae or the multipliers");
    SaeExperimentConfig widest = base;
    widest.sae.latentDim = base.sae.latentDim * multipliers.back();
    base.validate();
    widest.validate();
}

int SaeSplittingWidth::aliveCount() const
{
    return int(std::count_if(density.begin(), density.end(), [](double d) { return d > 0.0; }));
}

std::vector<int> SaeSplittingResult::children(int width, int latent) const
{
    std::vector<int> out;
    if (width < 0 || width + 1 >= int(widths.size()))
        return out;
    const SaeSplittingWidth& next = widths[std::size_t(width + 1)];
    for (int j = 0; j < next.latents; ++j)
        if (next.parent[std::size_t(j)] == latent)
            out.push_back(j);
    return out;
}

std::vector<std::vector<int>> SaeSplittingResult::family(int width, int latent) const
{
    std::vector<std::vector<int>> out(widths.size());
    if (width < 0 || width >= int(widths.size()) || latent < 0 || latent >= widths[std::size_t(width)].latents)
        return out;
    out[std::size_t(width)] = {latent};
    for (int w = width; w + 1 < int(widths.size()); ++w)
        for (int member : out[std::size_t(w)])
            for (int child : children(w, member))
                out[std::size_t(w + 1)].push_back(child);
    for (auto& members : out)
        std::sort(members.begin(), members.end());
    return out;
}

int SaeSplittingResult::mostSplitRoot() const
{
    if (widths.empty())
        return -1;
    // Grown through strong links only, so the example is a clean split rather than a loose cluster of weak matches.
    constexpr float kStrongLink = 0.7f;
    int best = -1;
    std::size_t bestSize = 0;
    double bestCosine = -1.0;
    for (int j = 0; j < widths.front().latents; ++j) {
        if (!widths.front().alive(j))
            continue;
        std::vector<int> members{j};
        double cosine = 0.0;
        int links = 0;
        for (std::size_t w = 1; w < widths.size() && !members.empty(); ++w) {
            std::vector<int> next;
            for (int c = 0; c < widths[w].latents; ++c) {
                const int p = widths[w].parent[std::size_t(c)];
                const float cos = widths[w].parentCosine[std::size_t(c)];
                if (cos >= kStrongLink && std::find(members.begin(), members.end(), p) != members.end()) {
                    next.push_back(c);
                    cosine += cos;
                    ++links;
                }
            }
            members = std::move(next);
        }
        cosine = links ? cosine / links : 0.0;
        if (best < 0 || members.size() > bestSize || (members.size() == bestSize && cosine > bestCosine)) {
            best = j;
            bestSize = members.size();
            bestCosine = cosine;
        }
    }
    return best;
}

nlohmann::json SaeSplittingResult::toJson() const
{
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t w = 0; w < widths.size(); ++w) {
        const SaeSplittingWidth& width = widths[w];
        nlohmann::json links = nlohmann::json::array();
        for (int j = 0; j < width.latents; ++j)
            if (width.parent[std::size_t(j)] >= 0)
                links.push_back({{"child", j}, {"parent", width.parent[std::size_t(j)]},
                                 {"cosine", width.parentCosine[std::size_t(j)]}});
        nlohmann::json j = {{"multiplier", width.multiplier}, {"d_sae", width.latents},
                            {"alive", width.aliveCount()},    {"l0", width.l0},
                            {"mse", width.mse},               {"explained_variance", width.explainedVariance}};
        if (width.mmcs >= -0.5)
            j["mmcs"] = width.mmcs;
        j["density"] = width.density;
        j["best_true"] = width.bestTrue;
        j["best_true_cosine"] = width.bestTrueCosine;
        if (w > 0) {
            j["links"] = std::move(links);
            // The narrower SAE's latents that split: two or more children here.
            nlohmann::json splits = nlohmann::json::array();
            for (int p = 0; p < widths[w - 1].latents; ++p)
                if (const auto c = children(int(w) - 1, p); c.size() >= 2)
                    splits.push_back({{"parent", p}, {"children", c}});
            j["splits"] = std::move(splits);
        }
        out.push_back(std::move(j));
    }
    return {{"widths", std::move(out)}, {"most_split_root", mostSplitRoot()}};
}

SaeSplittingResult SaeSplittingResult::fromJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object())
        throw InputError(where + ": feature splitting must be a JSON object");
    const nlohmann::json& widths = SettingsReader(j, where).raw("widths");
    if (!widths.is_array() || widths.size() > 6)
        throw InputError(where + ": \"widths\" must be an array of at most 6 widths");
    SaeSplittingResult result;
    for (std::size_t w = 0; w < widths.size(); ++w) {
        if (!widths[w].is_object())
            throw InputError(where + ": width " + std::to_string(w) + " is not an object");
        const SettingsReader r(widths[w], where + ", width " + std::to_string(w));
        SaeSplittingWidth width;
        width.multiplier = int(r.integer("multiplier", 1, 64));
        width.latents = int(r.integer("d_sae", 1, 65536));
        width.l0 = r.number("l0", 0.0, 1e9);
        width.mse = r.number("mse", 0.0, 1e30);
        width.explainedVariance = r.number("explained_variance", -1e30, 1.0);
        width.mmcs = r.has("mmcs") ? r.number("mmcs", -1.0, 1.0) : -1.0;
        const std::size_t n = std::size_t(width.latents);
        width.density = r.numbers("density", n, 0.0, 1.0);
        const std::vector<std::int64_t> best = r.integers("best_true", n, -1, 1 << 20);
        const std::vector<double> bestCosine = r.numbers("best_true_cosine", n, -1.0, 1.0);
        if (width.density.size() != n || best.size() != n || bestCosine.size() != n)
            throw InputError(r.where() + ": density, best_true and best_true_cosine need d_sae entries each");
        width.bestTrue.assign(best.begin(), best.end());
        width.bestTrueCosine.assign(bestCosine.begin(), bestCosine.end());
        width.parent.assign(n, -1);
        width.parentCosine.assign(n, 0.0f);
        if (w > 0) {
            const nlohmann::json& links = r.raw("links");
            if (!links.is_array() || links.size() > n)
                throw InputError(r.where() + ": \"links\" must be an array of at most d_sae links");
            for (const nlohmann::json& link : links) {
                if (!link.is_object())
                    throw InputError(r.where() + ": a link is not an object");
                const SettingsReader l(link, r.where());
                const auto child = std::size_t(l.integer("child", 0, width.latents - 1));
                width.parent[child] = int(l.integer("parent", 0, result.widths.back().latents - 1));
                width.parentCosine[child] = float(l.number("cosine", 0.0, 1.0));
            }
        }
        result.widths.push_back(std::move(width));
    }
    return result;
}

void SaeFeatureSplitting::link(const Eigen::MatrixXf& parentDecoder, const std::vector<bool>& parentAlive,
                               const Eigen::MatrixXf& childDecoder, const std::vector<bool>& childAlive,
                               std::vector<int>& parent, std::vector<float>& cosine)
{
    if (parentDecoder.rows() != childDecoder.rows() || std::size_t(parentDecoder.cols()) != parentAlive.size() ||
        std::size_t(childDecoder.cols()) != childAlive.size())
        throw InputError("feature splitting: decoders of different input dimensions or wrong live-latent counts");
    const Eigen::MatrixXf cos = SaeExperiment::unitColumns(childDecoder).transpose() *
                                SaeExperiment::unitColumns(parentDecoder); // K' x K
    parent.assign(std::size_t(childDecoder.cols()), -1);
    cosine.assign(std::size_t(childDecoder.cols()), 0.0f);
    for (Eigen::Index c = 0; c < cos.rows(); ++c) {
        if (!childAlive[std::size_t(c)])
            continue;
        float best = 0.0f;
        for (Eigen::Index p = 0; p < cos.cols(); ++p)
            if (parentAlive[std::size_t(p)] && cos(c, p) > best) {
                best = cos(c, p);
                parent[std::size_t(c)] = int(p);
            }
        cosine[std::size_t(c)] = std::min(best, 1.0f); // rounding can give 1 + ε for a copied column
    }
}

SaeSplittingResult SaeFeatureSplitting::run(const SaeSplittingSpec& spec, const ProgressReporter& progress)
{
    spec.validate();
    // Progress by work: a width's training costs about its latent count.
    double totalWork = 0.0;
    for (int m : spec.multipliers)
        totalWork += m;
    SaeSplittingResult result;
    SaeSourceFactory sources;
    Eigen::MatrixXf previousDecoder;
    std::vector<bool> previousAlive;
    double done = 0.0;
    for (int multiplier : spec.multipliers) {
        SaeExperimentConfig config = spec.base;
        config.sae.latentDim = spec.base.sae.latentDim * multiplier;
        const ProgressReporter stage(progress, done / totalWork, (done + multiplier) / totalWork,
                                     std::to_string(multiplier) + "x (" + std::to_string(config.sae.latentDim) + " latents)");
        const SaeRunResult run = SaeExperiment::train(config, sources, stage);
        if (run.status == TrainingStatus::Cancelled || progress.isCancelled())
            throw Cancelled();
        if (run.status == TrainingStatus::Diverged)
            throw InputError("the " + std::to_string(multiplier) + "x SAE diverged (" + run.message +
                             "): lower the learning rate or the sparsity coefficient");
        done += multiplier;
        SaeSplittingWidth width;
        width.multiplier = multiplier;
        width.latents = config.sae.latentDim;
        const SaeDictionaryMetrics& m = run.evaluator->metrics();
        width.l0 = m.l0;
        width.mse = m.mse;
        width.explainedVariance = m.explainedVariance;
        width.mmcs = m.mmcs;
        width.density = run.evaluator->densities();
        const Eigen::MatrixXf decoder = run.sae->decoderWeights();
        std::vector<bool> alive(std::size_t(width.latents));
        for (int j = 0; j < width.latents; ++j)
            alive[std::size_t(j)] = width.alive(j);
        if (previousDecoder.size() > 0) {
            link(previousDecoder, previousAlive, decoder, alive, width.parent, width.parentCosine);
        } else {
            width.parent.assign(std::size_t(width.latents), -1);
            width.parentCosine.assign(std::size_t(width.latents), 0.0f);
        }
        width.bestTrue.assign(std::size_t(width.latents), -1);
        width.bestTrueCosine.assign(std::size_t(width.latents), 0.0f);
        if (run.truth.size() > 0) {
            const Eigen::MatrixXf cos = SaeExperiment::unitColumns(decoder).transpose() * run.truth; // K x F
            for (int j = 0; j < width.latents; ++j) {
                Eigen::Index best = 0;
                width.bestTrueCosine[std::size_t(j)] = cos.row(j).maxCoeff(&best);
                width.bestTrue[std::size_t(j)] = int(best);
            }
        }
        previousDecoder = decoder;
        previousAlive = std::move(alive);
        result.widths.push_back(std::move(width));
    }
    progress.report(1.0, "feature splitting done");
    return result;
}

} // namespace featurescope
