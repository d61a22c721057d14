#include "sae/SaeCheckpoint.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"
#include "io/AtomicFileWriter.h"
#include "io/JsonReader.h"
#include "io/MappedFile.h"
#include "io/SafetensorsFile.h"
#include "sae/SaeLensExporter.h"

#include <cstring>
#include <filesystem>

namespace featurescope {

namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "featurescope-sae-checkpoint";
constexpr int kVersion = 1;
constexpr std::uint64_t kMaxJsonBytes = 1 << 20;

// The first place where two JSON documents differ ("sae.k: 5 here, 7 in the checkpoint"), or "" when equal.
std::string firstDifference(const nlohmann::json& now, const nlohmann::json& saved, const std::string& path)
{
    if (now.is_object() && saved.is_object()) {
        for (auto it = now.begin(); it != now.end(); ++it) {
            const std::string key = path.empty() ? it.key() : path + "." + it.key();
            if (!saved.contains(it.key()))
                return key + " is missing in the checkpoint";
            const std::string d = firstDifference(it.value(), saved.at(it.key()), key);
            if (!d.empty())
                return d;
        }
        for (auto it = saved.begin(); it != saved.end(); ++it)
            if (!now.contains(it.key()))
                return (path.empty() ? it.key() : path + "." + it.key()) + " is in the checkpoint but not in this run";
        return {};
    }
    if (now == saved)
        return {};
    const std::string savedText = saved.dump().substr(0, 60), nowText = now.dump().substr(0, 60);
    return path + ": " + nowText + " in this run, " + savedText + " in the checkpoint";
}

std::vector<std::int64_t> toInt64(const std::vector<int>& values) { return {values.begin(), values.end()}; }

// A tensor of exactly `dtype` and `count` elements (rank 1, or [count / 2, 2] when `pairs`).
ArrayData checkedTensor(const SafetensorsFile& file, const char* name, DType dtype, std::uint64_t count,
                        bool pairs = false)
{
    if (!file.contains(name))
        throw InputError(file.path() + ": no tensor " + name + " (not a featurescope checkpoint, or a damaged one)");
    const ArrayData a = file.tensor(name);
    const ArrayData::Shape expected = pairs ? ArrayData::Shape{count / 2, 2} : ArrayData::Shape{count};
    if (a.dtype() != dtype || a.shape() != expected)
        throw InputError(file.path() + ": tensor " + name + " is " + a.describe() + ", expected " +
                         ArrayData::shapeText(expected) + " " + dtypeSafetensorsName(dtype));
    return a;
}

std::vector<float> floats(const SafetensorsFile& file, const char* name, std::uint64_t count)
{
    const ArrayData a = checkedTensor(file, name, DType::F32, count);
    std::vector<float> values(static_cast<std::size_t>(count));
    if (count)
        std::memcpy(values.data(), a.data(), std::size_t(count) * sizeof(float));
    return values;
}

std::vector<std::int64_t> int64s(const SafetensorsFile& file, const char* name, std::uint64_t count, bool pairs = false)
{
    const ArrayData a = checkedTensor(file, name, DType::I64, count, pairs);
    std::vector<std::int64_t> values(static_cast<std::size_t>(count));
    if (count)
        std::memcpy(values.data(), a.data(), std::size_t(count) * sizeof(std::int64_t));
    return values;
}

std::vector<int> ints(const SafetensorsFile& file, const char* name, std::uint64_t count, std::int64_t max)
{
    std::vector<int> out;
    out.reserve(std::size_t(count));
    for (std::int64_t v : int64s(file, name, count)) {
        if (v < 0 || v > max)
            throw InputError(file.path() + ": tensor " + name + " holds " + std::to_string(v) + ", outside 0 to " +
                             std::to_string(max));
        out.push_back(int(v));
    }
    return out;
}

} // namespace

std::string SaeCheckpoint::folderFor(const std::string& checkpointDirectory, int step)
{
    return (fs::path(checkpointDirectory) / ("step_" + std::to_string(step))).string();
}

std::string SaeCheckpoint::resolve(const std::string& directory)
{
    std::error_code error;
    if (!fs::is_directory(directory, error))
        throw InputError(directory + ": not a folder (--resume takes a checkpoint folder or a --checkpoint-dir)");
    if (fs::exists(fs::path(directory) / kStateJson, error))
        return directory;
    int best = -1;
    std::string bestPath;
    fs::directory_iterator it(directory, error), end;
    for (int seen = 0; !error && it != end && seen < 100000; it.increment(error), ++seen) {
        const std::string name = it->path().filename().string();
        if (name.rfind("step_", 0) != 0 || name.size() > 5 + 9 || name.size() == 5)
            continue;
        int step = 0;
        bool digits = true;
        for (std::size_t i = 5; i < name.size(); ++i) {
            digits = digits && name[i] >= '0' && name[i] <= '9';
            step = step * 10 + (name[i] - '0');
        }
        if (digits && step > best && fs::exists(it->path() / kStateJson, error)) {
            best = step;
            bestPath = it->path().string();
        }
    }
    if (best < 0)
        throw InputError(directory + ": no checkpoint here (neither " + kStateJson + " nor step_<N> folders with one)");
    return bestPath;
}

