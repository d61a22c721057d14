#include "experiments/SaeSweep.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "common/SettingsReader.h"
#include "experiments/SaeExperiment.h"

#include <cmath>

namespace featurescope {

double SaeSweepPoint::meanOf(const std::string& key, double otherwise) const
{
    const auto it = mean.find(key);
    return it == mean.end() ? otherwise : it->second;
}

double SaeSweepPoint::stdOf(const std::string& key, double otherwise) const
{
    const auto it = std.find(key);
    return it == std.end() ? otherwise : it->second;
}

std::string SaeSweepSpec::displayName() const { return name.empty() ? saeVariantName(base.sae.variant) : name; }

SaeExperimentConfig SaeSweepSpec::configFor(double value, int seedIndex) const
{
    SaeExperimentConfig config = base;
    if (sweepsK())
        config.sae.k = int(value);
    else
        config.sae.l1 = value;
    config.training.seed = base.training.seed + std::uint64_t(seedIndex);
    return config;
}

void SaeSweepSpec::validate() const
{
    const std::string parameter = parameterName();
    if (values.empty() || values.size() > 64)
        throw InputError(displayName() + ": a sweep takes 1 to 64 values of " + parameter);
    if (seeds < 1 || seeds > 100)
        throw InputError(displayName() + ": a sweep takes 1 to 100 seeds per value");
    for (double v : values) {
        if (sweepsK() ? !(v >= 1.0 && v == std::floor(v) && v <= base.sae.latentDim) : !(v >= 0.0 && v <= 1e3))
            throw InputError(sweepsK() ? displayName() + ": k must be a whole number between 1 and d_sae (" +
                                             std::to_string(base.sae.latentDim) + ")"
                                       : displayName() + ": the sparsity coefficient must lie between 0 and 1000");
    }
    configFor(values.front(), 0).validate();
}

const std::vector<std::string>& SaeSweep::metricKeys()
{
    static const std::vector<std::string> keys{"l0",   "mse",  "explained_variance", "dead_fraction", "ultra_rare_fraction",
                                               "dense_fraction", "mmcs", "mcc", "f1_mean", "shrinkage", "absorption_rate"};
    return keys;
}

SaeSweepPoint SaeSweep::aggregate(double value, std::vector<SaeSweepRun> runs)
{
    SaeSweepPoint point;
    point.value = value;
    point.runs = std::move(runs);
    if (point.runs.empty())
        return point;
    for (const std::string& key : metricKeys()) {
        bool everyRun = true;
        double sum = 0.0;
        for (const SaeSweepRun& r : point.runs) {
            const auto it = r.metrics.find(key);
            everyRun = everyRun && it != r.metrics.end() && std::isfinite(it->second);
            if (everyRun)
                sum += it->second;
        }
        if (!everyRun)
            continue;
        const double n = double(point.runs.size());
        const double m = sum / n;
        double squares = 0.0;
        for (const SaeSweepRun& r : point.runs)
            squares += (r.metrics.at(key) - m) * (r.metrics.at(key) - m);
        point.mean[key] = m;
        point.std[key] = point.runs.size() > 1 ? std::sqrt(squares / (n - 1.0)) : 0.0;
    }
    return point;
}

std::vector<std::size_t> SaeSweep::paretoFront(const std::vector<double>& l0, const std::vector<double>& mse)
{
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < l0.size(); ++i) {
        bool dominated = false;
        for (std::size_t j = 0; j < l0.size() && !dominated; ++j)
            dominated = j != i && l0[j] <= l0[i] && mse[j] <= mse[i] && (l0[j] < l0[i] || mse[j] < mse[i]);
        if (!dominated)
            front.push_back(i);
    }
    return front;
}

void SaeSweep::markParetoFront(SaeSweepSeries& series)
{
    std::vector<double> l0, mse;
    for (const SaeSweepPoint& p : series.points) {
        // A point without both numbers (every seed diverged) is never on the front.
        l0.push_back(p.has("l0") && p.has("mse") ? p.meanOf("l0") : INFINITY);
        mse.push_back(p.has("l0") && p.has("mse") ? p.meanOf("mse") : INFINITY);
    }
    series.paretoFront.clear();
    for (std::size_t i : paretoFront(l0, mse))
        if (std::isfinite(l0[i]))
            series.paretoFront.push_back(i);
    for (SaeSweepPoint& p : series.points)
        p.pareto = false;
    for (std::size_t i : series.paretoFront)
        series.points[i].pareto = true;
}

