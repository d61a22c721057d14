#include "experiments/ToyRunState.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"
#include "toy/ToyArrays.h"

#include <climits>

namespace featurescope {

namespace {

using json = nlohmann::json;

const char* statusName(TrainingStatus status)
{
    switch (status) {
    case TrainingStatus::Running: return "running";
    case TrainingStatus::Finished: return "finished";
    case TrainingStatus::Cancelled: return "cancelled";
    case TrainingStatus::Diverged: return "diverged";
    }
    return "finished";
}

ArrayData withShape(const ArrayData& a, ArrayData::Shape shape)
{
    return ArrayData(a.dtype(), std::move(shape), std::vector<std::uint8_t>(a.data(), a.data() + a.byteSize()));
}

// The finite float values of the array `name`, which must exist with exactly `shape`.
std::vector<float> floatsOf(const std::map<std::string, ArrayData>& arrays, const std::string& name,
                            const ArrayData::Shape& shape, const std::string& where)
{
    const auto it = arrays.find(name);
    if (it == arrays.end())
        throw InputError(where + ": the array '" + name + "' is missing");
    return ToyArrays::finiteFloats(it->second, shape, name, where);
}

std::vector<double> doublesOf(const std::map<std::string, ArrayData>& arrays, const std::string& name,
                              const ArrayData::Shape& shape, const std::string& where)
{
    const auto it = arrays.find(name);
    if (it == arrays.end())
        throw InputError(where + ": the array '" + name + "' is missing");
    return ToyArrays::finiteDoubles(it->second, shape, name, where);
}

// Probabilities and importances are not weights: the model config validates their ranges.
std::vector<std::vector<double>> rowsOf(const std::vector<double>& values, std::uint64_t rows, std::uint64_t cols)
{
    std::vector<std::vector<double>> out(rows, std::vector<double>(cols));
    for (std::uint64_t i = 0; i < rows; ++i)
        for (std::uint64_t f = 0; f < cols; ++f)
            out[i][f] = values[i * cols + f];
    return out;
}

} // namespace

json ToyRunState::write(const ToyTrainingResult& result, std::map<std::string, ArrayData>& arrays)
{
    const auto& config = result.model.config();
    const int I = result.model.instanceCount();
    const auto n = std::uint64_t(config.features), m = std::uint64_t(config.hidden);
    const bool perInstance = !config.instanceImportance.empty();
    json r;
    r["model"] = config;
    r["model"]["per_instance_importance"] = perInstance;
    r["training"] = result.training;
    r["steps_done"] = result.stepsDone;
    r["status"] = statusName(result.status);
    r["message"] = result.message;
    std::vector<double> probability, importance;
    for (int i = 0; i < I; ++i)
        for (std::uint64_t f = 0; f < n; ++f) {
            probability.push_back(config.featureProbability[std::size_t(i)][f]);
            if (perInstance)
                importance.push_back(config.instanceImportance[std::size_t(i)][f]);
        }
    arrays["probability"] = ArrayData::fromDoubles({std::uint64_t(I), n}, probability.data());
    if (perInstance)
        arrays["importance"] = ArrayData::fromDoubles({std::uint64_t(I), n}, importance.data());
    std::vector<const Eigen::MatrixXf*> W, D;
    std::vector<const Eigen::VectorXf*> b;
    for (int i = 0; i < I; ++i) {
        W.push_back(&result.model.instance(i).W);
        D.push_back(&result.model.instance(i).decoder);
        b.push_back(&result.model.instance(i).b);
    }
    arrays["W"] = ToyArrays::stackMatrices(W, config.hidden, config.features);
    arrays["b"] = ToyArrays::stackVectors(b, config.features);
    if (!config.tied())
        arrays["decoder"] = ToyArrays::stackMatrices(D, config.hidden, config.features);
    std::vector<float> loss;
    json lengths = json::array();
    for (const auto& history : result.lossHistory) {
        loss.insert(loss.end(), history.begin(), history.end());
        lengths.push_back(history.size());
    }
    r["loss_lengths"] = lengths;
    arrays["loss"] = ArrayData::fromFloats({loss.size()}, loss.data());
    arrays["final_loss"] = ArrayData::fromDoubles({result.finalLoss.size()}, result.finalLoss.data());
    r["restart_chosen"] = result.restartChosen;
    json steps = json::array();
    std::vector<const Eigen::MatrixXf*> sW, sD;
    std::vector<const Eigen::VectorXf*> sb;
    for (const auto& snapshot : result.snapshots) {
        if (int(snapshot.instances.size()) != I)
            continue;
        steps.push_back(snapshot.step);
        for (const auto& inst : snapshot.instances) {
            sW.push_back(&inst.W);
            sD.push_back(&inst.decoder);
            sb.push_back(&inst.b);
        }
    }
    r["snapshot_steps"] = steps;
    if (!steps.empty()) {
        const std::uint64_t S = steps.size();
        arrays["snapshot_W"] = withShape(ToyArrays::stackMatrices(sW, config.hidden, config.features),
                                         {S, std::uint64_t(I), m, n});
        arrays["snapshot_b"] = withShape(ToyArrays::stackVectors(sb, config.features), {S, std::uint64_t(I), n});
        if (!config.tied())
            arrays["snapshot_decoder"] = withShape(ToyArrays::stackMatrices(sD, config.hidden, config.features),
                                                   {S, std::uint64_t(I), m, n});
    }
    return r;
}

std::shared_ptr<ToyTrainingResult> ToyRunState::read(const json& settings, const std::map<std::string, ArrayData>& arrays,
                                                     const std::string& where)
{
    const SettingsReader r(settings, where);
    const auto model = r.object("model");
    std::int64_t instanceCount = 0;
    ToyModelConfig config = ToyModelConfig::headerFromJson(model, instanceCount);
    const int instances = int(instanceCount);
    const auto n = std::uint64_t(config.features), m = std::uint64_t(config.hidden), I = std::uint64_t(instances);
    const bool untied = config.kind == ToyModelKind::UntiedAbs;

    // Every array first: their shapes bound everything allocated below.
    const auto probability = doublesOf(arrays, "probability", {I, n}, where);
    const auto importance = model.boolean("per_instance_importance") ? doublesOf(arrays, "importance", {I, n}, where)
                                                                     : std::vector<double>{};
    const auto W = floatsOf(arrays, "W", {I, m, n}, where);
    const auto b = floatsOf(arrays, "b", {I, n}, where);
    const auto D = untied ? floatsOf(arrays, "decoder", {I, m, n}, where) : std::vector<float>{};
    const auto lengths = r.integers("loss_lengths", std::size_t(instances), 0, INT32_MAX);
    if (lengths.size() != I)
        throw InputError(where + ": \"loss_lengths\" must name one length per instance");
    std::uint64_t total = 0;
    for (auto l : lengths)
        total += std::uint64_t(l);
    const auto loss = floatsOf(arrays, "loss", {total}, where);
    const auto finalLoss = doublesOf(arrays, "final_loss", {I}, where);
    const auto t = r.object("training");
    const TrainingConfig training = TrainingConfig::fromJson(t);
    const auto steps = r.integers("snapshot_steps", 100000, 0, training.steps);
    const std::uint64_t S = steps.size();
    const auto sW = S ? floatsOf(arrays, "snapshot_W", {S, I, m, n}, where) : std::vector<float>{};
    const auto sb = S ? floatsOf(arrays, "snapshot_b", {S, I, n}, where) : std::vector<float>{};
    const auto sD = S && untied ? floatsOf(arrays, "snapshot_decoder", {S, I, m, n}, where) : std::vector<float>{};

    config.featureProbability = rowsOf(probability, I, n);
    if (!importance.empty())
        config.instanceImportance = rowsOf(importance, I, n);
    try {
        config.validate();
    } catch (const InputError& e) {
        throw InputError(where + ".model: " + e.what());
    }

    auto result = std::make_shared<ToyTrainingResult>();
    result->model = ToyModel(config);
    result->training = training;
    result->stepsDone = int(r.integer("steps_done", 0, training.steps));
    const std::string status = r.choice("status", {"running", "finished", "cancelled", "diverged"});
    // A run saved while training continues no further: it is shown as stopped.
    result->status = status == "finished"   ? TrainingStatus::Finished
                     : status == "diverged" ? TrainingStatus::Diverged
                                            : TrainingStatus::Cancelled;
    result->message = r.text("message", 2000);
    for (int i = 0; i < instances; ++i) {
        auto& inst = result->model.instance(i);
        inst.W = ToyArrays::matrixAt(W, std::size_t(i), config.hidden, config.features);
        inst.b = ToyArrays::vectorAt(b, std::size_t(i), config.features);
        if (untied)
            inst.decoder = ToyArrays::matrixAt(D, std::size_t(i), config.hidden, config.features);
    }
    std::size_t offset = 0;
    for (auto l : lengths) {
        result->lossHistory.emplace_back(loss.begin() + std::ptrdiff_t(offset),
                                         loss.begin() + std::ptrdiff_t(offset + std::size_t(l)));
        offset += std::size_t(l);
    }
    result->finalLoss.assign(finalLoss.begin(), finalLoss.end());
    for (auto k : r.integers("restart_chosen", std::size_t(instances), 0, training.restarts))
        result->restartChosen.push_back(int(k));
    for (std::uint64_t s = 0; s < S; ++s) {
        ToySnapshot snapshot;
        snapshot.step = int(steps[s]);
        for (std::uint64_t i = 0; i < I; ++i) {
            ToyInstance inst;
            inst.W = ToyArrays::matrixAt(sW, std::size_t(s * I + i), config.hidden, config.features);
            inst.b = ToyArrays::vectorAt(sb, std::size_t(s * I + i), config.features);
            if (untied)
                inst.decoder = ToyArrays::matrixAt(sD, std::size_t(s * I + i), config.hidden, config.features);
            snapshot.instances.push_back(std::move(inst));
        }
        result->snapshots.push_back(std::move(snapshot));
    }
    return result;
}

} // namespace featurescope