void SaeCheckpoint::write(const std::string& directory, const SaeTrainer& trainer, const nlohmann::json& identity,
                          const nlohmann::json& metadata)
{
    const SaeTrainerState s = trainer.state();
    const SparseAutoencoder& sae = trainer.autoencoder();
    std::error_code error;
    const fs::path target(directory);
    const fs::path partial = target.string() + ".partial";
    fs::remove_all(partial, error);
    // The SAELens files, with the window's densities as sparsity when the health window has started.
    std::vector<double> densities;
    if (!s.windowFires.empty() && s.windowInputs > 0)
        for (std::int64_t f : s.windowFires)
            densities.push_back(double(f) / double(s.windowInputs));
    SaeLensExporter::write(partial.string(), sae, metadata, densities);

    std::vector<std::int64_t> randomWords(4 + 4 * UniformStream::kLanes);
    for (int i = 0; i < 4; ++i)
        randomWords[std::size_t(i)] = std::int64_t(s.rng.words[i]); // the bit pattern (two's complement)
    for (int i = 0; i < 4 * UniformStream::kLanes; ++i)
        randomWords[std::size_t(4 + i)] = std::int64_t(s.uniform.words[i]);
    std::vector<std::int64_t> events;
    for (const auto& [step, resampled] : s.resampleEvents) {
        events.push_back(step);
        events.push_back(resampled);
    }
    const std::vector<std::int64_t> lastFire = toInt64(s.lastFire), auxDead = toInt64(s.auxDeadHistory);
    const std::uint64_t n = s.parameters.size();
    std::vector<SafetensorsFile::NamedArray> tensors = {
        {"parameters", ArrayData::fromFloats({n}, s.parameters.data())},
        {"adam_first_moment", ArrayData::fromFloats({n}, s.adamFirstMoment.data())},
        {"adam_second_moment", ArrayData::fromFloats({n}, s.adamSecondMoment.data())},
        {"random_words", ArrayData::fromInts({randomWords.size()}, randomWords.data())},
        {"random_buffer", ArrayData::fromFloats({std::uint64_t(2 * UniformStream::kLanes)}, s.uniform.buffer)},
        {"last_fire", ArrayData::fromInts({lastFire.size()}, lastFire.data())},
        {"window_fires", ArrayData::fromInts({s.windowFires.size()}, s.windowFires.data())},
        {"loss_history", ArrayData::fromFloats({s.lossHistory.size()}, s.lossHistory.data())},
        {"mse_history", ArrayData::fromFloats({s.mseHistory.size()}, s.mseHistory.data())},
        {"l0_history", ArrayData::fromFloats({s.l0History.size()}, s.l0History.data())},
        {"aux_history", ArrayData::fromFloats({s.auxHistory.size()}, s.auxHistory.data())},
        {"aux_dead_history", ArrayData::fromInts({auxDead.size()}, auxDead.data())},
        {"resample_events", ArrayData::fromInts({events.size() / 2, 2}, events.data())},
    };
    SafetensorsFile::write((partial / kStateTensors).string(), tensors);
    const nlohmann::json state = {{"format", kFormat},
                                  {"version", kVersion},
                                  {"step", s.stepsDone},
                                  {"sparse_steps", s.sparseSteps},
                                  {"training_seconds", s.trainingSeconds},
                                  {"input_scale", s.inputScale},
                                  {"batch_threshold", s.batchThreshold},
                                  {"adam_steps", s.adamSteps},
                                  {"rng_spare_normal", s.rng.spareNormal},
                                  {"rng_has_spare", s.rng.hasSpare},
                                  {"random_buffered", s.uniform.buffered},
                                  {"window_inputs", s.windowInputs},
                                  {"window_steps", s.windowSteps},
                                  {"parameter_count", n},
                                  {"resample_events", s.resampleEvents.size()},
                                  {"identity", identity}};
    AtomicFileWriter::writeFile((partial / kStateJson).string(), state.dump(2) + "\n");
    fs::remove_all(target, error);
    fs::rename(partial, target, error);
    if (error)
        throw InputError(directory + ": cannot move the checkpoint into place (" + error.message() + ")");
}

