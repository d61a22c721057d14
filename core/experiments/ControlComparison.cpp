#include "experiments/ControlComparison.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"
#include "sae/SaeMetricsExport.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace featurescope {

double ControlComparison::median(std::vector<double> values)
{
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const std::size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + long(mid), values.end());
    double m = values[mid];
    if (values.size() % 2 == 0) {
        const double lower = *std::max_element(values.begin(), values.begin() + long(mid));
        m = 0.5 * (m + lower);
    }
    return m;
}

namespace {

// "higher for the trained network" / "higher for the shuffled one" / "about the same", from medians.
std::string compare(double trained, double shuffled, double margin)
{
    if (!std::isfinite(trained) || !std::isfinite(shuffled))
        return "not comparable (too few features with enough examples)";
    if (trained > shuffled + margin)
        return "higher for the trained network";
    if (shuffled > trained + margin)
        return "higher for the shuffled one";
    return "about the same";
}

std::string number(double v, const char* format = "%.2f")
{
    if (!std::isfinite(v))
        return "–";
    char text[32];
    std::snprintf(text, sizeof text, format, v);
    return text;
}

} // namespace

std::string ControlComparison::reading() const
{
    const double pt = median(trained.purities), ps = median(shuffled.purities);
    const double ct = median(trained.coherences), cs = median(shuffled.coherences);
    std::string text = "Median label purity " + number(pt) + " vs " + number(ps) + " (" + compare(pt, ps, 0.03) +
                       "), median coherence " + number(ct) + " vs " + number(cs) + " (" + compare(ct, cs, 0.03) +
                       "); dead " + number(100.0 * trained.metrics.deadFraction, "%.0f") + " % vs " +
                       number(100.0 * shuffled.metrics.deadFraction, "%.0f") + " % of " + std::to_string(latentDim) +
                       " features; networks " + number(100.0 * trained.accuracy, "%.1f") + " % vs " +
                       number(100.0 * shuffled.accuracy, "%.1f") + " % accurate.";
    const bool purityTrained = std::isfinite(pt) && std::isfinite(ps) && pt > ps + 0.03;
    const bool coherenceShuffled = std::isfinite(ct) && std::isfinite(cs) && cs > ct + 0.03;
    if (purityTrained && coherenceShuffled)
        text += " The proxies disagree: the shuffled network's features look more coherent, as TM warned random "
                "models can on naive measures.";
    else if (!purityTrained && std::isfinite(pt) && std::isfinite(ps))
        text += " Purity does not separate the two here: look at the distributions and at the examples.";
    text += " These are proxies over " + std::to_string(topK) +
            " top examples per feature; compare the distributions, not one number.";
    return text;
}

namespace {

nlohmann::json sideJson(const ControlComparison::Side& side)
{
    return {{"name", side.name},
            {"accuracy", side.accuracy},
            {"metrics", SaeMetricsExport::toJson(side.metrics)},
            {"densities", side.densities},
            {"purities", side.purities},
            {"coherences", side.coherences}};
}

ControlComparison::Side sideFromJson(const SettingsReader& r, std::size_t maxFeatures)
{
    ControlComparison::Side side;
    side.name = r.text("name", 200);
    side.accuracy = r.number("accuracy", 0.0, 1.0);
    side.densities = r.numbers("densities", maxFeatures, 0.0, 1.0);
    side.purities = r.numbers("purities", maxFeatures, -1.0, 1.0);
    side.coherences = r.numbers("coherences", maxFeatures, -1.0, 1.0);
    const SettingsReader m = r.object("metrics");
    SaeDictionaryMetrics& metrics = side.metrics;
    metrics.evaluationCount = int(m.integer("evaluation_inputs", 0, 1 << 30));
    metrics.l0 = m.number("l0", 0.0, 1e9);
    metrics.mse = m.number("mse", 0.0, 1e30);
    metrics.explainedVariance = m.number("explained_variance", -1e30, 1.0);
    metrics.deadFraction = m.number("dead_fraction", 0.0, 1.0);
    metrics.denseFraction = m.number("dense_fraction", 0.0, 1.0);
    if (m.has("mean_label_purity"))
        metrics.meanLabelPurity = m.number("mean_label_purity", -1.0, 1.0);
    if (m.has("mean_coherence"))
        metrics.meanCoherence = m.number("mean_coherence", -1.0, 1.0);
    // The density histogram is recomputed from the densities: it is a view of them.
    metrics.densityHistogram = SaeDensityHistogram::of(side.densities);
    return side;
}

} // namespace

void to_json(nlohmann::json& j, const ControlComparison& control)
{
    j = {{"trained", sideJson(control.trained)},
         {"shuffled", sideJson(control.shuffled)},
         {"latent_dim", control.latentDim},
         {"steps", control.steps},
         {"top_k", control.topK}};
}

ControlComparison controlComparisonFromJson(const nlohmann::json& j, const std::string& where)
{
    const SettingsReader r(j, where);
    ControlComparison c;
    c.latentDim = int(r.integer("latent_dim", 1, 1 << 20));
    c.steps = int(r.integer("steps", 0, 100000000));
    c.topK = int(r.integer("top_k", 1, 100000));
    c.trained = sideFromJson(r.object("trained"), std::size_t(c.latentDim));
    c.shuffled = sideFromJson(r.object("shuffled"), std::size_t(c.latentDim));
    return c;
}

} // namespace featurescope
