// Checkpoints: N steps, a checkpoint, a fresh trainer restored from it and N more steps give bit for bit the run of
// 2N steps; the checkpoint folder is an SAELens SAE; hostile checkpoint files give one InputError line naming the file.
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/SaeExperiment.h"
#include "experiments/SaeSourceFactory.h"
#include "io/SafetensorsFile.h"
#include "sae/SaeCheckpoint.h"
#include "sae/SaeLensLoader.h"
#include "sae/SaeTrainer.h"
#include "sae/SyntheticActivationSource.h"

#include "core/ScratchFiles.h"

#include <nlohmann/json.hpp>

#include <QTest>

#include <filesystem>
#include <fstream>
#include <limits>

using namespace featurescope;

namespace {

SyntheticActivationSource::Settings sourceSettings()
{
    SyntheticActivationSource::Settings s;
    s.features = 48;
    s.dimension = 16;
    s.seed = 5;
    return s;
}

SaeConfig saeConfig(SaeVariant variant)
{
    SaeConfig c;
    c.inputDim = 16;
    c.latentDim = 64;
    c.variant = variant;
    c.k = 4;
    c.l1 = variant == SaeVariant::TM2023 ? 3e-3 : variant == SaeVariant::JumpReLU ? 1.0 / 16 : 0.0;
    c.normalizeInputs = true;
    if (variant == SaeVariant::Matryoshka)
        c.matryoshkaWidths = {16, 32};
    return c;
}

SaeTrainingConfig trainingConfig()
{
    SaeTrainingConfig t;
    t.steps = 80;
    t.batch = 128;
    t.seed = 11;
    t.deadWindow = 10; // AuxK and the health window both active within the run
    t.resampleSteps = {30};
    t.lrSchedule = SaeLrSchedule::Cosine;
    t.lrWarmupSteps = 5;
    t.lrDecaySteps = 10;
    t.l1WarmupSteps = 20;
    return t;
}

nlohmann::json identityOf(const SaeConfig& c, const SaeTrainingConfig& t) { return {{"sae", c}, {"training", t}}; }

void expectSameRun(const SaeTrainer& a, const SaeTrainer& b)
{
    QCOMPARE(a.stepsDone(), b.stepsDone());
    QVERIFY(a.autoencoder().parameters() == b.autoencoder().parameters());
    QCOMPARE(a.autoencoder().threshold(), b.autoencoder().threshold());
    QVERIFY(a.lossHistory() == b.lossHistory());
    QVERIFY(a.auxLossHistory() == b.auxLossHistory());
    QVERIFY(a.activity().fires == b.activity().fires);
    QCOMPARE(a.activity().inputs, b.activity().inputs);
    QCOMPARE(a.resampleEvents().size(), b.resampleEvents().size());
}

} // namespace