void SaeCheckpoint::restore(const std::string& directory, SaeTrainer& trainer, const nlohmann::json& identity)
{
    const std::string jsonPath = (fs::path(directory) / kStateJson).string();
    const std::string tensorPath = (fs::path(directory) / kStateTensors).string();
    std::error_code error;
    if (!fs::exists(jsonPath, error))
        throw InputError(directory + ": no " + kStateJson + " (not a featurescope checkpoint folder)");
    const auto file = MappedFile::open(jsonPath);
    if (file->size() > kMaxJsonBytes)
        throw InputError(jsonPath + ": larger than 1 MB (not a featurescope checkpoint)");
    const nlohmann::json j =
        JsonReader::parse(std::string_view(reinterpret_cast<const char*>(file->data()), std::size_t(file->size())),
                          jsonPath, "", JsonLimits::withMaxBytes(kMaxJsonBytes));
    if (!j.is_object())
        throw InputError(jsonPath + ": not a JSON object (not a featurescope checkpoint)");
    const SettingsReader r(j, jsonPath);
    if (r.text("format", 64) != kFormat)
        throw InputError(jsonPath + ": \"format\" is not " + kFormat);
    if (r.integer("version", 0, 1000) != kVersion)
        throw InputError(jsonPath + ": checkpoint version " + std::to_string(r.integer("version", 0, 1000)) +
                         " (this featurescope reads version " + std::to_string(kVersion) + ")");
    const std::string difference = firstDifference(identity, r.raw("identity"), "");
    if (!difference.empty())
        throw InputError(jsonPath + ": a checkpoint of another run (" + difference + ")");

    const std::uint64_t n = trainer.autoencoder().parameters().size();
    if (std::uint64_t(r.integer("parameter_count", 0, std::int64_t(1) << 40)) != n)
        throw InputError(jsonPath + ": the checkpoint's parameter count does not match this SAE's " + std::to_string(n));
    SaeTrainerState s;
    const int steps = trainer.training().steps;
    s.stepsDone = int(r.integer("step", 0, steps));
    s.sparseSteps = int(r.integer("sparse_steps", 0, s.stepsDone));
    s.trainingSeconds = r.number("training_seconds", 0.0, 1e12);
    s.inputScale = float(r.number("input_scale", 1e-30, 1e30));
    s.batchThreshold = r.number("batch_threshold", -1e30, 1e30);
    s.adamSteps = r.integer("adam_steps", 0, s.stepsDone);
    s.rng.spareNormal = r.number("rng_spare_normal", -1e3, 1e3);
    s.rng.hasSpare = r.boolean("rng_has_spare");
    s.uniform.buffered = int(r.integer("random_buffered", 0, 2 * UniformStream::kLanes));
    s.windowInputs = r.integer("window_inputs", 0, std::int64_t(1) << 50);
    s.windowSteps = int(r.integer("window_steps", 0, s.stepsDone));
    const std::uint64_t events = std::uint64_t(r.integer("resample_events", 0, steps));

    // Every size below comes from this trainer's configuration or from counts bounded by its step count, never from
    // the tensor file's header; checkedTensor() compares the header with them before anything is copied.
    const SafetensorsFile tensors = SafetensorsFile::open(tensorPath);
    const std::uint64_t dsae = std::uint64_t(trainer.config().latentDim);
    const std::uint64_t done = std::uint64_t(s.stepsDone);
    const std::vector<float> parameters = floats(tensors, "parameters", n);
    s.parameters.assign(parameters.begin(), parameters.end());
    s.adamFirstMoment = floats(tensors, "adam_first_moment", n);
    s.adamSecondMoment = floats(tensors, "adam_second_moment", n);
    const std::vector<std::int64_t> words = int64s(tensors, "random_words", 4 + 4 * UniformStream::kLanes);
    for (int i = 0; i < 4; ++i)
        s.rng.words[i] = std::uint64_t(words[std::size_t(i)]);
    for (int i = 0; i < 4 * UniformStream::kLanes; ++i)
        s.uniform.words[i] = std::uint64_t(words[std::size_t(4 + i)]);
    const std::vector<float> buffer = floats(tensors, "random_buffer", 2 * UniformStream::kLanes);
    std::copy(buffer.begin(), buffer.end(), s.uniform.buffer);
    s.lastFire = ints(tensors, "last_fire", dsae, s.stepsDone);
    const bool window = tensors.contains("window_fires") && tensors.find("window_fires")->shape != ArrayData::Shape{0};
    s.windowFires = int64s(tensors, "window_fires", window ? dsae : 0);
    s.lossHistory = floats(tensors, "loss_history", done);
    s.mseHistory = floats(tensors, "mse_history", done);
    s.l0History = floats(tensors, "l0_history", done);
    const std::uint64_t auxSteps = trainer.config().usesAuxK() ? done : 0;
    s.auxHistory = floats(tensors, "aux_history", auxSteps);
    s.auxDeadHistory = ints(tensors, "aux_dead_history", auxSteps, std::int64_t(dsae));
    const std::vector<std::int64_t> pairs = int64s(tensors, "resample_events", 2 * events, true);
    for (std::size_t e = 0; e < events; ++e) {
        if (pairs[2 * e] < 1 || pairs[2 * e] > s.stepsDone || pairs[2 * e + 1] < 0 ||
            pairs[2 * e + 1] > std::int64_t(dsae))
            throw InputError(tensorPath + ": a resampling event lies outside the run's steps or latents");
        s.resampleEvents.emplace_back(int(pairs[2 * e]), int(pairs[2 * e + 1]));
    }
    trainer.restore(s, directory);
}

} // namespace featurescope