std::vector<SaeSweepSeries> SaeSweep::run(const std::vector<SaeSweepSpec>& specs, const ProgressReporter& progress,
                                          const RunStarted& runStarted, const PointFinished& pointFinished)
{
    if (specs.empty())
        throw InputError("a sweep needs at least one recipe");
    int total = 0;
    for (const SaeSweepSpec& spec : specs) {
        spec.validate();
        total += int(spec.values.size()) * spec.seeds;
    }
    std::vector<SaeSweepSeries> series;
    SaeSourceFactory sources; // shared: a source that trains a model (toy, MLP) trains it once
    int done = 0;
    for (const SaeSweepSpec& spec : specs) {
        series.push_back(SaeSweepSeries{spec, {}, {}});
        for (double value : spec.values) {
            std::vector<SaeSweepRun> runs;
            for (int s = 0; s < spec.seeds; ++s) {
                if (progress.isCancelled())
                    throw Cancelled();
                const SaeExperimentConfig config = spec.configFor(value, s);
                if (runStarted)
                    runStarted(done + 1, total, spec, value, config.training.seed);
                const std::string what = spec.displayName() + ", " + spec.parameterName() + " = " + nlohmann::json(value).dump() +
                                         ", seed " + std::to_string(config.training.seed) + " (run " +
                                         std::to_string(done + 1) + " of " + std::to_string(total) + ")";
                const ProgressReporter stage(progress, double(done) / total, double(done + 1) / total, what);
                const SaeRunResult result = SaeExperiment::train(config, sources, stage);
                if (result.status == TrainingStatus::Cancelled)
                    throw Cancelled();
                const nlohmann::json all = result.toJson(config);
                SaeSweepRun run;
                run.seed = config.training.seed;
                run.status = all.value("status", std::string());
                for (const std::string& key : metricKeys())
                    if (all.contains(key) && all[key].is_number())
                        run.metrics[key] = all[key].get<double>();
                runs.push_back(std::move(run));
                ++done;
            }
            series.back().points.push_back(aggregate(value, std::move(runs)));
            markParetoFront(series.back());
            if (pointFinished)
                pointFinished(series);
        }
    }
    progress.report(1.0, "sweep finished");
    return series;
}

nlohmann::json SaeSweepSeries::toJson() const
{
    nlohmann::json points = nlohmann::json::array();
    for (const SaeSweepPoint& p : this->points) {
        nlohmann::json runs = nlohmann::json::array();
        for (const SaeSweepRun& r : p.runs) {
            nlohmann::json j = {{"seed", r.seed}, {"status", r.status}};
            for (const auto& [key, v] : r.metrics)
                j[key] = v;
            runs.push_back(std::move(j));
        }
        nlohmann::json point = {{"value", p.value}, {"runs", std::move(runs)}, {"mean", p.mean}, {"std", p.std}};
        if (p.pareto)
            point["pareto"] = true;
        points.push_back(std::move(point));
    }
    return {{"name", spec.displayName()},
            {"parameter", spec.parameterName()},
            {"variant", saeVariantName(spec.base.sae.variant)},
            {"source", SaeExperimentConfig::sourceName(spec.base.source)},
            {"seeds", spec.seeds},
            {"steps", spec.base.training.steps},
            {"d_sae", spec.base.sae.latentDim},
            {"batch", spec.base.training.batch},
            {"seed", spec.base.training.seed},
            {"points", std::move(points)},
            {"pareto_front", paretoFront}};
}

SaeSweepSeries SaeSweepSeries::fromJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object())
        throw InputError(where + ": a sweep must be a JSON object");
    const SettingsReader r(j, where);
    SaeSweepSeries series;
    SaeSweepSpec& spec = series.spec;
    spec.name = r.text("name", 64);
    const std::string source = r.text("source", 64);
    if (!SaeExperimentConfig::sourceFromName(source, &spec.base.source))
        throw InputError(where + ": unknown source \"" + source + "\"");
    spec.base.sae.variant = saeVariantFromName(r.text("variant", 32));
    spec.base.sae.latentDim = int(r.integer("d_sae", 1, 1 << 20));
    spec.base.training.steps = int(r.integer("steps", 1, 100000000));
    spec.base.training.batch = int(r.integer("batch", 1, 1 << 20));
    spec.base.training.seed = std::uint64_t(r.integer("seed", 0, std::int64_t(1) << 53));
    spec.seeds = int(r.integer("seeds", 1, 100));
    if (r.choice("parameter", {"l1", "k"}) != spec.parameterName())
        throw InputError(where + ": \"parameter\" does not match the recipe " + saeVariantName(spec.base.sae.variant));
    const nlohmann::json& points = r.raw("points");
    if (!points.is_array() || points.size() > 64)
        throw InputError(where + ": \"points\" must be an array of at most 64 points");
    auto metrics = [&](const SettingsReader& m) {
        std::map<std::string, double> out;
        for (const std::string& key : SaeSweep::metricKeys())
            if (m.has(key.c_str()))
                out[key] = m.number(key.c_str(), -1e30, 1e30);
        return out;
    };
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!points[i].is_object())
            throw InputError(where + ": point " + std::to_string(i) + " is not an object");
        const SettingsReader pr(points[i], where + ", point " + std::to_string(i));
        SaeSweepPoint point;
        point.value = pr.number("value", 0.0, 1e6);
        point.mean = metrics(pr.object("mean"));
        point.std = metrics(pr.object("std"));
        point.pareto = pr.has("pareto") && pr.boolean("pareto");
        const nlohmann::json& runs = pr.raw("runs");
        if (!runs.is_array() || runs.size() > 100)
            throw InputError(pr.where() + ": \"runs\" must be an array of at most 100 runs");
        for (const nlohmann::json& run : runs) {
            if (!run.is_object())
                throw InputError(pr.where() + ": a run is not an object");
            const SettingsReader rr(run, pr.where());
            point.runs.push_back({std::uint64_t(rr.integer("seed", 0, std::int64_t(1) << 53)), rr.text("status", 32), metrics(rr)});
        }
        spec.values.push_back(point.value);
        series.points.push_back(std::move(point));
    }
    SaeSweep::markParetoFront(series);
    return series;
}

} // namespace featurescope