class TestSaeCheckpoint : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_files.isValid()); }

    void resumeEqualsStraightRun_data()
    {
        QTest::addColumn<int>("variant");
        QTest::newRow("topk") << int(SaeVariant::TopK);
        QTest::newRow("tm2023 (L1)") << int(SaeVariant::TM2023);
        QTest::newRow("batchtopk") << int(SaeVariant::BatchTopK);
        QTest::newRow("matryoshka") << int(SaeVariant::Matryoshka);
        QTest::newRow("jumprelu") << int(SaeVariant::JumpReLU);
    }

    void resumeEqualsStraightRun()
    {
        QFETCH(int, variant);
        const SyntheticActivationSource source(sourceSettings());
        const SaeConfig config = saeConfig(SaeVariant(variant));
        const SaeTrainingConfig training = trainingConfig();
        SaeTrainer straight(config, training, source);
        QCOMPARE(straight.run(), TrainingStatus::Finished);

        SaeTrainer first(config, training, source);
        first.run(nullptr, 40);
        const std::string dir = m_files.path(QStringLiteral("resume_%1").arg(variant)).toStdString();
        SaeCheckpoint::write(dir, first, identityOf(config, training));
        SaeTrainer second(config, training, source);
        SaeCheckpoint::restore(dir, second, identityOf(config, training));
        QCOMPARE(second.stepsDone(), 40);
        QCOMPARE(second.run(), TrainingStatus::Finished);
        expectSameRun(straight, second);
        // A different split changes nothing either, and the weights really moved after the checkpoint.
        QVERIFY(first.autoencoder().parameters() != second.autoencoder().parameters());

        // The checkpoint folder is an SAELens SAE in its own right.
        const ImportedSae asSaeLens = SaeLensLoader::load(dir);
        QCOMPARE(asSaeLens.latentDim(), config.latentDim);
        const Eigen::MatrixXf X = source.evaluationSet(64, 3).activations;
        QVERIFY((asSaeLens.encode(X) - first.autoencoder().encode(X)).cwiseAbs().maxCoeff() < 1e-4f);
    }

    // The experiment (what `featurescope sae --checkpoint-every N --checkpoint-dir DIR` and `--resume DIR` run).
    void experimentCheckpointsAndResumes()
    {
        SaeExperimentConfig config = SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::Synthetic);
        config.sae.variant = SaeVariant::TopK;
        config.sae.latentDim = 128;
        config.training.steps = 60;
        config.training.batch = 256;
        config.evaluationInputs = 512;
        SaeSourceFactory sources;
        const SaeRunResult straight = SaeExperiment::train(config, sources, ProgressReporter());
        const std::string dir = m_files.path(QStringLiteral("experiment")).toStdString();
        config.checkpointEvery = 25;
        config.checkpointDirectory = dir;
        SaeSourceFactory sources2;
        SaeExperiment::train(config, sources2, ProgressReporter());
        namespace fs = std::filesystem;
        QVERIFY(fs::exists(fs::path(dir) / "step_25" / "trainer_state.json"));
        QVERIFY(fs::exists(fs::path(dir) / "step_50" / "cfg.json"));
        QVERIFY(!fs::exists(fs::path(dir) / "step_60"));
        QCOMPARE(SaeCheckpoint::resolve(dir), SaeCheckpoint::folderFor(dir, 50));
        config.checkpointEvery = 0;
        config.checkpointDirectory.clear();
        config.resumeFrom = SaeCheckpoint::folderFor(dir, 25);
        SaeSourceFactory sources3;
        const SaeRunResult resumed = SaeExperiment::train(config, sources3, ProgressReporter());
        QCOMPARE(resumed.stepsDone, 60);
        QVERIFY((resumed.sae->decoderWeights() - straight.sae->decoderWeights()).cwiseAbs().maxCoeff() <= 1e-6f);
        QVERIFY((resumed.sae->encoderColumns() - straight.sae->encoderColumns()).cwiseAbs().maxCoeff() <= 1e-6f);
        // Another run's checkpoint is refused, naming what differs.
        config.sae.k = 7;
        SaeSourceFactory sources4;
        try {
            SaeExperiment::train(config, sources4, ProgressReporter());
            QFAIL("a checkpoint of another run was accepted");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("another run") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("k") != std::string::npos, e.what());
        }
    }

    void hostileCheckpoints_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected"); // a fragment of the one-line message
        QTest::newRow("no state json") << "remove-json" << "no trainer_state.json";
        QTest::newRow("json garbage") << "json:{\"format\": [1, 2" << "trainer_state.json";
        QTest::newRow("json not object") << "json:[1,2,3]" << "not a JSON object";
        QTest::newRow("wrong format") << "field:format=\"other\"" << "format";
        QTest::newRow("future version") << "field:version=99" << "version 99";
        QTest::newRow("step beyond run") << "field:step=1000000" << "step";
        QTest::newRow("negative adam steps") << "field:adam_steps=-4" << "adam_steps";
        QTest::newRow("huge event count") << "field:resample_events=4000000000" << "resample_events";
        QTest::newRow("identity differs") << "field:identity={\"sae\":{}}" << "another run";
        QTest::newRow("missing tensors file") << "remove-tensors" << "trainer_state.safetensors";
        QTest::newRow("truncated tensors") << "truncate-tensors" << "trainer_state.safetensors";
        QTest::newRow("short parameters") << "tensor:parameters=short" << "tensor parameters";
        QTest::newRow("parameters as f16") << "tensor:parameters=f16" << "tensor parameters";
        QTest::newRow("NaN weights") << "tensor:parameters=nan" << "NaN";
        QTest::newRow("last fire out of range") << "tensor:last_fire=big" << "last_fire";
        QTest::newRow("history too long") << "tensor:loss_history=long" << "loss_history";
    }

    void hostileCheckpoints()
    {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        namespace fs = std::filesystem;
        const SyntheticActivationSource source(sourceSettings());
        const SaeConfig config = saeConfig(SaeVariant::TopK);
        const SaeTrainingConfig training = trainingConfig();
        SaeTrainer trainer(config, training, source);
        trainer.run(nullptr, 20);
        const std::string dir = m_files.path(QStringLiteral("hostile_") + QString::fromLatin1(QTest::currentDataTag()))
                                    .replace(QLatin1Char(' '), QLatin1Char('_'))
                                    .toStdString();
        SaeCheckpoint::write(dir, trainer, identityOf(config, training));
        const fs::path json = fs::path(dir) / SaeCheckpoint::kStateJson;
        const fs::path tensorsPath = fs::path(dir) / SaeCheckpoint::kStateTensors;
        const std::string how = damage.toStdString();
        if (how == "remove-json") {
            fs::remove(json);
        } else if (how == "remove-tensors") {
            fs::remove(tensorsPath);
        } else if (how == "truncate-tensors") {
            fs::resize_file(tensorsPath, fs::file_size(tensorsPath) / 2);
        } else if (how.rfind("json:", 0) == 0) {
            std::ofstream(json, std::ios::trunc) << how.substr(5);
        } else if (how.rfind("field:", 0) == 0) {
            nlohmann::json j = nlohmann::json::parse(std::ifstream(json));
            const std::size_t eq = how.find('=');
            j[how.substr(6, eq - 6)] = nlohmann::json::parse(how.substr(eq + 1));
            std::ofstream(json, std::ios::trunc) << j.dump();
        } else if (how.rfind("tensor:", 0) == 0) {
            const std::size_t eq = how.find('=');
            const std::string name = how.substr(7, eq - 7), change = how.substr(eq + 1);
            std::vector<SafetensorsFile::NamedArray> arrays;
            {
                const SafetensorsFile file = SafetensorsFile::open(tensorsPath.string());
                for (const auto& info : file.tensors()) {
                    ArrayData a = file.tensor(info.name);
                    if (info.name == name) {
                        if (change == "short" || change == "long") {
                            std::vector<float> v = a.toFloatVector();
                            v.resize(change == "short" ? v.size() / 2 : v.size() + 3, 0.5f);
                            a = ArrayData::fromFloats({v.size()}, v.data());
                        } else if (change == "f16") {
                            a = a.converted(DType::F16);
                        } else if (change == "nan") {
                            std::vector<float> v = a.toFloatVector();
                            v[v.size() / 3] = std::numeric_limits<float>::quiet_NaN();
                            a = ArrayData::fromFloats({v.size()}, v.data());
                        } else if (change == "big") {
                            std::vector<std::int64_t> v = a.toInt64Vector();
                            v[1] = std::int64_t(1) << 40;
                            a = ArrayData::fromInts({v.size()}, v.data());
                        }
                    }
                    arrays.push_back({info.name, ArrayData(a.dtype(), a.shape(),
                                                           std::vector<std::uint8_t>(a.data(), a.data() + a.byteSize()))});
                }
            }
            SafetensorsFile::write(tensorsPath.string(), arrays);
        }
        SaeTrainer fresh(config, training, source);
        const auto before = fresh.autoencoder().parameters();
        try {
            SaeCheckpoint::restore(dir, fresh, identityOf(config, training));
            QFAIL("a damaged checkpoint was accepted");
        } catch (const InputError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find('\n') == std::string::npos, e.what());
            QVERIFY2(message.find(expected.toStdString()) != std::string::npos, e.what());
            QVERIFY2(message.find(dir) != std::string::npos, e.what()); // names the file or folder
        }
        // Nothing of the damaged checkpoint reached the trainer.
        QCOMPARE(fresh.stepsDone(), 0);
        QVERIFY(fresh.autoencoder().parameters() == before);
    }

private:
    ScratchFiles m_files;
};

QTEST_GUILESS_MAIN(TestSaeCheckpoint)
#include "tst_sae_checkpoint.moc"
